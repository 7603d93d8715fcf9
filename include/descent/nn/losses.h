#pragma once
// Loss functions, in functional form (`nn::cross_entropy(logits, target, {...})`) and as thin
// module structs holding their options (`nn::CrossEntropyLoss{{.label_smoothing = 0.1}}`).
//
// Every loss is a composite of differentiable primitives (see autograd/ops.h), so it has no
// backward rule of its own and can be differentiated to any order (gradgradcheck-tested).
// Semantics and option names follow PyTorch's torch.nn.functional unless stated otherwise;
// tests/data/nn/losses.json holds PyTorch 1.13's values and gradients for comparison
// (made by tools/make_loss_fixtures.py).
//
// Shapes: N examples, C classes. A loss first computes one value per example (or per element)
// and then applies its Reduction:
//   None — the unreduced losses,   Sum — their sum,   Mean — their mean (weighted where noted).
// Wrong shapes, dtypes or labels throw descent::ShapeError / DTypeError / IndexError /
// ValueError whose message names the loss and the shapes involved.
#include <cstdint>
#include <optional>

#include "descent/core/tensor.h"

namespace descent::nn {

enum class Reduction { None, Mean, Sum };

// ---------------------------------------------------------------------------------------------
// Classification with class indices
// ---------------------------------------------------------------------------------------------

struct CrossEntropyOptions {
  Reduction reduction = Reduction::Mean;
  // ε in [0, 1]: the target becomes (1 − ε)·onehot(y) + ε/C (uniform over all C classes).
  double label_smoothing = 0.0;
  // Optional class weights w, float [C]. With class-index targets the weighted mean is
  // Σ_i ℓ_i / Σ_i w[y_i] (PyTorch's rule, also with label smoothing).
  Tensor weight = {};
  // Examples whose label equals this are skipped: they contribute 0 and are left out of the
  // mean's denominator. None by default (PyTorch's default is −100).
  std::optional<int64_t> ignore_index = std::nullopt;
};

// Softmax cross-entropy from logits [N, C], computed through log_softmax (stable for any
// logits). `target` is either int64 class indices [N] in [0, C), for which
//   ℓ_i = (1 − ε)·(−w[y_i]·log p_i[y_i]) + ε·(−Σ_c w[c]·log p_i[c] / C),   p_i = softmax(x_i),
// or float class probabilities [N, C] (the same shape as the logits), for which
//   ℓ_i = −Σ_c w[c]·t'_ic·log p_ic  with  t' = (1 − ε)·t + ε/C,
// whose mean divides by N (not by the weights), as in PyTorch. w defaults to all ones.
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     const CrossEntropyOptions& options = {});

struct NllOptions {
  Reduction reduction = Reduction::Mean;
  Tensor weight = {};  // float [C]; the mean is Σ_i ℓ_i / Σ_i w[y_i]
  std::optional<int64_t> ignore_index = std::nullopt;
};

// Negative log-likelihood of log-probabilities [N, C] (e.g. from log_softmax) at int64 labels
// [N]:  ℓ_i = −w[y_i]·logp[i, y_i].
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const NllOptions& options = {});

struct BceWithLogitsOptions {
  Reduction reduction = Reduction::Mean;
  // Per-element rescaling, broadcast to the input's shape.
  Tensor weight = {};
  // Weight of the positive term, broadcast to the input's shape (usually [C], one per class).
  Tensor pos_weight = {};
};

// Binary cross-entropy of logits x against float targets t in [0, 1] of the same shape:
//   ℓ = −w·[p·t·log σ(x) + (1 − t)·log(1 − σ(x))] = w·[(1 − t)·x + (1 + (p − 1)·t)·softplus(−x)]
// with p the pos_weight. softplus(z) = log(1 + eᶻ) is computed as logsumexp(0, z), which is
// stable for any z and has the exact gradient σ(z) everywhere, also at z = 0.
// The mean is over all elements.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const BceWithLogitsOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Multiclass SVM (hinge) losses on scores [N, C] with int64 labels [N]
// ---------------------------------------------------------------------------------------------

enum class HingeVariant {
  // Weston & Watkins (1999), the lecture's loss and CS231n's "multiclass SVM":
  //   ℓ_i = Σ_{j≠y} max(0, s_j − s_y + Δ).
  // (PyTorch's multi_margin_loss is this divided by C.)
  WestonWatkins,
  // One-vs-All: C binary hinge losses, the true class as the positive one:
  //   ℓ_i = Σ_j max(0, Δ − t_j·s_j),  t_j = +1 for j = y and −1 otherwise.
  OneVsAll,
  // Crammer & Singer (2001), the structured SVM: only the most violating class counts:
  //   ℓ_i = max(0, Δ + max_{j≠y} s_j − s_y).
  CrammerSinger,
};

struct MultiHingeOptions {
  HingeVariant variant = HingeVariant::WestonWatkins;
  double margin = 1.0;  // Δ
  // Square each hinge term, max(0, ·)², the "L2-SVM"; for Crammer–Singer the one term.
  bool squared = false;
  Reduction reduction = Reduction::Mean;  // the mean is over examples
};

// Each hinge max(0, z) is relu(z): at a kink (z exactly 0) the term passes no gradient, as in
// PyTorch's multi_margin_loss. Ties in Crammer–Singer's max share the gradient evenly.
Tensor multiclass_hinge_loss(const Tensor& scores, const Tensor& target,
                             const MultiHingeOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Regression
// ---------------------------------------------------------------------------------------------
// Input and target must have the same shape (no broadcasting: a silent [N] vs [N, 1] broadcast
// is a classic bug). Means are over all elements.

struct RegressionOptions {
  Reduction reduction = Reduction::Mean;
};

// (x − t)²
Tensor mse_loss(const Tensor& input, const Tensor& target, const RegressionOptions& options = {});
// |x − t|, with gradient sign(x − t) (0 where x = t).
Tensor l1_loss(const Tensor& input, const Tensor& target, const RegressionOptions& options = {});

struct HuberOptions {
  Reduction reduction = Reduction::Mean;
  double delta = 1.0;  // δ > 0
};

// With d = x − t:  ½d² where |d| < δ, else δ·(|d| − ½δ). Quadratic near 0, linear beyond δ,
// continuous with a continuous first derivative at |d| = δ.
Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Cosine
// ---------------------------------------------------------------------------------------------

struct CosineLossOptions {
  Reduction reduction = Reduction::Mean;
  // Guards zero vectors: the denominator is max(‖y‖·‖t‖, eps), so a zero y or t gives
  // cosine 0 (loss 1). Where ‖y‖·‖t‖ < eps the loss is 1 − y·t/eps, whose gradient
  // −t/eps (resp. −y/eps) is finite but large: this is the exact gradient of the function
  // defined here, not a NaN.
  // Note: PyTorch 1.13's cosine_similarity clamps each norm separately instead,
  // max(‖y‖, eps)·max(‖t‖, eps); the two agree whenever ‖y‖·‖t‖ ≥ eps and both norms ≥ eps.
  double eps = 1e-8;
};

// The lecture's cosine loss between an output y and a target t of the same shape, over the
// last dimension:  ℓ = 1 − y·t / max(‖y‖·‖t‖, eps),  in [0, 2]. Per-row losses have the shape
// of y without its last dimension. Implemented as 1 − y·t / sqrt(max(‖y‖²‖t‖², eps²)), which
// has the same value and never differentiates sqrt at 0.
Tensor cosine_loss(const Tensor& y, const Tensor& t, const CosineLossOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Module forms: options held in a struct, called like a function.
// ---------------------------------------------------------------------------------------------

struct CrossEntropyLoss {
  CrossEntropyOptions options{};
  Tensor operator()(const Tensor& logits, const Tensor& target) const {
    return cross_entropy(logits, target, options);
  }
};

struct NllLoss {
  NllOptions options{};
  Tensor operator()(const Tensor& log_probs, const Tensor& target) const {
    return nll_loss(log_probs, target, options);
  }
};

struct BceWithLogitsLoss {
  BceWithLogitsOptions options{};
  Tensor operator()(const Tensor& logits, const Tensor& target) const {
    return binary_cross_entropy_with_logits(logits, target, options);
  }
};

struct MultiHingeLoss {
  MultiHingeOptions options{};
  Tensor operator()(const Tensor& scores, const Tensor& target) const {
    return multiclass_hinge_loss(scores, target, options);
  }
};

struct MseLoss {
  RegressionOptions options{};
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return mse_loss(input, target, options);
  }
};

struct L1Loss {
  RegressionOptions options{};
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return l1_loss(input, target, options);
  }
};

struct HuberLoss {
  HuberOptions options{};
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return huber_loss(input, target, options);
  }
};

struct CosineLoss {
  CosineLossOptions options{};
  Tensor operator()(const Tensor& y, const Tensor& t) const { return cosine_loss(y, t, options); }
};

}  // namespace descent::nn
