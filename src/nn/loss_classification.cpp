// Probabilistic classification losses: softmax cross-entropy, negative log-likelihood and
// binary cross-entropy with logits. All are composites of primitives (log_softmax, gather,
// logsumexp, ...), so their gradients of every order come from the primitives' rules.
#include <fmt/core.h>

#include "descent/autograd/ops.h"
#include "descent/core/broadcast.h"
#include "descent/core/error.h"
#include "descent/nn/losses.h"
#include "loss_common.h"

namespace descent::nn {
namespace {

// Losses of log-probabilities [N, C] at class-index targets:
//   nll_i    = −w[y_i]·logp[i, y_i]
//   smooth_i = −Σ_c w[c]·logp[i, c] / C                 (only when ε > 0)
//   ℓ_i      = (1 − ε)·nll_i + ε·smooth_i
// Ignored examples get w_i = 0 in both terms. The mean divides by Σ_i w[y_i] whenever weights or
// ignored examples are present (PyTorch's rule), else by N.
Tensor class_index_loss(const char* loss, const Tensor& logp, const Tensor& target,
                        const Tensor& weight, std::optional<int64_t> ignore_index, double smoothing,
                        Reduction reduction) {
  const detail::ClassTargets ct = detail::check_class_targets(loss, logp, target, ignore_index);
  const Tensor w =
      weight.defined() ? detail::class_weights(loss, weight, ct.classes, logp.dtype()) : Tensor();

  // w_i = w[y_i]·valid_i; undefined means "all ones".
  Tensor wi;
  if (w.defined()) wi = index_select(w, 0, ct.labels);
  if (ct.valid.defined()) wi = wi.defined() ? mul(wi, ct.valid) : ct.valid;

  const Tensor picked = squeeze(gather(logp, 1, ct.index), 1);  // logp[i, y_i], [N]
  Tensor per = neg(wi.defined() ? mul(wi, picked) : picked);
  if (smoothing > 0.0) {
    const Tensor weighted = w.defined() ? mul(logp, w) : logp;  // w broadcasts over rows
    Tensor smooth = mul(sum(weighted, {1}), -1.0 / static_cast<double>(ct.classes));
    if (ct.valid.defined()) smooth = mul(smooth, ct.valid);
    per = add(mul(per, 1.0 - smoothing), mul(smooth, smoothing));
  }
  if (reduction == Reduction::Mean && wi.defined()) return div(sum(per), sum(wi));
  return detail::reduce(per, reduction);
}

// ℓ_i = −Σ_c w[c]·t'_ic·logp_ic with t' = (1 − ε)·t + ε/C; the mean is over N.
Tensor probability_loss(const char* loss, const Tensor& logp, const Tensor& target,
                        const CrossEntropyOptions& o) {
  detail::require_same_shape(loss, logp, target);
  if (o.ignore_index)
    throw ValueError(
        fmt::format("{}: ignore_index applies to class-index targets, not to probabilities {}",
                    loss, detail::describe(target)));
  const int64_t classes = logp.size(1);
  Tensor t = to(target, logp.dtype());
  if (o.label_smoothing > 0.0)
    t = add(mul(t, 1.0 - o.label_smoothing), o.label_smoothing / static_cast<double>(classes));
  Tensor prod = mul(logp, t);
  if (o.weight.defined())
    prod = mul(prod, detail::class_weights(loss, o.weight, classes, logp.dtype()));
  return detail::reduce(neg(sum(prod, {1})), o.reduction);
}

// softplus(z) = log(1 + eᶻ) = logsumexp(0, z): no overflow for large z, no loss of the
// gradient σ(z) at z = 0 (an |z|-based formula would get 0 there from abs's rule).
Tensor softplus(const Tensor& z) {
  return logsumexp(stack({zeros_like(z), z}, -1), -1);
}

void require_broadcasts_to(const char* loss, const char* what, const Tensor& t,
                           const Tensor& input) {
  if (!t.defined()) return;
  detail::require_floating(loss, what, t);
  bool ok = false;
  try {
    ok = broadcast_shapes(t.shape(), input.shape(), loss) == input.shape();
  } catch (const ShapeError&) {
    ok = false;
  }
  if (!ok)
    throw ShapeError(fmt::format("{}: {} {} does not broadcast to the input's shape {}", loss, what,
                                 detail::describe(t), input.shape().str()));
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     const CrossEntropyOptions& options) {
  constexpr const char* kLoss = "cross_entropy";
  detail::require_floating(kLoss, "logits", logits);
  if (logits.dim() != 2)
    throw ShapeError(
        fmt::format("{}: logits must be [N, C], got {}", kLoss, detail::describe(logits)));
  if (!(options.label_smoothing >= 0.0 && options.label_smoothing <= 1.0))
    throw ValueError(fmt::format("{}: label_smoothing must be in [0, 1], got {}", kLoss,
                                 options.label_smoothing));
  if (!target.defined()) throw ValueError(fmt::format("{}: target is undefined", kLoss));
  const Tensor logp = log_softmax(logits, 1);
  if (is_floating(target.dtype())) return probability_loss(kLoss, logp, target, options);
  return class_index_loss(kLoss, logp, target, options.weight, options.ignore_index,
                          options.label_smoothing, options.reduction);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NllOptions& options) {
  return class_index_loss("nll_loss", log_probs, target, options.weight, options.ignore_index, 0.0,
                          options.reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const BceWithLogitsOptions& options) {
  constexpr const char* kLoss = "binary_cross_entropy_with_logits";
  detail::require_floating(kLoss, "logits", logits);
  detail::require_floating(kLoss, "target", target);
  detail::require_same_shape(kLoss, logits, target);
  require_broadcasts_to(kLoss, "weight", options.weight, logits);
  require_broadcasts_to(kLoss, "pos_weight", options.pos_weight, logits);

  const Tensor t = to(target, logits.dtype());
  const Tensor sp = softplus(neg(logits));  // −log σ(x)
  // ℓ = (1 − t)·x + (1 + (p − 1)·t)·softplus(−x); with p = 1 the factor is 1.
  Tensor per = mul(rsub(t, 1.0), logits);
  if (options.pos_weight.defined()) {
    const Tensor p = to(options.pos_weight, logits.dtype());
    per = add(per, mul(add(mul(add(p, -1.0), t), 1.0), sp));
  } else {
    per = add(per, sp);
  }
  if (options.weight.defined()) per = mul(per, to(options.weight, logits.dtype()));
  return detail::reduce(per, options.reduction);
}

}  // namespace descent::nn
