#pragma once
// SGD with momentum, dampening, Nesterov momentum, L2 weight decay and maximize, as
// torch.optim.SGD (1.13). With g the gradient (−g when maximize), μ = momentum,
// τ = dampening, λ = weight_decay, α = lr:
//
//   g ← g + λ θ                              (when λ ≠ 0)
//   b ← g                                    (first step with μ ≠ 0)
//   b ← μ b + (1 − τ) g                      (later steps)
//   d ← g + μ b  if nesterov,  else  d ← b   (d ← g when μ = 0)
//   θ ← θ − α d
//
// The lecture's momentum,  v ← μ v + ∇L,  θ ← θ − α v,  is this with τ = 0: v is PyTorch's
// momentum buffer b. (Sutskever et al.'s form v ← μ v − α ∇L, θ ← θ + v, differs when α changes
// during training; PyTorch and descent scale the buffer by the current α at every step.)
// The buffer starts as the first gradient, not as zero, so the first step is plain SGD.
//
// Differences from PyTorch 1.13: lr defaults to 1e-3 (as PyTorch ≥ 2.2) instead of being
// required.
#include <cstdint>
#include <string>
#include <tuple>

#include "descent/optim/optimizer.h"

namespace descent::optim {

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;

  static constexpr auto fields() {
    return std::tuple{Field{"lr", &SGDOptions::lr},
                      Field{"momentum", &SGDOptions::momentum},
                      Field{"dampening", &SGDOptions::dampening},
                      Field{"weight_decay", &SGDOptions::weight_decay},
                      Field{"nesterov", &SGDOptions::nesterov},
                      Field{"maximize", &SGDOptions::maximize}};
  }
  void validate(const std::string& optimizer) const;
};

struct SGDState {
  Tensor momentum_buffer;  // undefined until the first step with momentum ≠ 0

  static constexpr auto fields() {
    return std::tuple{Field{"momentum_buffer", &SGDState::momentum_buffer}};
  }
};

// One SGD step over n elements. `buffer` may be null when momentum is 0; `first` says the
// buffer holds nothing yet (it is then set to the gradient).
template <typename T>
void sgd_update(T* param, const T* grad, T* buffer, int64_t n, const SGDOptions& o, bool first);

class SGD : public BasicOptimizer<SGD, SGDOptions, SGDState> {
 public:
  explicit SGD(std::vector<Tensor> params, const SGDOptions& options = {})
      : BasicOptimizer("SGD", std::move(params), options) {}

  static SGDState init_state(const Tensor& param, const SGDOptions& options);
  static void update(const Tensor& param, const Tensor& grad, SGDState& state,
                     const SGDOptions& options);
};

}  // namespace descent::optim
