#pragma once
// RMSprop, as torch.optim.RMSprop (1.13). With g the gradient (−g when maximize), a = alpha,
// ε = eps, λ = weight_decay, μ = momentum, α = lr:
//
//   g ← g + λ θ                                   (when λ ≠ 0)
//   s ← a s + (1 − a) g²
//   ḡ ← a ḡ + (1 − a) g,  r ← √(s − ḡ²) + ε       (centered)
//   r ← √s + ε                                    (otherwise)
//   b ← μ b + g / r,  θ ← θ − α b                 (μ > 0)
//   θ ← θ − α g / r                               (μ = 0)
//
// The lecture writes  s ← (1 − γ) s + γ [∇L]²,  θ ← θ − α/√(s + ε) ∇L : its γ is 1 − alpha
// (alpha = 0.99 is γ = 0.01), and it puts ε inside the square root. descent follows PyTorch:
// ε is added after the square root. s starts at zero, so early steps are large (no bias
// correction, unlike Adam).
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &RMSpropOptions::lr},
                      Field{"alpha", &RMSpropOptions::alpha},
                      Field{"eps", &RMSpropOptions::eps},
                      Field{"weight_decay", &RMSpropOptions::weight_decay},
                      Field{"momentum", &RMSpropOptions::momentum},
                      Field{"centered", &RMSpropOptions::centered},
                      Field{"maximize", &RMSpropOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

struct RMSpropState {
  int64_t step = 0;
  Tensor square_avg;
  Tensor momentum_buffer;  // when momentum > 0
  Tensor grad_avg;         // when centered

  static constexpr auto fields() {
    return std::tuple{Field{"step", &RMSpropState::step},
                      Field{"square_avg", &RMSpropState::square_avg},
                      Field{"momentum_buffer", &RMSpropState::momentum_buffer},
                      Field{"grad_avg", &RMSpropState::grad_avg}};
  }
};

// One RMSprop step over n elements; momentum_buffer / grad_avg may be null when unused.
template <typename T>
void rmsprop_update(T* param, const T* grad, T* square_avg, T* momentum_buffer, T* grad_avg,
                    int64_t n, const RMSpropOptions& o);

class RMSprop : public BasicOptimizer<RMSprop, RMSpropOptions, RMSpropState> {
 public:
  explicit RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = {})
      : BasicOptimizer("RMSprop", std::move(params), options) {}

  static RMSpropState init_state(const Tensor& param, const RMSpropOptions& options);
  static void update(const Tensor& param, const Tensor& grad, RMSpropState& state,
                     const RMSpropOptions& options);
};

}  // namespace descent::optim
