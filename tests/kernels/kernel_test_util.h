#pragma once
// Reference-loop helpers shared by the kernel tests: element access through strides and
// row-major iteration over multi-indices, written plainly so that they can be trusted.
#include <functional>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::kernels::test_util {

using Index = std::vector<int64_t>;

// Element of t at a multi-index, through its strides, as double.
inline double get(const Tensor& t, const Index& idx) {
  int64_t off = t.offset();
  for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides()[d];
  return dispatch(t.dtype(), [&](auto z) {
    using T = decltype(z);
    return static_cast<double>(static_cast<const T*>(t.storage()->data())[off]);
  });
}

// A view of t with axes a and b swapped (a non-contiguous layout over the same storage).
inline Tensor transposed(const Tensor& t, size_t a, size_t b) {
  Shape shape = t.shape(), strides = t.strides();
  std::swap(shape[a], shape[b]);
  std::swap(strides[a], strides[b]);
  return Tensor::view_of(t, t.offset(), shape, strides);
}

// Calls f on every multi-index of `shape` in row-major order.
inline void for_each_index(const Shape& shape, const std::function<void(const Index&)>& f) {
  if (shape.numel() == 0) return;
  Index idx(shape.size(), 0);
  for (;;) {
    f(idx);
    size_t d = shape.size();
    for (;;) {
      if (d == 0) return;
      --d;
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace descent::kernels::test_util
