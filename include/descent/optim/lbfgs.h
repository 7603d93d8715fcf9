#pragma once
// L-BFGS (limited-memory BFGS) with torch.optim.LBFGS's (1.13) options, defaults and
// algorithm. It needs a closure: call step(closure) (see optimizer.h, "Closures").
//
// All parameters form one vector θ with gradient g. One step(closure) runs up to max_iter
// iterations k (and about max_eval closure calls):
//   direction   d_k = −H_k g_k, where H_k approximates the inverse Hessian from the last
//               m = history_size pairs s_i = θ_{i+1} − θ_i, y_i = g_{i+1} − g_i with
//               y_iᵀs_i > 1e-10 (others are skipped, keeping H positive definite), through
//               the two-loop recursion with ρ_i = 1/(y_iᵀs_i) and H⁰ = γ I,
//               γ = y_{k−1}ᵀs_{k−1} / y_{k−1}ᵀy_{k−1}:
//                 q ← −g;   for i = k−1 … k−m:  a_i = ρ_i s_iᵀq,  q ← q − a_i y_i
//                 r ← γ q;  for i = k−m … k−1:  b = ρ_i y_iᵀr,   r ← r + (a_i − b) s_i
//               d_k = r (the very first iteration uses d = −g).
//   step length t = lr, except the very first iteration: t = min(1, 1/‖g‖₁)·lr. With
//               line_search_fn = "strong_wolfe", t is refined by the strong-Wolfe search
//               (strong_wolfe.h) starting from that value.
//   update      θ ← θ + t d_k.
// and stops early when max|g| ≤ tolerance_grad, gᵀd > −tolerance_change, max|t d| ≤
// tolerance_change, |L_k − L_{k−1}| < tolerance_change, or the evaluations reach max_eval.
//
// In the lecture's terms this is the quasi-Newton step θ ← θ − t H g of the second-order
// Taylor model L(θ + Δ) ≈ L + gᵀΔ + ½ΔᵀBΔ with B = H⁻¹ never formed: H g costs O(m n).
//
// State (kept across step calls and in state_dict, so a resumed run is bitwise identical):
// func_evals, n_iter (totals over all steps), d, t, the history (old_dirs = y_i,
// old_stps = s_i, ro = ρ_i), H_diag = γ, prev_flat_grad, prev_loss.
//
// Differences from PyTorch 1.13:
//   - max_eval = 0 means PyTorch's None (max_iter · 5 / 4, rounded down);
//   - line_search_fn is the word "none" or "strong_wolfe" (PyTorch: None or the string);
//   - the vectors d, s, y, the history and the dot products are float64 for float32
//     parameters too (PyTorch: the parameters' dtype); float64 runs agree with PyTorch;
//   - step() without a closure throws ValueError; options are validated at construction.
#include <cstdint>
#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct LBFGSOptions {
  double lr = 1.0;
  int64_t max_iter = 20;
  int64_t max_eval = 0;  // 0: max_iter * 5 / 4
  double tolerance_grad = 1e-7;
  double tolerance_change = 1e-9;
  int64_t history_size = 100;
  std::string line_search_fn = "none";  // "none" or "strong_wolfe"

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &LBFGSOptions::lr},
                      Field{"max_iter", &LBFGSOptions::max_iter},
                      Field{"max_eval", &LBFGSOptions::max_eval},
                      Field{"tolerance_grad", &LBFGSOptions::tolerance_grad},
                      Field{"tolerance_change", &LBFGSOptions::tolerance_change},
                      Field{"history_size", &LBFGSOptions::history_size},
                      Field{"line_search_fn", &LBFGSOptions::line_search_fn}};
  }
  void validate(const std::string& optimizer) const;
  // max_eval, or max_iter * 5 / 4 when it is 0.
  int64_t effective_max_eval() const { return max_eval > 0 ? max_eval : max_iter * 5 / 4; }
};

// The global state of L-BFGS (it has no per-parameter state).
struct LBFGSState {
  int64_t func_evals = 0;                    // closure calls, over all steps
  int64_t n_iter = 0;                        // iterations, over all steps
  std::vector<double> d;                     // last direction (empty before the first iteration)
  double t = 0.0;                            // last step length
  std::deque<std::vector<double>> old_dirs;  // y_i, oldest first
  std::deque<std::vector<double>> old_stps;  // s_i
  std::deque<double> ro;                     // ρ_i = 1 / y_iᵀs_i
  double H_diag = 1.0;                       // γ
  std::vector<double> prev_flat_grad;        // g at the start of the last iteration
  double prev_loss = 0.0;
};

class LBFGS : public Optimizer {
 public:
  using OptionsType = LBFGSOptions;

  explicit LBFGS(std::vector<Tensor> params, const LBFGSOptions& options = {});

  // Throws: L-BFGS evaluates the objective several times per step.
  void step() override;
  double step(const Closure& closure) override;
  bool requires_closure() const override { return true; }

  std::vector<Tensor> params() const override { return params_; }
  LBFGSOptions& options() { return options_; }
  const LBFGSOptions& options() const { return options_; }
  const LBFGSState& state() const { return state_; }

  size_t num_groups() const override { return 1; }
  double lr(size_t group) const override;
  void set_lr(size_t group, double lr) override;
  using Optimizer::lr;
  using Optimizer::set_lr;

  // param_groups: [{options..., "num_params"}]; scalars: func_evals, n_iter, t, H_diag,
  // prev_loss, ro (array), has_direction; tensors (float64 vectors): d, prev_flat_grad,
  // old_dirs.<i>, old_stps.<i>.
  OptimizerState state_dict() const override;
  void load_state_dict(const OptimizerState& state) override;

 private:
  // The two-loop recursion: d = −H g from the history.
  std::vector<double> direction(const std::vector<double>& flat_grad);
  // Records (s, y) = (t d, g − g_prev) when yᵀs > 1e-10, updating γ.
  void update_history(const std::vector<double>& flat_grad);

  std::vector<Tensor> params_;
  int64_t numel_ = 0;
  LBFGSOptions options_;
  LBFGSState state_;
};

}  // namespace descent::optim
