// adam_effective_step_size: Adam's per-coordinate step size from its state (see adam.h).
#include <cmath>
#include <string>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/optim/adam.h"

namespace descent::optim {

Tensor adam_effective_step_size(const AdamState& state, double lr, Betas betas, double eps,
                                bool amsgrad) {
  if (state.step < 1) {
    throw ValueError("adam_effective_step_size: the state has taken no step yet");
  }
  const Tensor& v = amsgrad ? state.max_exp_avg_sq : state.exp_avg_sq;
  if (!v.defined()) {
    throw ValueError("adam_effective_step_size: the state has no second-moment estimate");
  }
  NoGradGuard no_grad;
  const double correction = 1.0 - std::pow(betas[1], static_cast<double>(state.step));
  // η = α / (√(v / (1 − β2ᵗ)) + ε), in float64 whatever the parameter's dtype. A plain loop:
  // the tensor form (scalar / tensor) goes through pow and cost ten times more.
  Tensor out = contiguous(to(v, DType::Float64));
  if (out.impl() == v.impl()) out = clone(out);
  double* p = out.data<double>();
  for (int64_t i = 0; i < out.numel(); ++i) p[i] = lr / (std::sqrt(p[i] / correction) + eps);
  return out;
}

}  // namespace descent::optim
