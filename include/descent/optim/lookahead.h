#pragma once
// Lookahead (Zhang, Lucas, Hinton & Ba, "Lookahead Optimizer: k steps forward, 1 step back",
// 2019): wraps any optimizer (the "fast" one) and keeps a copy φ of the parameters (the "slow
// weights"). Every step is a step of the inner optimizer on the fast weights θ; after every
// k-th step
//   φ ← φ + α (θ − φ),   θ ← φ
// i.e. the slow weights move a fraction α of the way towards where the inner optimizer went in
// k steps, and the inner optimizer restarts from there. φ₀ = θ₀ (a copy made at
// construction). Averaging the end of k exploratory steps damps the oscillation across a
// valley (the lecture's ill-conditioned quadratic) while keeping the progress along it.
//
// The inner optimizer's own state (momentum buffers, moments) is kept across
// synchronizations, as in the paper's default. Schedulers drive the inner optimizer's lr
// through this wrapper (the LrTarget calls are forwarded). A closure-based inner optimizer
// (L-BFGS, Newton) works too: step(closure) forwards the closure.
//
// Spec: `lookahead(<inner spec>)[:k=5,alpha=0.5]`, e.g. `lookahead(adam:lr=0.01):k=6`
// (see spec.h). PyTorch has no Lookahead class; the tests recompute it from the inner
// optimizer directly.
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct LookaheadOptions {
  int64_t k = 5;       // inner steps between synchronizations, ≥ 1
  double alpha = 0.5;  // slow-weights step size, in [0, 1]

  static constexpr auto fields() {
    return std::tuple{Field{"k", &LookaheadOptions::k}, Field{"alpha", &LookaheadOptions::alpha}};
  }
  void validate(const std::string& optimizer) const;
};

class Lookahead : public Optimizer {
 public:
  using OptionsType = LookaheadOptions;

  // Takes ownership of `inner`; the slow weights start as a copy of its parameters.
  explicit Lookahead(std::unique_ptr<Optimizer> inner, const LookaheadOptions& options = {});

  void step() override;
  double step(const Closure& closure) override;
  bool requires_closure() const override { return inner_->requires_closure(); }
  bool needs_graph() const override { return inner_->needs_graph(); }

  std::vector<Tensor> params() const override { return inner_->params(); }
  Optimizer& inner() { return *inner_; }
  const Optimizer& inner() const { return *inner_; }
  const LookaheadOptions& options() const { return options_; }
  LookaheadOptions& options() { return options_; }
  // φ, one tensor per parameter (not shared with the parameters).
  const std::vector<Tensor>& slow_weights() const { return slow_; }
  // Inner steps taken so far; a synchronization follows every k-th.
  int64_t step_count() const { return step_count_; }

  // --- LrTarget, forwarded to the inner optimizer ---
  size_t num_groups() const override { return inner_->num_groups(); }
  double lr(size_t group) const override { return inner_->lr(group); }
  void set_lr(size_t group, double lr) override { inner_->set_lr(group, lr); }
  bool has_momentum() const override { return inner_->has_momentum(); }
  double momentum(size_t group) const override { return inner_->momentum(group); }
  void set_momentum(size_t group, double m) override { inner_->set_momentum(group, m); }
  using Optimizer::lr;
  using Optimizer::set_lr;

  // param_groups: [{k, alpha, num_params, inner_optimizer, inner_param_groups}];
  // scalars: {step_count, inner: <inner scalars>}; tensors: slow.<i> and inner.<key>.
  OptimizerState state_dict() const override;
  void load_state_dict(const OptimizerState& state) override;

 private:
  // Counts the inner step and synchronizes after every k-th.
  void after_inner_step();

  std::unique_ptr<Optimizer> inner_;
  LookaheadOptions options_;
  std::vector<Tensor> slow_;
  int64_t step_count_ = 0;
};

}  // namespace descent::optim
