#pragma once
// Tensor: the one public value type. A Tensor is a cheap handle (one pointer) to a TensorImpl,
// which holds a view (offset, shape, strides) into a shared Storage and the autograd metadata.
// Copying a Tensor copies the handle: both name the same data, as in PyTorch.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "descent/core/dtype.h"
#include "descent/core/ref.h"
#include "descent/core/shape.h"
#include "descent/core/storage.h"

namespace descent {

namespace autograd {
struct Node;
}

class TensorImpl : public RefCounted {
 public:
  TensorImpl(Ref<Storage> storage, int64_t offset, Shape shape, Shape strides, DType dtype);
  // A contiguous tensor at the start of `storage` whose element count `numel` is known: the
  // path of every freshly made tensor, without re-deriving what the caller already has.
  TensorImpl(Ref<Storage> storage, const Shape& shape, int64_t numel, DType dtype);

  // Tensors are made and dropped by the dozen per training step: recycle their memory
  // through the allocator's per-thread block cache.
  static void* operator new(size_t size);
  static void operator delete(void* p, size_t size);

  Ref<Storage> storage;
  int64_t offset;  // in elements
  Shape shape;
  Shape strides;  // in elements
  int64_t numel;
  DType dtype;
  bool contiguous;

  // Autograd metadata. A leaf has no grad_fn; a tensor made by a recorded op has one.
  bool requires_grad = false;
  Ref<TensorImpl> grad;
  std::shared_ptr<autograd::Node> grad_fn;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Ref<TensorImpl> impl) : impl_(std::move(impl)) {}

  // A new contiguous, uninitialized tensor.
  static Tensor empty(const Shape& shape, DType dtype = DType::Float32);
  // A view of `base`'s storage with the given geometry; no autograd history.
  static Tensor view_of(const Tensor& base, int64_t offset, Shape shape, Shape strides);

  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }

  DType dtype() const { return impl_->dtype; }
  const Shape& shape() const { return impl_->shape; }
  const Shape& strides() const { return impl_->strides; }
  int64_t offset() const { return impl_->offset; }
  int64_t dim() const { return static_cast<int64_t>(impl_->shape.size()); }
  // Size along `d`; negative d counts from the end.
  int64_t size(int64_t d) const;
  int64_t numel() const { return impl_->numel; }
  bool is_contiguous() const { return impl_->contiguous; }
  const Ref<Storage>& storage() const { return impl_->storage; }
  // True when both tensors view the same storage.
  bool shares_storage(const Tensor& o) const { return impl_->storage == o.impl_->storage; }

  // Pointer to the first element of the view. The dtype must match T.
  template <typename T>
  T* data() const {
    check_dtype(dtype_of<T>(), "data");
    return static_cast<T*>(impl_->storage->data()) + impl_->offset;
  }
  void* raw_data() const {
    return static_cast<char*>(impl_->storage->data()) + impl_->offset * dtype_size(dtype());
  }

  // The value of a one-element tensor, as double.
  double item() const;
  // All elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;
  // Element at a multi-index, as double (slow; for tests and printing).
  double at(std::initializer_list<int64_t> index) const;

  // --- autograd metadata ---
  bool requires_grad() const { return impl_->requires_grad; }
  // Marks a leaf as needing gradients. Only floating tensors can; a non-leaf cannot be unmarked.
  Tensor& set_requires_grad(bool on = true);
  bool is_leaf() const { return !impl_->grad_fn; }
  const std::shared_ptr<autograd::Node>& grad_fn() const { return impl_->grad_fn; }
  // Accumulated gradient of a leaf after backward(); undefined before.
  Tensor grad() const { return Tensor(impl_->grad); }
  void set_grad(const Tensor& g);
  // A tensor sharing this storage with no autograd history (requires_grad false).
  Tensor detach() const;
  // Computes gradients of this tensor with respect to every leaf that requires them and adds
  // them into the leaves' grad(). Defined in the autograd layer (autograd/engine.cpp).
  void backward(const Tensor& grad_output = Tensor(), bool retain_graph = false,
                bool create_graph = false) const;

  // --- in-place updates (not recorded by autograd; see autograd/inplace.cpp) ---
  Tensor& zero_();
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& sub_(const Tensor& other) { return add_(other, -1.0); }
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(double value);

  std::string str() const;
  friend std::ostream& operator<<(std::ostream& os, const Tensor& t);

  void check_dtype(DType want, const char* what) const;

 private:
  Ref<TensorImpl> impl_;
};

// --- creation ---
Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
Tensor ones(const Shape& shape, DType dtype = DType::Float32);
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor full_like(const Tensor& t, double value);
// A 0-dimensional tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = DType::Float32);
// [start, end) by step, as NumPy: length ceil((end - start) / step).
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::Float32);
Tensor arange(int64_t n, DType dtype = DType::Int64);
// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, DType dtype = DType::Float32);
// From values in row-major order; values.size() must equal shape.numel().
Tensor from_vector(std::span<const double> values, const Shape& shape,
                   DType dtype = DType::Float32);
Tensor from_vector(std::span<const int64_t> values, const Shape& shape);
Tensor from_vector(std::span<const float> values, const Shape& shape);
inline Tensor tensor(std::initializer_list<double> values, const Shape& shape,
                     DType dtype = DType::Float32) {
  return from_vector(std::span<const double>(values.begin(), values.size()), shape, dtype);
}
// A 1-D tensor of the values.
inline Tensor tensor(std::initializer_list<double> values, DType dtype = DType::Float32) {
  return tensor(values, Shape{static_cast<int64_t>(values.size())}, dtype);
}

// Checked axis normalization: maps d in [-rank, rank) to [0, rank); `op` names the caller.
int64_t normalize_axis(int64_t d, int64_t rank, const char* op);

}  // namespace descent
