#pragma once
// Shared plumbing for the op implementations: dtype promotion and recording.
#include <string>
#include <utility>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/node.h"
#include "descent/autograd/ops.h"
#include "op_defs.h"

namespace descent::autograd {

inline void require_defined(const Tensor& t, const char* op, const char* what = "input") {
  if (!t.defined()) throw ValueError(std::string(op) + ": " + what + " is undefined");
}

// Both operands converted (differentiably) to their common dtype.
inline std::pair<Tensor, Tensor> promoted(const Tensor& a, const Tensor& b, const char* op) {
  require_defined(a, op, "first operand");
  require_defined(b, op, "second operand");
  const DType t = promote(a.dtype(), b.dtype());
  return {a.dtype() == t ? a : to(a, t), b.dtype() == t ? b : to(b, t)};
}

inline void require_floating(const Tensor& t, const char* op) {
  require_defined(t, op);
  if (!is_floating(t.dtype()))
    throw DTypeError(std::string(op) + ": expected a floating tensor (float32 or float64), got " +
                     std::string(dtype_name(t.dtype())) + " of shape " + t.shape().str());
}

// The scalar-zero used to mask gradients.
inline Tensor zero_like_scalar(const Tensor& t) {
  return scalar_tensor(0.0, t.dtype());
}

}  // namespace descent::autograd
