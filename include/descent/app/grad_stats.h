#pragma once
// Gradient statistics the training loop reads every step: the global L2 norm (for the
// divergence guard and diagnostics) and the parameter with the largest gradient norm (named in
// the divergence message). One pass over each gradient, accumulated in float64.
#include <string>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::app {

struct GradNorms {
  double total = 0.0;  // ‖g‖₂ over all gradients together; NaN/inf when any element is
  std::string largest;  // the name of the parameter with the largest ‖g_i‖₂ (NaN counts as largest)
  double largest_norm = 0.0;
};

// Parameters without a gradient are skipped.
GradNorms grad_norms(const std::vector<std::pair<std::string, Tensor>>& named_params);

// Σ x² of one tensor in float64 (any dtype, any layout).
double sum_of_squares(const Tensor& t);

}  // namespace descent::app
