#pragma once
// RAdam (Liu et al. 2020), as torch.optim.RAdam (1.13): Adam whose adaptive step is switched
// on only once the variance of the adaptive learning rate is tractable, and then rectified.
// With g the gradient, (β1, β2) = betas, α = lr, λ = weight_decay, t the step count (from 1):
//
//   g ← g + λ θ                                   (when λ ≠ 0)
//   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
//   m̂ = m / (1 − β1ᵗ)
//   ρ∞ = 2/(1 − β2) − 1,   ρ_t = ρ∞ − 2 t β2ᵗ / (1 − β2ᵗ)
//   if ρ_t > 5:  r = √((ρ_t − 4)(ρ_t − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρ_t))
//                θ ← θ − α m̂ · √(1 − β2ᵗ)/(√v + ε) · r
//   else:        θ ← θ − α m̂                     (SGD with momentum)
//
// PyTorch 1.13 has no `maximize` for RAdam, and neither has descent.
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct RAdamOptions {
  double lr = 1e-3;
  Betas betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &RAdamOptions::lr}, Field{"betas", &RAdamOptions::betas},
                      Field{"eps", &RAdamOptions::eps},
                      Field{"weight_decay", &RAdamOptions::weight_decay}};
  }
  void validate(const std::string& optimizer) const;
};

struct RAdamState {
  int64_t step = 0;
  Tensor exp_avg;
  Tensor exp_avg_sq;

  static constexpr auto fields() {
    return std::tuple{Field{"step", &RAdamState::step}, Field{"exp_avg", &RAdamState::exp_avg},
                      Field{"exp_avg_sq", &RAdamState::exp_avg_sq}};
  }
};

// One RAdam step over n elements; `step` is t after incrementing (t ≥ 1).
template <typename T>
void radam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n,
                  const RAdamOptions& o, int64_t step);

class RAdam : public BasicOptimizer<RAdam, RAdamOptions, RAdamState> {
 public:
  explicit RAdam(std::vector<Tensor> params, const RAdamOptions& options = {})
      : BasicOptimizer("RAdam", std::move(params), options) {}

  static RAdamState init_state(const Tensor& param, const RAdamOptions& options);
  static void update(const Tensor& param, const Tensor& grad, RAdamState& state,
                     const RAdamOptions& options);
};

}  // namespace descent::optim
