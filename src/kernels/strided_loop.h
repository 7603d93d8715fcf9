#pragma once
// Iteration over K operands that share one logical shape but have their own strides (in
// bytes). Dimensions of size 1 are dropped and adjacent dimensions that are contiguous in
// every operand are merged, so that most loops reach the innermost body as one long run.
#include <array>
#include <cstdint>

#include "descent/core/shape.h"
#include "descent/core/tensor.h"

namespace descent::kernels {

template <size_t K>
struct StridedLoop {
  Shape shape;                   // coalesced iteration shape, rank >= 1
  std::array<Shape, K> strides;  // byte strides of each operand, same rank as shape
  std::array<char*, K> base;     // address of each operand's first element

  int64_t numel() const { return shape.numel(); }

  // Calls inner(ptrs, n, inner_strides) over runs of the innermost dimension that together
  // cover the linear positions [begin, end) of the iteration shape.
  template <typename Inner>
  void run(int64_t begin, int64_t end, Inner&& inner) const {
    if (begin >= end) return;  // also covers empty shapes, whose sizes include a 0
    const size_t rank = shape.size();
    const int64_t inner_size = shape[rank - 1];
    std::array<int64_t, K> inner_strides;
    for (size_t k = 0; k < K; ++k) inner_strides[k] = strides[k][rank - 1];
    Shape index = Shape::filled(rank, 0);
    int64_t rest = begin;
    for (size_t d = rank; d-- > 0;) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    int64_t pos = begin;
    while (pos < end) {
      std::array<char*, K> ptrs = base;
      for (size_t k = 0; k < K; ++k)
        for (size_t d = 0; d < rank; ++d) ptrs[k] += index[d] * strides[k][d];
      const int64_t n = std::min(inner_size - index[rank - 1], end - pos);
      inner(ptrs, n, inner_strides);
      pos += n;
      index[rank - 1] += n;
      for (size_t d = rank - 1; d > 0 && index[d] == shape[d]; --d) {
        index[d] = 0;
        ++index[d - 1];
      }
    }
  }
};

// Builds the loop for operands viewed with element strides `elem_strides` over `shape`.
template <size_t K>
StridedLoop<K> make_loop(const Shape& shape, std::array<char*, K> base,
                         const std::array<Shape, K>& elem_strides,
                         const std::array<size_t, K>& elem_sizes) {
  StridedLoop<K> loop;
  loop.base = base;
  // Keep dimensions of size != 1, innermost last.
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    const bool merge = !loop.shape.empty() && [&] {
      for (size_t k = 0; k < K; ++k)
        if (loop.strides[k].back() !=
            elem_strides[k][d] * static_cast<int64_t>(elem_sizes[k]) * shape[d])
          return false;
      return true;
    }();
    if (merge) {
      loop.shape[loop.shape.size() - 1] *= shape[d];
      for (size_t k = 0; k < K; ++k)
        loop.strides[k][loop.strides[k].size() - 1] =
            elem_strides[k][d] * static_cast<int64_t>(elem_sizes[k]);
    } else {
      loop.shape.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k)
        loop.strides[k].push_back(elem_strides[k][d] * static_cast<int64_t>(elem_sizes[k]));
    }
  }
  if (loop.shape.empty()) {
    loop.shape.push_back(shape.numel() == 0 ? 0 : 1);
    for (size_t k = 0; k < K; ++k) loop.strides[k].push_back(0);
  }
  return loop;
}

}  // namespace descent::kernels
