// The multiclass SVM losses of the lecture's linear-classifier demo: Weston–Watkins, One-vs-All
// and Crammer–Singer, on scores s [N, C] with labels y [N] and margin Δ.
#include <fmt/core.h>
#include <cmath>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/losses.h"
#include "loss_common.h"

namespace descent::nn {
namespace {

// max(0, z) or max(0, z)². relu passes no gradient at z = 0, so a term exactly at its kink is
// treated as satisfied (as PyTorch's multi_margin_loss and CS231n's `margin > 0` do).
Tensor hinge(const Tensor& z, bool squared) {
  const Tensor h = relu(z);
  return squared ? mul(h, h) : h;
}

}  // namespace

Tensor multiclass_hinge_loss(const Tensor& scores, const Tensor& target,
                             const MultiHingeOptions& options) {
  constexpr const char* kLoss = "multiclass_hinge_loss";
  if (!std::isfinite(options.margin))
    throw ValueError(fmt::format("{}: margin must be finite, got {}", kLoss, options.margin));
  const detail::ClassTargets ct = detail::check_class_targets(kLoss, scores, target);
  const double margin = options.margin;
  // onehot[i, j] = 1 where j = y_i: the mask that picks out (or leaves out) the true class.
  const Tensor onehot = one_hot(ct.labels, ct.classes, scores.dtype());
  const Tensor s_true = gather(scores, 1, ct.index);  // s_y, [N, 1]

  Tensor per;
  switch (options.variant) {
    case HingeVariant::WestonWatkins: {
      // Σ_{j≠y} max(0, s_j − s_y + Δ): every term, then the true class's (which is max(0, Δ))
      // masked out.
      const Tensor terms = hinge(add(sub(scores, s_true), margin), options.squared);
      per = sum(mul(terms, rsub(onehot, 1.0)), {1});
      break;
    }
    case HingeVariant::OneVsAll: {
      // Σ_j max(0, Δ − t_j s_j) with t_j = 2·onehot − 1 ∈ {+1, −1}.
      const Tensor sign = add(mul(onehot, 2.0), -1.0);
      per = sum(hinge(rsub(mul(sign, scores), margin), options.squared), {1});
      break;
    }
    case HingeVariant::CrammerSinger: {
      // max(0, Δ + max_{j≠y} s_j − s_y). The true class is replaced by −∞ before the max, so
      // it never wins (and with C = 1 the loss is max(0, −∞) = 0).
      const Tensor others = where(onehot, full_like(scores, -INFINITY), scores);
      const Tensor runner_up = max(others, {1}, true);  // [N, 1]
      per = squeeze(hinge(add(sub(runner_up, s_true), margin), options.squared), 1);
      break;
    }
  }
  return detail::reduce(per, options.reduction);
}

}  // namespace descent::nn
