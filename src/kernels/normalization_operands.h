#pragma once
// Operand plumbing shared by the normalization kernels (batch_norm.cpp, layer_norm.cpp): their
// optional parameters, the gradient's check and the gradients' allocation.
#include <string>

#include "descent/core/error.h"
#include "descent/core/tensor.h"
#include "descent/kernels/elementwise.h"

namespace descent::kernels {

// A row-major copy of t (t itself when it is one already), or undefined for an undefined t.
inline Tensor contiguous_or_none(const Tensor& t) {
  return t.defined() ? contiguous(t) : Tensor();
}

// The elements of a contiguous t, or nullptr for an undefined one (γ = 1, β = 0).
template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// g must be a gradient of x: the same shape and dtype.
inline void check_gradient(const Tensor& g, const Tensor& x, const char* op) {
  if (!g.defined() || !(g.shape() == x.shape()) || g.dtype() != x.dtype())
    throw ShapeError(std::string(op) + ": gradient of shape " +
                     (g.defined() ? g.shape().str() : std::string("(undefined)")) +
                     " does not match input " + x.shape().str());
}

// The gradients asked for: dx like x, dweight and dbias of the parameters' shape.
template <typename Grads>
Grads allocate_grads(const Tensor& x, const Shape& params, bool need_dx, bool need_dweight,
                     bool need_dbias) {
  Grads out;
  if (need_dx) out.dx = Tensor::empty(x.shape(), x.dtype());
  if (need_dweight) out.dweight = Tensor::empty(params, x.dtype());
  if (need_dbias) out.dbias = Tensor::empty(params, x.dtype());
  return out;
}

}  // namespace descent::kernels
