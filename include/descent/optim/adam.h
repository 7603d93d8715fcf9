#pragma once
// Adam and AdamW, as torch.optim.Adam / torch.optim.AdamW (1.13). With g the gradient (−g when
// maximize), (β1, β2) = betas, α = lr, λ = weight_decay, t the step count (from 1):
//
//   g ← g + λ θ                        (Adam, L2 penalty, when λ ≠ 0)
//   θ ← θ (1 − α λ)                    (AdamW, decoupled weight decay)
//   m ← β1 m + (1 − β1) g
//   v ← β2 v + (1 − β2) g²
//   v̂ ← max(v̂, v), and v̂ replaces v below     (amsgrad)
//   θ ← θ − (α / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
//
// The last line is PyTorch's operation order, kept so float64 trajectories agree to rounding;
// it equals the paper's θ ← θ − α m̂ / (√v̂ + ε) with m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ).
//
// The lecture's Adam,  v ← μ v + (1 − α) ∇L,  s ← γ s + (1 − γ) [∇L]²,  θ ← θ − α/√(s + ε) v,
// names the moments v (our m, μ = β1) and s (our v, γ = β2); its "(1 − α)" means (1 − μ),
// i.e. (1 − β1), not the learning rate. It has no bias correction and puts ε inside the square
// root; descent follows PyTorch (bias-corrected, ε outside).
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct AdamOptions {
  double lr = 1e-3;
  Betas betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{
        Field{"lr", &AdamOptions::lr},           Field{"betas", &AdamOptions::betas},
        Field{"eps", &AdamOptions::eps},         Field{"weight_decay", &AdamOptions::weight_decay},
        Field{"amsgrad", &AdamOptions::amsgrad}, Field{"maximize", &AdamOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

// AdamW's options: Adam's, with weight_decay 1e-2 by default (decoupled, see above).
struct AdamWOptions {
  double lr = 1e-3;
  Betas betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &AdamWOptions::lr},
                      Field{"betas", &AdamWOptions::betas},
                      Field{"eps", &AdamWOptions::eps},
                      Field{"weight_decay", &AdamWOptions::weight_decay},
                      Field{"amsgrad", &AdamWOptions::amsgrad},
                      Field{"maximize", &AdamWOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

struct AdamState {
  int64_t step = 0;
  Tensor exp_avg;         // m
  Tensor exp_avg_sq;      // v
  Tensor max_exp_avg_sq;  // v̂, when amsgrad

  static constexpr auto fields() {
    return std::tuple{Field{"step", &AdamState::step}, Field{"exp_avg", &AdamState::exp_avg},
                      Field{"exp_avg_sq", &AdamState::exp_avg_sq},
                      Field{"max_exp_avg_sq", &AdamState::max_exp_avg_sq}};
  }
};

// The hyperparameters of one Adam/AdamW step; `step` is t after incrementing (t ≥ 1).
struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, maximize, decoupled_weight_decay;
  int64_t step;
};

// One Adam (or AdamW) step over n elements; max_exp_avg_sq may be null unless amsgrad.
template <typename T>
void adam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq, int64_t n,
                 const AdamStep& h);

// The effective per-element step size of Adam/AdamW after `state.step` = t updates,
//   η = α / (√v̂ + ε),   v̂ = v / (1 − β2ᵗ)   (v = max_exp_avg_sq under amsgrad),
// the factor that multiplies the bias-corrected momentum m̂ in θ ← θ − η m̂ (the lecture's
// α/√(s + ε): the per-coordinate learning rate adaptive methods use). A float64 tensor of the
// parameter's shape; ValueError when the state has taken no step yet.
Tensor adam_effective_step_size(const AdamState& state, double lr, Betas betas, double eps,
                                bool amsgrad);

class Adam : public BasicOptimizer<Adam, AdamOptions, AdamState> {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {})
      : BasicOptimizer("Adam", std::move(params), options) {}

  static AdamState init_state(const Tensor& param, const AdamOptions& options);
  static void update(const Tensor& param, const Tensor& grad, AdamState& state,
                     const AdamOptions& options);
};

class AdamW : public BasicOptimizer<AdamW, AdamWOptions, AdamState> {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& options = {})
      : BasicOptimizer("AdamW", std::move(params), options) {}

  static AdamState init_state(const Tensor& param, const AdamWOptions& options);
  static void update(const Tensor& param, const Tensor& grad, AdamState& state,
                     const AdamWOptions& options);
};

}  // namespace descent::optim
