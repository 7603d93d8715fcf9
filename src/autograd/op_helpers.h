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

// Both operands converted (differentiably) to their common dtype. The usual case needs no
// conversion, and then the operands are referred to, not copied: a copy of a Tensor handle is
// two atomic reference-count updates, paid on every binary op otherwise.
class Promoted {
 public:
  Promoted(const Tensor& a, const Tensor& b, const char* op) : a_(&a), b_(&b) {
    require_defined(a, op, "first operand");
    require_defined(b, op, "second operand");
    const DType t = promote(a.dtype(), b.dtype());
    if (a.dtype() != t) a_ = &(a_converted_ = to(a, t));
    if (b.dtype() != t) b_ = &(b_converted_ = to(b, t));
  }
  // Points into itself: neither copied nor moved.
  Promoted(const Promoted&) = delete;
  Promoted& operator=(const Promoted&) = delete;

  const Tensor& first() const { return *a_; }
  const Tensor& second() const { return *b_; }

 private:
  Tensor a_converted_, b_converted_;
  const Tensor* a_;
  const Tensor* b_;
};

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
