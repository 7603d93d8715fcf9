#pragma once
// NAdam (Dozat 2016), as torch.optim.NAdam (1.13): Adam with Nesterov momentum and a momentum
// schedule. With g the gradient, (β1, β2) = betas, α = lr, ψ = momentum_decay, λ = weight_decay,
// t the step count (from 1):
//
//   g ← g + λ θ                                   (when λ ≠ 0)
//   μ_t = β1 (1 − ½ · 0.96^(t ψ)),   μ_{t+1} = β1 (1 − ½ · 0.96^((t+1) ψ))
//   Π_t = Π_{t−1} μ_t  (Π_0 = 1)
//   m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
//   d = √(v / (1 − β2ᵗ)) + ε
//   θ ← θ − α (1 − μ_t)/(1 − Π_t) · g/d − α μ_{t+1}/(1 − Π_t μ_{t+1}) · m/d
//
// PyTorch 1.13 has no `maximize` for NAdam, and neither has descent. PyTorch keeps Π_t in a
// float32 tensor unless the default dtype is float64; descent keeps it in double (the parity
// fixtures are made with torch's default dtype set to float64).
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct NAdamOptions {
  double lr = 2e-3;
  Betas betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum_decay = 4e-3;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &NAdamOptions::lr}, Field{"betas", &NAdamOptions::betas},
                      Field{"eps", &NAdamOptions::eps},
                      Field{"weight_decay", &NAdamOptions::weight_decay},
                      Field{"momentum_decay", &NAdamOptions::momentum_decay}};
  }
  void validate(const std::string& optimizer) const;
};

struct NAdamState {
  int64_t step = 0;
  double mu_product = 1.0;  // Π_t
  Tensor exp_avg;
  Tensor exp_avg_sq;

  static constexpr auto fields() {
    return std::tuple{
        Field{"step", &NAdamState::step}, Field{"mu_product", &NAdamState::mu_product},
        Field{"exp_avg", &NAdamState::exp_avg}, Field{"exp_avg_sq", &NAdamState::exp_avg_sq}};
  }
};

// The scalars of one NAdam step, computed from the state by nadam_step_scalars.
struct NAdamStep {
  double beta1, beta2, eps, weight_decay;
  double bias_correction2;
  double grad_coef;     // −α (1 − μ_t)/(1 − Π_t)
  double exp_avg_coef;  // −α μ_{t+1}/(1 − Π_t μ_{t+1})
};

// Advances Π (mu_product) for step t and returns the step's scalars.
NAdamStep nadam_step_scalars(const NAdamOptions& o, int64_t step, double& mu_product);

template <typename T>
void nadam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n,
                  const NAdamStep& h);

class NAdam : public BasicOptimizer<NAdam, NAdamOptions, NAdamState> {
 public:
  explicit NAdam(std::vector<Tensor> params, const NAdamOptions& options = {})
      : BasicOptimizer("NAdam", std::move(params), options) {}

  static NAdamState init_state(const Tensor& param, const NAdamOptions& options);
  static void update(const Tensor& param, const Tensor& grad, NAdamState& state,
                     const NAdamOptions& options);
};

}  // namespace descent::optim
