// The lecture's cosine loss: 1 − y·t / (‖y‖‖t‖), per row over the last dimension.
#include <fmt/core.h>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/losses.h"
#include "loss_common.h"

namespace descent::nn {

Tensor cosine_loss(const Tensor& y, const Tensor& t, const CosineLossOptions& options) {
  constexpr const char* kLoss = "cosine_loss";
  detail::require_floating(kLoss, "y", y);
  detail::require_floating(kLoss, "t", t);
  detail::require_same_shape(kLoss, y, t);
  if (y.dim() < 1)
    throw ShapeError(fmt::format("{}: y and t need at least one dimension (vectors), got {}", kLoss,
                                 detail::describe(y)));
  if (!(options.eps > 0.0))
    throw ValueError(fmt::format("{}: eps must be positive, got {}", kLoss, options.eps));

  const Tensor dot = sum(mul(y, t), {-1});
  const Tensor yy = sum(mul(y, y), {-1});  // ‖y‖²
  const Tensor tt = sum(mul(t, t), {-1});  // ‖t‖²
  // max(‖y‖‖t‖, eps) = sqrt(max(‖y‖²‖t‖², eps²)). Clamping before the sqrt keeps the gradient
  // finite for zero vectors: below eps² the clamp passes no gradient, so sqrt is never
  // differentiated at 0 (which would give ∞·0 = NaN); what remains is y·t/eps's gradient.
  const double eps2 = options.eps * options.eps;
  const Tensor denom = sqrt(clamp_min(mul(yy, tt), eps2));
  return detail::reduce(rsub(div(dot, denom), 1.0), options.reduction);
}

}  // namespace descent::nn
