#pragma once
// Indexing kernels. Every index is bounds-checked: an index outside its dimension throws
// IndexError naming the op, the offending value and the dimension size.
#include <span>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::kernels {

// out = x.index_select(dim, idx): idx is a 1-D int64 tensor; out.shape[dim] = idx.numel().
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& idx);
// out = base with out.index_select(dim, idx) += src (duplicates accumulate). base is not
// modified; src.shape equals base.shape except src.shape[dim] == idx.numel().
Tensor index_add(const Tensor& base, int64_t dim, const Tensor& idx, const Tensor& src);
// out[i][j][k] = x[i][idx[i][j][k]][k] (for dim = 1): idx has x's rank and, in every
// dimension but `dim`, a size no larger than x's; out has idx's shape.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& idx);
// out = base, then out[i][idx[i][j][k]][k] += src[i][j][k] (for dim = 1); idx and src have
// the same shape, no larger than base in dimensions other than `dim`.
Tensor scatter_add(const Tensor& base, int64_t dim, const Tensor& idx, const Tensor& src);
// scatter_add onto zeros of `shape` (src's dtype), without a base to copy: gather's gradient.
Tensor scatter_add_to_zeros(const Shape& shape, int64_t dim, const Tensor& idx, const Tensor& src);
// int64 labels of any shape -> float of shape [..., num_classes] with 1 at the label.
Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype);
// Concatenation along `dim` (all other sizes equal, one dtype).
Tensor concat(std::span<const Tensor> parts, int64_t dim);
// A zero tensor of `shape` with src written into the strided slice [start : start + step·len)
// along `dim` (the adjoint of slicing).
Tensor embed_slice(const Tensor& src, const Shape& shape, int64_t dim, int64_t start, int64_t step);

}  // namespace descent::kernels
