// gelu and softplus as composites (nn/functional.h).
#include <cmath>
#include <numbers>
#include <string>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/functional.h"

namespace descent::nn {
namespace {

void require_floating_input(const Tensor& x, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": input is undefined");
  if (!is_floating(x.dtype()))
    throw DTypeError(std::string(op) + ": expected a floating tensor, got " +
                     std::string(dtype_name(x.dtype())) + " of shape " + x.shape().str());
}

// log(1 + u) for u in [0, 1] without a log1p primitive. Below 1e−5 the series
// u − u²/2 + u³/3 is used: its truncation error u⁴/4 is under 2.5e−16·u, while log(1 + u) would
// lose the low digits of u to the rounding of 1 + u.
Tensor log1p_of_unit_interval(const Tensor& u) {
  const Tensor tiny = lt(u, scalar_tensor(1e-5, u.dtype()));
  const Tensor series = u * rsub(u * rsub(u * (1.0 / 3.0), 0.5), 1.0);
  return where(tiny, series, log(u + 1.0));
}

}  // namespace

Tensor gelu(const Tensor& x, GeluApproximate approximate) {
  require_floating_input(x, "gelu");
  if (approximate == GeluApproximate::Tanh) {
    // ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const double k = std::sqrt(2.0 / std::numbers::pi);
    const Tensor inner = (x + pow(x, 3.0) * 0.044715) * k;
    return x * (tanh(inner) + 1.0) * 0.5;
  }
  // x·Φ(x) with Φ(x) = ½·erfc(−x/√2): erfc keeps Φ's relative accuracy in the left tail,
  // where ½·(1 + erf(x/√2)) would cancel to 0.
  return x * erfc(x * (-1.0 / std::numbers::sqrt2)) * 0.5;
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  require_floating_input(x, "softplus");
  if (!(beta > 0.0) || !std::isfinite(beta))
    throw ValueError("softplus: beta must be positive and finite, got " + std::to_string(beta));
  const Tensor z = beta == 1.0 ? x : x * beta;
  // Each branch reads z clamped to its own side, so the other side's e^{·} cannot overflow
  // and `where` routes a finite zero gradient into it.
  const Tensor z_pos = clamp_min(z, 0.0);
  const Tensor z_neg = clamp_max(z, 0.0);
  const Tensor positive = z_pos + log1p_of_unit_interval(exp(-z_pos));
  const Tensor negative = log1p_of_unit_interval(exp(z_neg));
  const Tensor zero = scalar_tensor(0.0, x.dtype());
  Tensor soft = where(gt(z, zero), positive, negative);
  if (beta != 1.0) soft = soft * (1.0 / beta);
  return where(gt(z, scalar_tensor(threshold, x.dtype())), x, soft);
}

}  // namespace descent::nn
