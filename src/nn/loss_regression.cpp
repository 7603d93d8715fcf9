// Regression losses: squared error, absolute error and Huber. Elementwise on inputs and targets
// of one shape; the mean is over all elements.
#include <fmt/core.h>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/losses.h"
#include "loss_common.h"

namespace descent::nn {
namespace {

// d = x − t, after checking dtypes and shapes.
Tensor difference(const char* loss, const Tensor& input, const Tensor& target) {
  detail::require_floating(loss, "input", input);
  detail::require_floating(loss, "target", target);
  detail::require_same_shape(loss, input, target);
  return sub(input, target);
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const RegressionOptions& options) {
  const Tensor d = difference("mse_loss", input, target);
  return detail::reduce(mul(d, d), options.reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const RegressionOptions& options) {
  return detail::reduce(abs(difference("l1_loss", input, target)), options.reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberOptions& options) {
  constexpr const char* kLoss = "huber_loss";
  if (!(options.delta > 0.0))
    throw ValueError(fmt::format("{}: delta must be positive, got {}", kLoss, options.delta));
  const Tensor d = difference(kLoss, input, target);
  const Tensor a = abs(d);
  const double delta = options.delta;
  // Both branches are finite everywhere, so `where` passes no NaN into the gradient.
  const Tensor quadratic = mul(mul(d, d), 0.5);            // ½d²
  const Tensor linear = mul(add(a, -0.5 * delta), delta);  // δ(|d| − ½δ)
  const Tensor inside = lt(a, scalar_tensor(delta, a.dtype()));
  return detail::reduce(where(inside, quadratic, linear), options.reduction);
}

}  // namespace descent::nn
