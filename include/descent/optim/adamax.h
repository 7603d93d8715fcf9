#pragma once
// Adamax (Kingma & Ba 2015, §7.1), as torch.optim.Adamax (1.13): Adam with the second moment
// replaced by an exponentially weighted infinity norm. With g the gradient (−g when maximize),
// (β1, β2) = betas, α = lr, λ = weight_decay, t the step count (from 1):
//
//   g ← g + λ θ                           (when λ ≠ 0)
//   m ← β1 m + (1 − β1) g
//   u ← max(β2 u, |g| + ε)
//   θ ← θ − (α / (1 − β1ᵗ)) · m / u
//
// PyTorch adds ε inside the max (the paper has no ε); descent follows PyTorch.
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct AdamaxOptions {
  double lr = 2e-3;
  Betas betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &AdamaxOptions::lr}, Field{"betas", &AdamaxOptions::betas},
                      Field{"eps", &AdamaxOptions::eps},
                      Field{"weight_decay", &AdamaxOptions::weight_decay},
                      Field{"maximize", &AdamaxOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

struct AdamaxState {
  int64_t step = 0;
  Tensor exp_avg;  // m
  Tensor exp_inf;  // u

  static constexpr auto fields() {
    return std::tuple{Field{"step", &AdamaxState::step}, Field{"exp_avg", &AdamaxState::exp_avg},
                      Field{"exp_inf", &AdamaxState::exp_inf}};
  }
};

// One Adamax step over n elements; `step` is t after incrementing (t ≥ 1).
template <typename T>
void adamax_update(T* param, const T* grad, T* exp_avg, T* exp_inf, int64_t n,
                   const AdamaxOptions& o, int64_t step);

class Adamax : public BasicOptimizer<Adamax, AdamaxOptions, AdamaxState> {
 public:
  explicit Adamax(std::vector<Tensor> params, const AdamaxOptions& options = {})
      : BasicOptimizer("Adamax", std::move(params), options) {}

  static AdamaxState init_state(const Tensor& param, const AdamaxOptions& options);
  static void update(const Tensor& param, const Tensor& grad, AdamaxState& state,
                     const AdamaxOptions& options);
};

}  // namespace descent::optim
