#pragma once
// Adadelta, as torch.optim.Adadelta (1.13). With g the gradient (−g when maximize), ρ = rho,
// ε = eps, λ = weight_decay, α = lr:
//
//   g ← g + λ θ                                 (when λ ≠ 0)
//   s ← ρ s + (1 − ρ) g²
//   Δ ← √(u + ε) / √(s + ε) · g
//   u ← ρ u + (1 − ρ) Δ²
//   θ ← θ − α Δ
//
// The ratio of RMS values gives steps in the units of θ (Zeiler 2012), so lr = 1 is the
// natural default. Here ε is inside the square roots, as in the paper and PyTorch.
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0.0;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &AdadeltaOptions::lr}, Field{"rho", &AdadeltaOptions::rho},
                      Field{"eps", &AdadeltaOptions::eps},
                      Field{"weight_decay", &AdadeltaOptions::weight_decay},
                      Field{"maximize", &AdadeltaOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

struct AdadeltaState {
  int64_t step = 0;
  Tensor square_avg;  // s
  Tensor acc_delta;   // u

  static constexpr auto fields() {
    return std::tuple{Field{"step", &AdadeltaState::step},
                      Field{"square_avg", &AdadeltaState::square_avg},
                      Field{"acc_delta", &AdadeltaState::acc_delta}};
  }
};

template <typename T>
void adadelta_update(T* param, const T* grad, T* square_avg, T* acc_delta, int64_t n,
                     const AdadeltaOptions& o);

class Adadelta : public BasicOptimizer<Adadelta, AdadeltaOptions, AdadeltaState> {
 public:
  explicit Adadelta(std::vector<Tensor> params, const AdadeltaOptions& options = {})
      : BasicOptimizer("Adadelta", std::move(params), options) {}

  static AdadeltaState init_state(const Tensor& param, const AdadeltaOptions& options);
  static void update(const Tensor& param, const Tensor& grad, AdadeltaState& state,
                     const AdadeltaOptions& options);
};

}  // namespace descent::optim
