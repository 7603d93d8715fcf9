#pragma once
// Fused batch normalization with the batch's own statistics, over axis 1 (the channels) of
// x [N, C, *]: for channel c, over its n = N·(product of the trailing sizes) values,
//   μ_c = Σ x / n,   σ²_c = Σ (x − μ_c)² / n (biased),   r_c = 1/√(σ²_c + eps),
//   y = (x − μ_c)·r_c·γ_c + β_c
// with γ = 1 and β = 0 when weight and bias are undefined. Sums are taken in float64 for
// float32 tensors, the variance by a second pass over x − μ (no cancellation), and each
// channel's sums in the same order whatever the thread count, so results are deterministic.
#include "descent/core/tensor.h"

namespace descent::kernels {

struct BatchNormResult {
  Tensor y;        // x's shape and dtype, contiguous
  Tensor mean;     // μ, [C]
  Tensor var;      // σ² (biased), [C]
  Tensor inv_std;  // r = 1/√(σ² + eps), [C]
};

// weight and bias: [C] in x's dtype, or undefined. With no values per channel (n = 0) the
// statistics are NaN, as the mean of nothing is.
BatchNormResult batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps);

struct BatchNormGrads {
  Tensor dx, dweight, dbias;  // undefined where not asked for
};

// The first-order backward for g = ∂L/∂y, with x̂ = (x − μ)·r (the statistics as returned by
// batch_norm):
//   ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂,   ∂L/∂x = γ·r·(g − (Σ g)/n − x̂·(Σ g·x̂)/n),
// the last including the dependence of μ and σ² on x.
BatchNormGrads batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& mean,
                                   const Tensor& inv_std, const Tensor& weight, bool need_dx,
                                   bool need_dweight, bool need_dbias);

}  // namespace descent::kernels
