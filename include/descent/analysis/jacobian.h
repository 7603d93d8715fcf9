#pragma once
// The full Jacobian of a vector function by repeated reverse passes: row i of
//   J = ∂f/∂x ∈ ℝ^{m×n},  J_ij = ∂f_i/∂x_j
// is the vector–Jacobian product e_iᵀ J, one backward of the recorded graph (retain_graph)
// per output. Cost: one forward and m backwards; for small m·n (tests, 2-D problems, tiny
// models). Use float64 inputs where the result is compared with finite differences.
#include <cstdint>
#include <functional>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::analysis {

struct Jacobian {
  int64_t rows = 0;            // m = numel of f(x)
  int64_t cols = 0;            // n = numel of x
  std::vector<double> values;  // m×n row-major
};

// J of f at x (f's output and x flattened row-major). x must be a floating tensor; it is not
// modified (f sees a fresh leaf with x's values). Outputs that do not depend on x give zero
// rows.
Jacobian jacobian(const std::function<Tensor(const Tensor& x)>& f, const Tensor& x);

}  // namespace descent::analysis
