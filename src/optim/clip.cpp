// Gradient clipping by global norm and by value.
#include "descent/optim/clip.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::optim {

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm,
                      const ClipGradNormOptions& options) {
  const double p = options.norm_type;
  if (!(p > 0.0)) {
    throw ValueError(fmt::format("clip_grad_norm: norm_type must be > 0 or inf, got {}", p));
  }
  if (std::isnan(max_norm)) throw ValueError("clip_grad_norm: max_norm is NaN");
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& t : params) {
    if (t.defined() && t.grad().defined()) grads.push_back(t.grad());
  }
  if (grads.empty()) return 0.0;

  // Accumulate Σ‖g_i‖_p^p (or the max of |g|) in float64 so float32 gradients with many
  // elements lose no precision in the sum.
  double total = 0.0;
  for (const Tensor& g : grads) {
    const Tensor a = abs(to(g, DType::Float64));
    if (std::isinf(p)) {
      const double m = g.numel() > 0 ? max(a).item() : 0.0;
      total = (std::isnan(m) || std::isnan(total)) ? std::nan("") : std::fmax(total, m);
    } else {
      total += p == 2.0 ? sum(mul(a, a)).item() : sum(pow(a, p)).item();
    }
  }
  if (!std::isinf(p)) total = p == 2.0 ? std::sqrt(total) : std::pow(total, 1.0 / p);

  if (options.error_if_nonfinite && !std::isfinite(total)) {
    throw ValueError(fmt::format(
        "clip_grad_norm: the total norm of order {} of the gradients is non-finite ({}), so it "
        "cannot be clipped; pass error_if_nonfinite = false to scale by it anyway",
        p, total));
  }
  const double coef = std::fmin(max_norm / (total + 1e-6), 1.0);
  // fmin(NaN, 1) is 1; PyTorch's clamp keeps NaN.
  const double clamped = std::isnan(total) ? total : coef;
  for (Tensor& g : grads) g.mul_(clamped);
  return total;
}

void clip_grad_value(const std::vector<Tensor>& params, double clip_value) {
  if (!(clip_value >= 0.0)) {
    throw ValueError(fmt::format("clip_grad_value: clip_value must be >= 0, got {}", clip_value));
  }
  NoGradGuard no_grad;
  for (const Tensor& t : params) {
    if (!t.defined() || !t.grad().defined()) continue;
    Tensor g = t.grad();
    g.copy_(clamp(g, -clip_value, clip_value));
  }
}

}  // namespace descent::optim
