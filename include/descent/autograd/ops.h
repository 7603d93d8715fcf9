#pragma once
// Differentiable tensor operations. Each is either a primitive (one entry of the op table in
// op_table.h, with its backward rule beside its forward in src/autograd/ops_*.cpp) or a
// composite built from primitives, which needs no rule of its own.
//
// Binary operations broadcast as NumPy does and promote dtypes (int64 < float32 < float64).
// Comparisons are not differentiable and return 1/0 in the promoted dtype of their operands
// (descent has no bool dtype); `where` treats any nonzero condition as true.
#include <span>
#include <vector>

#include "descent/core/tensor.h"

namespace descent {

// --- elementwise, binary (broadcasting) ---
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& base, const Tensor& exponent);
// Elementwise max/min. On ties the gradient is split evenly between the two operands.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// --- with a scalar ---
Tensor add(const Tensor& a, double s);
Tensor mul(const Tensor& a, double s);
Tensor pow(const Tensor& base, double exponent);
Tensor rsub(const Tensor& a, double s);  // s - a

// --- elementwise, unary ---
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);  // gradient sign(x): 0 at 0
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);  // gradient 1 for x > 0, else 0
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
// Gradient passes where lo <= x <= hi (inclusive, as PyTorch).
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor clamp_min(const Tensor& x, double lo);
Tensor clamp_max(const Tensor& x, double hi);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor sign(const Tensor& x);  // not differentiable

// --- comparisons (not differentiable) ---
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// --- reductions. `dims` may be negative; an empty list reduces every axis. ---
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, std::vector<int64_t> dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, std::vector<int64_t> dims, bool keepdim = false);
// Maximum/minimum values. The gradient is shared evenly among tied maxima (like PyTorch's
// amax); over a single axis this routes all of it to the winner when there is one.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, std::vector<int64_t> dims, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, std::vector<int64_t> dims, bool keepdim = false);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
// Sums g over broadcast dimensions back to `shape` (the adjoint of expand).
Tensor sum_to(const Tensor& g, const Shape& shape);

// --- linear algebra ---
// NumPy matmul: 1-D operands are promoted to matrices and the added axis removed; batch
// dimensions broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

// A dense layer, y = x·Wᵀ + b over the last axis of x (W is [out, in] as in PyTorch; b may
// be undefined). One fused primitive: cheaper than transpose + matmul + add.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// --- shape ---
// Same elements in a new shape (one size may be -1). A view when the input is contiguous.
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor squeeze(const Tensor& x, int64_t dim);
// A view with size-1 dimensions repeated to `shape` (-1 keeps a size), no copy.
Tensor expand(const Tensor& x, const Shape& shape);
// Elements start, start+step, ... < end along dim (a view); start/end clamp as in Python.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
// The index-th entry along dim, removing that dim.
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor concat(const std::vector<Tensor>& parts, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& parts, int64_t dim = 0);
// A contiguous copy (or x itself if already contiguous).
Tensor contiguous(const Tensor& x);
Tensor clone(const Tensor& x);
Tensor to(const Tensor& x, DType dtype);
// Zeros of `shape` with x written into the slice (dim, start, step): the adjoint of slice.
Tensor embed_slice(const Tensor& x, const Shape& shape, int64_t dim, int64_t start, int64_t step);

// --- indexing (indices are int64) ---
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor index_add(const Tensor& base, int64_t dim, const Tensor& index, const Tensor& src);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& base, int64_t dim, const Tensor& index, const Tensor& src);
Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype = DType::Float32);

// --- softmax family ---
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor softmax(const Tensor& x, int64_t dim);
// log Σ exp(x) over dim, stable.
Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim = false);

// --- normalization ---
// Batch normalization with the batch's own statistics over axis 1 (channels) of x [N, C, *]:
// y = (x − μ_c)/√(σ²_c + eps)·weight_c + bias_c, μ and the biased σ² over all axes but 1.
// weight and bias are [C] in x's dtype, or undefined (1 and 0). One primitive: its gradient
// includes the dependence of μ and σ² on x, to any order. batch_mean and batch_var, when
// given, receive μ and σ² ([C], not recorded). nn::batch_norm builds the layer on it.
Tensor batch_normalize(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps,
                       Tensor* batch_mean = nullptr, Tensor* batch_var = nullptr);
// Layer normalization over the last `normalized_dims` axes of x: per leading index,
// y = (x − μ)/√(σ² + eps)·weight + bias with μ and the biased σ² over those axes; weight and
// bias have their sizes, in x's dtype, or are undefined. One primitive, differentiable to any
// order. nn::layer_norm builds on it.
Tensor layer_normalize(const Tensor& x, int64_t normalized_dims, const Tensor& weight,
                       const Tensor& bias, double eps);

// --- operators ---
inline Tensor operator+(const Tensor& a, const Tensor& b) {
  return add(a, b);
}
inline Tensor operator-(const Tensor& a, const Tensor& b) {
  return sub(a, b);
}
inline Tensor operator*(const Tensor& a, const Tensor& b) {
  return mul(a, b);
}
inline Tensor operator/(const Tensor& a, const Tensor& b) {
  return div(a, b);
}
inline Tensor operator-(const Tensor& a) {
  return neg(a);
}
inline Tensor operator+(const Tensor& a, double s) {
  return add(a, s);
}
inline Tensor operator+(double s, const Tensor& a) {
  return add(a, s);
}
inline Tensor operator-(const Tensor& a, double s) {
  return add(a, -s);
}
inline Tensor operator-(double s, const Tensor& a) {
  return rsub(a, s);
}
inline Tensor operator*(const Tensor& a, double s) {
  return mul(a, s);
}
inline Tensor operator*(double s, const Tensor& a) {
  return mul(a, s);
}
inline Tensor operator/(const Tensor& a, double s) {
  return mul(a, 1.0 / s);
}
inline Tensor operator/(double s, const Tensor& a) {
  return mul(pow(a, -1.0), s);
}

}  // namespace descent
