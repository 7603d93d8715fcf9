#pragma once
// Adagrad, as torch.optim.Adagrad (1.13). With g the gradient (−g when maximize), α = lr,
// η = lr_decay, λ = weight_decay, t the step count (from 1):
//
//   g ← g + λ θ                         (when λ ≠ 0)
//   α_t = α / (1 + (t − 1) η)
//   s ← s + g²                          (s starts at initial_accumulator_value)
//   θ ← θ − α_t g / (√s + ε)
//
// The accumulated sum never decays, so steps shrink like 1/√t along every coordinate; RMSprop
// (rmsprop.h) is Adagrad with the sum replaced by an exponential average.
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{
        Field{"lr", &AdagradOptions::lr},
        Field{"lr_decay", &AdagradOptions::lr_decay},
        Field{"weight_decay", &AdagradOptions::weight_decay},
        Field{"initial_accumulator_value", &AdagradOptions::initial_accumulator_value},
        Field{"eps", &AdagradOptions::eps},
        Field{"maximize", &AdagradOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

struct AdagradState {
  int64_t step = 0;
  Tensor sum;

  static constexpr auto fields() {
    return std::tuple{Field{"step", &AdagradState::step}, Field{"sum", &AdagradState::sum}};
  }
};

// One Adagrad step over n elements; `step` is t after incrementing (t ≥ 1).
template <typename T>
void adagrad_update(T* param, const T* grad, T* sum, int64_t n, const AdagradOptions& o,
                    int64_t step);

class Adagrad : public BasicOptimizer<Adagrad, AdagradOptions, AdagradState> {
 public:
  explicit Adagrad(std::vector<Tensor> params, const AdagradOptions& options = {})
      : BasicOptimizer("Adagrad", std::move(params), options) {}

  static AdagradState init_state(const Tensor& param, const AdagradOptions& options);
  static void update(const Tensor& param, const Tensor& grad, AdagradState& state,
                     const AdagradOptions& options);
};

}  // namespace descent::optim
