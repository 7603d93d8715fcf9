#pragma once
// The eigenvalue density of a symmetric operator by stochastic Lanczos quadrature (Golub–Welsch;
// Ghorbani, Krishnan & Xiao, "An investigation into neural net optimization via Hessian
// eigenvalue density", ICML 2019).
//
// The spectral density φ(t) = (1/n) Σ_i δ(t − λ_i) is smoothed with a Gaussian
// g_σ(t) = exp(−t²/2σ²)/(σ√(2π)). For a unit vector v, vᵀ g_σ(tI − A) v = Σ_i (vᵀu_i)² g_σ(t −
// λ_i), whose expectation over random v is the smoothed density. m Lanczos steps from v give T = Vᵀ
// diag(θ) V; the Gauss quadrature with nodes θ_k and weights τ_k = V_{1k}² integrates polynomials
// of degree < 2m exactly against the measure Σ_i (vᵀu_i)² δ(t − λ_i). Averaging over R random
// starts (Rademacher, normalized):
//
//   φ̂(t) = (1/R) Σ_r Σ_k τ_k^{(r)} g_σ(t − θ_k^{(r)})
//
// Exact identities used by the tests: Σ_k τ_k = 1 for each run (so ∫φ̂ = 1), and
// Σ_k τ_k θ_k = vᵀAv (the first entry α₁ of T), an unbiased estimate of tr(A)/n with Rademacher v.
//
// σ defaults to 1% of the span of the nodes (Ghorbani et al. use σ² = 10⁻⁵ after mapping the
// spectrum to [−1, 1]: sharper, but needing a much finer grid); the grid covers the nodes
// with 5σ of margin on both sides. Cost: R·m matvecs.
#include <cstdint>
#include <vector>

#include "descent/analysis/linear_operator.h"

namespace descent::analysis {

struct SpectralDensityOptions {
  int64_t runs = 4;    // R random starts
  int64_t steps = 40;  // m Lanczos steps per start (capped at n)
  int64_t grid_points = 1000;
  double sigma = 0.0;  // Gaussian width; 0: 1% of the nodes' span
  uint64_t seed = 0;
};

struct SpectralDensity {
  std::vector<double> nodes;    // all runs' θ_k
  std::vector<double> weights;  // τ_k / R (sum to 1)
  std::vector<double> grid;     // t values, ascending, evenly spaced
  std::vector<double> density;  // φ̂(t) on the grid
  double sigma = 0.0;
  int64_t matvecs = 0;

  // Σ weights·nodes (≈ tr(A)/n) and the trapezoid integral of the density over the grid.
  double mean() const;
  double integral() const;
};

SpectralDensity spectral_density(const LinearOperator& op,
                                 const SpectralDensityOptions& options = {});

}  // namespace descent::analysis
