// In-place updates on Tensor. They are not recorded: the graph never sees them. Updating a
// tensor that requires gradients is therefore allowed only with grad mode off (optimizer
// steps run under NoGradGuard), and the storage version bump lets the engine detect a saved
// tensor that was overwritten before its backward pass.
#include <string>

#include "descent/autograd/grad_mode.h"
#include "descent/kernels/elementwise.h"

namespace descent {
namespace {

void check_writable(const Tensor& t, const char* op) {
  if (!t.defined()) throw ValueError(std::string(op) + ": tensor is undefined");
  if (t.requires_grad() && GradMode::is_enabled())
    throw AutogradError(std::string(op) + ": in-place update of a tensor of shape " +
                        t.shape().str() + " that requires grad; run it under NoGradGuard");
  for (size_t i = 0; i < t.shape().size(); ++i)
    if (t.strides()[i] == 0 && t.shape()[i] > 1)
      throw ValueError(std::string(op) + ": destination of shape " + t.shape().str() +
                       " is an expanded view whose elements overlap; clone it first");
}

Tensor same_dtype(const Tensor& src, const Tensor& like, const char* op) {
  if (!src.defined()) throw ValueError(std::string(op) + ": operand is undefined");
  return src.dtype() == like.dtype() ? src : kernels::cast(src, like.dtype());
}

}  // namespace

Tensor& Tensor::zero_() {
  return fill_(0.0);
}

Tensor& Tensor::fill_(double value) {
  check_writable(*this, "fill_");
  kernels::fill(*this, value);
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_writable(*this, "copy_");
  if (!src.defined()) throw ValueError("copy_: source is undefined");
  kernels::copy(*this, src);
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_writable(*this, "add_");
  kernels::axpy_inplace(*this, same_dtype(other, *this, "add_"), alpha);
  return *this;
}

Tensor& Tensor::mul_(const Tensor& other) {
  check_writable(*this, "mul_");
  kernels::binary_inplace(kernels::Binary::Mul, *this, same_dtype(other, *this, "mul_"));
  return *this;
}

Tensor& Tensor::mul_(double value) {
  check_writable(*this, "mul_");
  kernels::unary_scalar_inplace(kernels::UnaryScalar::Mul, *this, value);
  return *this;
}

}  // namespace descent
