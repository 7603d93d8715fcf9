#pragma once
// Internal helpers of the optimizers' step(): contiguous gradients, compile-time option flags,
// and the parallel elementwise loop every update kernel runs in.
//
// Every update kernel is one fused pass: a single loop reads the parameter, the gradient and the
// state buffers once and writes the parameter and the states once, split over the thread pool
// for large tensors. The element math sits in a function whose array arguments are __restrict
// and whose scalars are passed by value, so the compiler knows the stores cannot change them
// and vectorizes the loop.
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/core/tensor.h"
#include "descent/kernels/parallel.h"

namespace descent::optim::detail {

// Optimizer updates stream several arrays (param, grad, 2-3 states) and do a few flops per
// element; below this many elements per piece, handing a piece to a worker costs more than it
// saves. Updates follow the backward pass, whose products leave the workers awake.
constexpr int64_t kUpdateGrain = 16384;

// Runs body(begin, end) over [0, n), split across threads for large n. Every element is
// independent, so the result does not depend on the split.
template <typename Body>
void update_loop(int64_t n, Body&& body) {
  if (n <= kUpdateGrain) {
    body(int64_t{0}, n);
    return;
  }
  kernels::parallel_for(n, kUpdateGrain, body);
}

// The gradient as a contiguous tensor of the parameter's dtype and shape.
inline Tensor dense_grad(const Tensor& param, const Tensor& grad, const std::string& optimizer) {
  if (grad.dtype() != param.dtype()) {
    throw DTypeError(optimizer + ": gradient dtype " + std::string(dtype_name(grad.dtype())) +
                     " differs from the parameter's " + std::string(dtype_name(param.dtype())));
  }
  if (grad.shape() != param.shape()) {
    throw ShapeError(optimizer + ": gradient shape " + grad.shape().str() +
                     " differs from the parameter's " + param.shape().str());
  }
  return grad.is_contiguous() ? grad : contiguous(grad);
}

// Calls f(std::bool_constant<flags>...): run-time option flags become compile-time constants,
// so each combination gets its own branch-free loop, which the compiler vectorizes (a flag
// tested inside the loop, e.g. amsgrad's extra store, keeps the loop scalar).
template <typename F>
void with_static_flags(F&& f) {
  f();
}
template <typename F, typename... Bools>
void with_static_flags(F&& f, bool flag, Bools... rest) {
  with_static_flags(
      [&](auto... tail) {
        if (flag)
          f(std::true_type{}, tail...);
        else
          f(std::false_type{}, tail...);
      },
      rest...);
}

// A zero-filled state tensor shaped like the parameter.
inline Tensor zeros_state(const Tensor& param) {
  return zeros(param.shape(), param.dtype());
}

// Adam's two moment estimates, updated in place in PyTorch's operation order:
// m ← β1·m + (1 − β1)·g and v ← β2·v + (1 − β2)·g². Shared by Adam/AdamW, NAdam and RAdam.
template <typename T>
struct AdamMoments {
  AdamMoments(double beta1, double beta2)
      : b1(static_cast<T>(beta1)),
        one_minus_b1(static_cast<T>(1.0 - beta1)),
        b2(static_cast<T>(beta2)),
        one_minus_b2(static_cast<T>(1.0 - beta2)) {}
  void update(T& m, T& v, T g) const {
    m = m * b1 + one_minus_b1 * g;
    v = v * b2 + one_minus_b2 * g * g;
  }
  T b1, one_minus_b1, b2, one_minus_b2;
};

// Elementwise maximum propagating NaN, as torch.maximum.
template <typename T>
inline T nan_max(T a, T b) {
  return (a != a || b != b) ? a + b : (a < b ? b : a);
}

}  // namespace descent::optim::detail
