#pragma once
// Internal helpers of the optimizers that treat all parameters as one vector θ ∈ ℝⁿ (L-BFGS,
// Newton): gathering the gradient, moving θ along a direction, saving and restoring θ.
// The flat vectors are float64 whatever the parameters' dtype, so the curvature estimates
// (dot products of small differences) keep their accuracy; updates are rounded to the
// parameter's dtype when written back.
#include <cstdint>
#include <string>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::optim::detail {

using FlatVector = std::vector<double>;

// Σ numel over `params`.
int64_t total_numel(const std::vector<Tensor>& params);

// The gradients of `params` concatenated in order; a parameter without a gradient contributes
// zeros (as PyTorch's _gather_flat_grad). Shapes and dtypes are checked, naming `optimizer`.
FlatVector gather_flat_grad(const std::vector<Tensor>& params, const std::string& optimizer);

// θ ← θ + t·v, parameter by parameter, with one rounding per element (fma), as PyTorch's
// p.add_(v, alpha=t) computes it on CPUs with FMA.
void add_to_params(const std::vector<Tensor>& params, double t, const FlatVector& v);

// Copies of the parameters' values, and writing them back (bit-exact round trip).
std::vector<Tensor> clone_params(const std::vector<Tensor>& params);
void set_params(const std::vector<Tensor>& params, const std::vector<Tensor>& values);

// Σ a_i b_i, left to right with fused multiply-adds (what OpenBLAS's ddot, behind torch.dot,
// does for vectors shorter than its 16-element blocks; longer ones agree to rounding).
double dot(const FlatVector& a, const FlatVector& b);
// max |v_i| (0 for an empty vector) and Σ |v_i|.
double abs_max(const FlatVector& v);
double abs_sum(const FlatVector& v);

// A float64 1-D tensor holding v, and back (the tensor must be float64 of size n).
Tensor to_tensor(const FlatVector& v);
FlatVector from_tensor(const Tensor& t, int64_t n, const std::string& what);

}  // namespace descent::optim::detail
