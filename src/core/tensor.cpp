#include "descent/core/tensor.h"

#include "descent/core/allocator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <ostream>
#include <sstream>

namespace descent {

namespace {

bool is_contiguous_geometry(const Shape& shape, const Shape& strides) {
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

// Says what is wrong with a shape that checked_numel refused. Out of line, so that the check
// itself (run for every new tensor) stays a few instructions.
[[noreturn, gnu::noinline, gnu::cold]] void throw_bad_shape(const Shape& shape, DType dtype) {
  for (int64_t d : shape)
    if (d < 0) throw ShapeError("tensor: negative dimension in shape " + shape.str());
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      throw ShapeError("tensor: element count of shape " + shape.str() + " overflows int64");
  throw ShapeError("tensor: byte size of shape " + shape.str() + " overflows (" +
                   std::to_string(dtype_size(dtype)) + " bytes per element)");
}

// The allocation for a tensor failed (the system refused the memory): say for what.
[[noreturn, gnu::noinline, gnu::cold]] void throw_out_of_memory(const Shape& shape, DType dtype,
                                                                int64_t bytes) {
  std::ostringstream size;
  size.precision(3);
  size << static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
  throw OutOfMemoryError("tensor: out of memory for shape " + shape.str() + " " +
                         std::string(dtype_name(dtype)) + " (" + std::to_string(bytes) +
                         " bytes, " + size.str() + " GiB)");
}

// The storage of a new tensor of n elements; OutOfMemoryError when the system refuses it.
inline Ref<Storage> allocate_storage(const Shape& shape, DType dtype, int64_t n) {
  const size_t bytes = static_cast<size_t>(n) * dtype_size(dtype);
  try {
    return Storage::allocate(bytes);
  } catch (const std::bad_alloc&) {
    throw_out_of_memory(shape, dtype, static_cast<int64_t>(bytes));
  }
}

// Element count of `shape`, refusing negative sizes and products that overflow.
inline int64_t checked_numel(const Shape& shape, DType dtype) {
  int64_t n = 1;
  bool bad = false;
  for (int64_t d : shape) bad |= d < 0 || __builtin_mul_overflow(n, d, &n);
  int64_t bytes;
  bad |= __builtin_mul_overflow(n, static_cast<int64_t>(dtype_size(dtype)), &bytes);
  if (bad) throw_bad_shape(shape, dtype);
  return n;
}

template <typename T>
T element_at(const Tensor& t, int64_t linear) {
  // Walks the row-major linear index back to an offset through the strides.
  int64_t off = t.offset();
  for (size_t i = t.shape().size(); i-- > 0;) {
    const int64_t d = t.shape()[i];
    off += (linear % d) * t.strides()[i];
    linear /= d;
  }
  return static_cast<const T*>(t.storage()->data())[off];
}

}  // namespace

void* TensorImpl::operator new(size_t size) {
  return allocator::allocate(size);
}
void TensorImpl::operator delete(void* p, size_t size) {
  allocator::release(p, size);
}

TensorImpl::TensorImpl(Ref<Storage> s, int64_t off, Shape sh, Shape st, DType dt)
    : storage(std::move(s)),
      offset(off),
      shape(std::move(sh)),
      strides(std::move(st)),
      numel(shape.numel()),
      dtype(dt),
      contiguous(is_contiguous_geometry(shape, strides)) {}

TensorImpl::TensorImpl(Ref<Storage> s, const Shape& sh, int64_t n, DType dt)
    : storage(std::move(s)),
      offset(0),
      shape(sh),
      strides(sh),
      numel(n),
      dtype(dt),
      contiguous(true) {
  // Row-major strides (a size-0 or size-1 dimension counts as 1, as in contiguous_strides),
  // written over a copy of the shape: copying a Shape of the same rank is a few vector moves,
  // where resizing an empty one costs a call to memset.
  const int64_t* size = shape.data();
  int64_t* stride = strides.data();
  int64_t step = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    stride[i] = step;
    step *= std::max<int64_t>(size[i], 1);
  }
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  const int64_t n = checked_numel(shape, dtype);
  return Tensor(make_ref<TensorImpl>(allocate_storage(shape, dtype, n), shape, n, dtype));
}

Tensor Tensor::view_of(const Tensor& base, int64_t offset, Shape shape, Shape strides) {
  return Tensor(make_ref<TensorImpl>(base.storage(), offset, std::move(shape), std::move(strides),
                                     base.dtype()));
}

int64_t Tensor::size(int64_t d) const {
  return shape()[normalize_axis(d, dim(), "size")];
}

void Tensor::check_dtype(DType want, const char* what) const {
  if (!defined()) throw ValueError(std::string(what) + ": tensor is undefined");
  if (dtype() != want)
    throw DTypeError(std::string(what) + ": tensor has dtype " + std::string(dtype_name(dtype())) +
                     ", expected " + std::string(dtype_name(want)));
}

double Tensor::item() const {
  if (!defined()) throw ValueError("item: tensor is undefined");
  if (numel() != 1)
    throw ShapeError("item: expected a tensor with one element, got shape " + shape().str());
  return dispatch(dtype(),
                  [&](auto z) { return static_cast<double>(element_at<decltype(z)>(*this, 0)); });
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  if (!defined()) throw ValueError("to_vector: tensor is undefined");
  std::vector<T> out(static_cast<size_t>(numel()));
  dispatch(dtype(), [&](auto z) {
    using S = decltype(z);
    for (int64_t i = 0; i < numel(); ++i) out[i] = static_cast<T>(element_at<S>(*this, i));
  });
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

double Tensor::at(std::initializer_list<int64_t> index) const {
  if (static_cast<int64_t>(index.size()) != dim())
    throw IndexError("at: index has " + std::to_string(index.size()) + " entries for shape " +
                     shape().str());
  int64_t off = offset(), i = 0;
  for (int64_t v : index) {
    if (v < 0 || v >= shape()[i])
      throw IndexError("at: index " + std::to_string(v) + " out of range for dimension " +
                       std::to_string(i) + " of shape " + shape().str());
    off += v * strides()[i++];
  }
  return dispatch(dtype(), [&](auto z) {
    return static_cast<double>(static_cast<const decltype(z)*>(storage()->data())[off]);
  });
}

Tensor& Tensor::set_requires_grad(bool on) {
  if (!defined()) throw ValueError("set_requires_grad: tensor is undefined");
  if (on && !is_floating(dtype()))
    throw DTypeError("set_requires_grad: only floating tensors can require gradients, got " +
                     std::string(dtype_name(dtype())));
  if (!on && !is_leaf())
    throw AutogradError(
        "set_requires_grad(false): only a leaf can stop requiring gradients; use detach()");
  impl_->requires_grad = on;
  return *this;
}

void Tensor::set_grad(const Tensor& g) {
  if (g.defined() && !(g.shape() == shape()))
    throw ShapeError("set_grad: gradient shape " + g.shape().str() + " differs from tensor shape " +
                     shape().str());
  impl_->grad = g.defined() ? Ref<TensorImpl>(g.impl()) : Ref<TensorImpl>();
}

Tensor Tensor::detach() const {
  return view_of(*this, offset(), shape(), strides());
}

std::string Tensor::str() const {
  if (!defined()) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << shape().str() << ", dtype=" << dtype_name(dtype());
  if (requires_grad()) os << ", requires_grad";
  os << ", values=[";
  const int64_t shown = std::min<int64_t>(numel(), 20);
  dispatch(dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; i < shown; ++i) os << (i ? ", " : "") << element_at<T>(*this, i);
  });
  if (shown < numel()) os << ", ...";
  os << "])";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << t.str();
}

int64_t normalize_axis(int64_t d, int64_t rank, const char* op) {
  const int64_t lo = rank == 0 ? -1 : -rank, hi = rank == 0 ? 0 : rank - 1;
  if (d < lo || d > hi)
    throw IndexError(std::string(op) + ": axis " + std::to_string(d) + " out of range for rank " +
                     std::to_string(rank) + " (valid: " + std::to_string(lo) + " to " +
                     std::to_string(hi) + ")");
  return d < 0 ? d + std::max<int64_t>(rank, 1) : d;
}

// --- creation ---

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t.data<T>();
    const T v = static_cast<T>(value);
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = v;
  });
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  std::memset(t.raw_data(), 0, static_cast<size_t>(t.numel()) * dtype_size(dtype));
  return t;
}
Tensor ones(const Shape& shape, DType dtype) {
  return full(shape, 1.0, dtype);
}
Tensor zeros_like(const Tensor& t) {
  return zeros(t.shape(), t.dtype());
}
Tensor ones_like(const Tensor& t) {
  return ones(t.shape(), t.dtype());
}
Tensor full_like(const Tensor& t, double value) {
  return full(t.shape(), value, t.dtype());
}
Tensor scalar_tensor(double value, DType dtype) {
  return full(Shape{}, value, dtype);
}

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0 || !std::isfinite(step) || !std::isfinite(start) || !std::isfinite(end))
    throw ValueError("arange: start, end and step must be finite and step non-zero");
  const double count = std::ceil((end - start) / step);
  if (count > 1e15) throw ValueError("arange: too many elements");
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  Tensor t = Tensor::empty(Shape{n}, dtype);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}
Tensor arange(int64_t n, DType dtype) {
  return arange(0.0, static_cast<double>(n), 1.0, dtype);
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  if (steps < 0)
    throw ValueError("linspace: steps must be non-negative, got " + std::to_string(steps));
  Tensor t = Tensor::empty(Shape{steps}, dtype);
  const double delta = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t.data<T>();
    // The second half counts back from `end` so that both endpoints are exact, as PyTorch does.
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < steps / 2 ? start + delta * static_cast<double>(i)
                                          : end - delta * static_cast<double>(steps - 1 - i));
  });
  return t;
}

namespace {
template <typename S>
Tensor from_values(std::span<const S> values, const Shape& shape, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  if (static_cast<int64_t>(values.size()) != t.numel())
    throw ShapeError("from_vector: " + std::to_string(values.size()) +
                     " values do not fill shape " + shape.str());
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
  });
  return t;
}
}  // namespace

Tensor from_vector(std::span<const double> values, const Shape& shape, DType dtype) {
  return from_values(values, shape, dtype);
}
Tensor from_vector(std::span<const int64_t> values, const Shape& shape) {
  return from_values(values, shape, DType::Int64);
}
Tensor from_vector(std::span<const float> values, const Shape& shape) {
  return from_values(values, shape, DType::Float32);
}

}  // namespace descent
