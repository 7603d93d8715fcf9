#pragma once
// Elementwise kernels: plain loops over (possibly strided, possibly broadcast) tensors. They
// know nothing of autograd; the differentiable ops in autograd/ call them.
#include "descent/core/tensor.h"

namespace descent::kernels {

enum class Unary {
  Neg,
  Exp,
  Log,
  Sqrt,
  Abs,
  Tanh,
  Sigmoid,
  Relu,
  Sign,
  Reciprocal,
};

// x op scalar
enum class UnaryScalar {
  Add,            // x + s
  Mul,            // x * s
  Pow,            // x ^ s
  RSub,           // s - x
  LeakyRelu,      // x > 0 ? x : s·x
  LeakyReluGrad,  // x > 0 ? 1 : s   (the derivative of leaky_relu, as a tensor)
  ClampMin,       // max(x, s)
  ClampMax,       // min(x, s)
};

enum class Binary {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Maximum,
  Minimum,
  // Comparisons give 1 or 0 in the operands' dtype.
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  // Fused backward helpers: g·(1 − y²), g·y·(1 − y), g·[x > 0], for y = tanh, σ and x of relu.
  TanhGrad,
  SigmoidGrad,
  ReluGrad,
};

// Floating-only unaries throw DTypeError on int64.
Tensor unary(Unary op, const Tensor& x);
Tensor unary_scalar(UnaryScalar op, const Tensor& x, double s);
// a and b must have the same dtype (the caller promotes); shapes broadcast. `name` is the op
// that errors name (a shape or dtype mismatch), so that callers need not check shapes again.
Tensor binary(Binary op, const Tensor& a, const Tensor& b, const char* name = "binary op");
// a op= b with b broadcast to a's shape.
void binary_inplace(Binary op, const Tensor& a, const Tensor& b);
void unary_scalar_inplace(UnaryScalar op, const Tensor& x, double s);
// a += alpha · b, b broadcast to a.
void axpy_inplace(const Tensor& a, const Tensor& b, double alpha);
// cond ? a : b, cond nonzero meaning true; all three broadcast; a and b share a dtype.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// min(max(x, lo), hi)
Tensor clamp(const Tensor& x, double lo, double hi);
// 1 where lo <= x <= hi, else 0 (the clamp's pass-through mask).
Tensor in_range_mask(const Tensor& x, double lo, double hi);

// dst[...] = src[...] with src broadcast to dst's shape and converted to dst's dtype.
void copy(const Tensor& dst, const Tensor& src);
// A contiguous tensor with the same values (the input itself when already contiguous).
Tensor contiguous(const Tensor& x);
// A new contiguous tensor of the given dtype.
Tensor cast(const Tensor& x, DType dtype);
void fill(const Tensor& x, double value);

}  // namespace descent::kernels
