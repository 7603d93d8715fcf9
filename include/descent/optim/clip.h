#pragma once
// Gradient clipping, with the semantics of PyTorch 1.13's torch.nn.utils.clip_grad_norm_ and
// clip_grad_value_. Both act in place on the .grad of each parameter (parameters without a
// gradient are skipped) and run without recording autograd history.
#include <limits>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::optim {

struct ClipGradNormOptions {
  // p of the norm: any p > 0, or infinity for the max-norm.
  double norm_type = 2.0;
  // Throw ValueError when the total norm is NaN or ±inf, instead of scaling by it.
  bool error_if_nonfinite = false;
};

// The p-norm of all gradients taken together, as if concatenated into one vector:
//   ‖g‖_p = (Σ_i ‖g_i‖_p^p)^(1/p),   ‖g‖_∞ = max_i max |g_i|.
// Every gradient is then multiplied by min(1, max_norm / (‖g‖ + 1e-6)) (always multiplied, as
// PyTorch does, so a NaN norm poisons the gradients unless error_if_nonfinite). Returns ‖g‖
// (computed in float64), or 0 when no parameter has a gradient.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm,
                      const ClipGradNormOptions& options = {});

// Clamps every gradient element into [−clip_value, clip_value].
void clip_grad_value(const std::vector<Tensor>& params, double clip_value);

}  // namespace descent::optim
