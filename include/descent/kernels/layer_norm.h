#pragma once
// Fused layer normalization over the trailing dimensions of x, viewed as rows [R, D] (D the
// product of the normalized sizes): for row i,
//   μ_i = Σ x / D,   σ²_i = Σ (x − μ_i)² / D (biased),   r_i = 1/√(σ²_i + eps),
//   y = (x − μ_i)·r_i·γ + β
// with γ and β of the normalized shape (element d of a row), or 1 and 0 when undefined. Sums
// are taken in float64 for float32 tensors, the variance by a second pass over x − μ, each in a
// fixed order, so results do not depend on the thread count.
#include "descent/core/tensor.h"

namespace descent::kernels {

struct LayerNormResult {
  Tensor y;        // x's shape and dtype, contiguous
  Tensor mean;     // μ, [R]
  Tensor inv_std;  // r, [R]
};

// normalized_dims: how many trailing dimensions form a row (at least 1, at most x's rank).
// weight and bias: of those trailing sizes, in x's dtype, or undefined.
LayerNormResult layer_norm(const Tensor& x, int64_t normalized_dims, const Tensor& weight,
                           const Tensor& bias, double eps);

struct LayerNormGrads {
  Tensor dx, dweight, dbias;  // undefined where not asked for
};

// The first-order backward for g = ∂L/∂y, with x̂ = (x − μ)·r and ĝ = g·γ per row:
//   ∂L/∂x = r·(ĝ − (Σ ĝ)/D − x̂·(Σ ĝ·x̂)/D),   ∂L/∂γ = Σ over rows of g·x̂,   ∂L/∂β = Σ g.
LayerNormGrads layer_norm_backward(const Tensor& g, const Tensor& x, int64_t normalized_dims,
                                   const Tensor& mean, const Tensor& inv_std, const Tensor& weight,
                                   bool need_dx, bool need_dweight, bool need_dbias);

}  // namespace descent::kernels
