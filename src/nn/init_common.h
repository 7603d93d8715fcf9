#pragma once
// Helpers shared by the initializers in src/nn/init*.cpp (private to the library).
#include <string>

#include "descent/autograd/grad_mode.h"
#include "descent/core/error.h"
#include "descent/core/tensor.h"

namespace descent::nn::detail {

// Throws unless `t` is a defined floating tensor; `op` names the initializer.
inline void require_floating_target(const Tensor& t, const char* op) {
  if (!t.defined()) throw ValueError(std::string(op) + ": tensor is undefined");
  if (!is_floating(t.dtype()))
    throw DTypeError(std::string(op) + ": expected a float32 or float64 tensor, got " +
                     std::string(dtype_name(t.dtype())) + " of shape " + t.shape().str());
}

// Writes `values` (same shape) into `target` without recording anything.
inline Tensor& overwrite(Tensor& target, const Tensor& values) {
  NoGradGuard no_grad;
  target.copy_(values);
  return target;
}

}  // namespace descent::nn::detail
