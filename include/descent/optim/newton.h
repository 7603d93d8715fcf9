#pragma once
// Damped Newton's method with the exact Hessian (from double backward), for small models.
// Not in torch.optim. It needs a closure that calls backward(create_graph = true): use
// make_closure(opt, loss_fn), which does so because needs_graph() is true.
//
// The lecture's second-order Taylor model around θ, with g = ∇L(θ) and H = ∇²L(θ),
//   L(θ + Δ) ≈ m(Δ) = L(θ) + gᵀΔ + ½ ΔᵀHΔ,
// has, when H is positive definite, the unique minimizer Δ* = −H⁻¹g (the Newton step; one
// step lands on the minimum of a quadratic). Damping adds ½λ‖Δ‖² to the model:
//   Δ = −(H + λI)⁻¹ g,        θ ← θ + lr · Δ
// which interpolates between Newton (λ → 0) and gradient descent with step 1/λ (λ → ∞), and
// shrinks the step where the quadratic model is not to be trusted far.
//
// Indefinite curvature. Near a saddle or a maximum, H + λI has eigenvalues ≤ 0 and m(Δ) is
// unbounded below: its stationary point −(H + λI)⁻¹g is a saddle or maximum of the model, and
// stepping there can climb. The system is solved by a Cholesky factorization, which exists
// exactly when the matrix is positive definite, so failure is detected for free. Then
// (on_indefinite = "shift", the default) we add τI with the smallest τ found by
// τ₀ = β − min_i (H + λI)_ii (or β if the diagonal is positive), τ ← max(2τ, β), β = 1e-3 ·
// max(1, max_i |H_ii|) (Nocedal & Wright, Algorithm 3.3): the model with curvature
// H + (λ + τ)I is convex, its minimizer is a descent direction, and directions of negative
// curvature get the largest steps, so saddles are escaped instead of approached.
// on_indefinite = "error" throws a ValueError naming the failed pivot instead. (The other
// classic choice, |H| from an eigendecomposition, costs a full eigensolve per step.)
//
// Adaptive damping (adaptive = true, Levenberg–Marquardt): after a step the loss is evaluated
// again (one more closure call); if it decreased, the step is kept and λ ← λ·damping_decrease;
// otherwise θ is restored and λ ← λ·damping_increase (from 1e-3 · max(1, max_i |H_ii|) when
// λ = 0), so the next step is shorter and closer to gradient descent.
//
// Cost: n backward passes (one Hessian row each) and an n³/3 factorization per step, n the
// number of parameters, which is limited to kMaxParams (construction throws above).
// After a step each parameter's .grad holds the gradient at the last evaluated point, detached
// from its graph.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct NewtonOptions {
  double lr = 1.0;
  double damping = 0.0;  // λ ≥ 0 (the start value when adaptive)
  bool adaptive = false;
  double damping_increase = 10.0;       // > 1
  double damping_decrease = 0.1;        // in (0, 1]
  std::string on_indefinite = "shift";  // "shift" or "error"

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &NewtonOptions::lr},
                      Field{"damping", &NewtonOptions::damping},
                      Field{"adaptive", &NewtonOptions::adaptive},
                      Field{"damping_increase", &NewtonOptions::damping_increase},
                      Field{"damping_decrease", &NewtonOptions::damping_decrease},
                      Field{"on_indefinite", &NewtonOptions::on_indefinite}};
  }
  void validate(const std::string& optimizer) const;
};

struct NewtonState {
  int64_t n_iter = 0;      // steps taken (accepted or not)
  int64_t func_evals = 0;  // closure calls
  int64_t rejected = 0;    // adaptive steps undone because the loss did not decrease
  double damping = 0.0;    // the current λ (evolves when adaptive)
  double shift = 0.0;      // τ added in the last step (0 when H + λI was positive definite)
  bool started = false;    // damping has been taken from the options
};

class Newton : public Optimizer {
 public:
  using OptionsType = NewtonOptions;
  // The largest number of parameters accepted: the Hessian has n² entries and needs n
  // backward passes per step.
  static constexpr int64_t kMaxParams = 2000;

  explicit Newton(std::vector<Tensor> params, const NewtonOptions& options = {});

  // Throws: the Hessian needs the graph a closure builds.
  void step() override;
  double step(const Closure& closure) override;
  bool requires_closure() const override { return true; }
  bool needs_graph() const override { return true; }

  std::vector<Tensor> params() const override { return params_; }
  NewtonOptions& options() { return options_; }
  const NewtonOptions& options() const { return options_; }
  const NewtonState& state() const { return state_; }

  size_t num_groups() const override { return 1; }
  double lr(size_t group) const override;
  void set_lr(size_t group, double lr) override;
  using Optimizer::lr;
  using Optimizer::set_lr;

  // param_groups: [{options..., num_params}]; scalars: the NewtonState fields; no tensors.
  OptimizerState state_dict() const override;
  void load_state_dict(const OptimizerState& state) override;

 private:
  std::vector<Tensor> params_;
  int64_t numel_ = 0;
  NewtonOptions options_;
  NewtonState state_;
};

// --- the linear algebra, exposed for tests ---

// The Hessian of the loss whose gradients `grads` (with graph, one per parameter) were
// computed, as a dense symmetric n×n row-major matrix (symmetrized: (H + Hᵀ)/2).
std::vector<double> hessian_from_grads(const std::vector<Tensor>& grads,
                                       const std::vector<Tensor>& params);

// In-place Cholesky A = L Lᵀ of a row-major n×n matrix (L in the lower triangle). Returns -1
// on success, or the index of the first pivot that is not positive (A not positive definite).
int64_t cholesky(std::vector<double>& a, int64_t n);

// Solves L Lᵀ x = b with the factor from cholesky().
std::vector<double> cholesky_solve(const std::vector<double>& l, int64_t n, std::vector<double> b);

}  // namespace descent::optim
