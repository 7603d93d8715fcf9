// trunc_normal_ (nn/init.h) by the inverse-CDF method, with our own Φ⁻¹.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include "descent/nn/init.h"
#include "init_common.h"

namespace descent::nn {
namespace {

// Φ(z) = ½·erfc(−z/√2): accurate in the left tail, where the sampler works.
double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// Φ⁻¹(p) for p in (0, 1): P. J. Acklam's rational approximation (relative error < 1.2e−9)
// refined by one Halley step on Φ(x) − p, which brings it to float64 accuracy.
double normal_icdf(double p) {
  if (p <= 0.0) return -std::numeric_limits<double>::infinity();
  if (p >= 1.0) return std::numeric_limits<double>::infinity();
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double p_low = 0.02425;
  auto tail = [&](double q) {  // for q = √(−2·log p) of the smaller tail probability
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  double x;
  if (p < p_low) {
    x = tail(std::sqrt(-2.0 * std::log(p)));
  } else if (p <= 1.0 - p_low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    x = -tail(std::sqrt(-2.0 * std::log1p(-p)));
  }
  // Halley: with e = Φ(x) − p and u = e/φ(x), x ← x − u/(1 + x·u/2).
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

}  // namespace

Tensor& trunc_normal_(Tensor& tensor, double mean, double std, double a, double b, Generator& gen) {
  detail::require_floating_target(tensor, "trunc_normal_");
  if (!(std > 0.0) || !std::isfinite(std) || !std::isfinite(mean))
    throw ValueError("trunc_normal_: need a finite mean and std > 0, got mean=" +
                     std::to_string(mean) + ", std=" + std::to_string(std));
  if (!(a < b))
    throw ValueError("trunc_normal_: need a < b, got a=" + std::to_string(a) +
                     ", b=" + std::to_string(b));
  // Standardized bounds; an interval right of 0 is mirrored to the left, where Φ(z) is small
  // and keeps its digits (1 − Φ(z) for large z would not).
  const double alpha = (a - mean) / std, beta = (b - mean) / std;
  const bool mirror = alpha > 0.0;
  const double lo = normal_cdf(mirror ? -beta : alpha);
  const double hi = normal_cdf(mirror ? -alpha : beta);
  std::vector<double> values(static_cast<size_t>(tensor.numel()));
  for (double& v : values) {
    // uniform() is k/2⁵³; the half step keeps u inside (0, 1) so Φ⁻¹ stays finite.
    const double u = gen.uniform() + 0x1p-54;
    const double z = normal_icdf(lo + (hi - lo) * u);
    // Rounding (and Φ underflow far in a tail) can land a hair outside; clamp as PyTorch does.
    v = std::clamp(mean + std * (mirror ? -z : z), a, b);
  }
  return detail::overwrite(tensor, from_vector(values, tensor.shape(), tensor.dtype()));
}

}  // namespace descent::nn
