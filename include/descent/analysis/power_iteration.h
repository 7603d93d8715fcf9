#pragma once
// Dominant eigenpairs by power iteration with deflation, and the sharpness estimate built on it.
//
// Power iteration repeats v ← A v / ‖A v‖; the Rayleigh quotient λ = vᵀ A v converges to the
// eigenvalue of largest magnitude at the rate |λ₂/λ₁| per step (so slowly when the top two are
// close; Lanczos converges much faster for the same matvecs). The next pairs come from the
// deflated operator
//
//   A_k = A − Σ_{j<k} λ_j u_j u_jᵀ,
//
// applied as A v minus the projections, with v kept orthogonal to the u_j found. Iteration
// stops when |λ_t − λ_{t−1}| ≤ tol·|λ_t|, or after max_iterations products.
//
// Sharpness. The lecture's stability threshold for gradient descent is lr < 2/λmax(H).
// estimate_sharpness returns λmax (the largest algebraic eigenvalue): when power iteration
// lands on a negative dominant eigenvalue λ_d (a saddle region), it is run once more on
// A − λ_d I, whose dominant eigenvalue is λmax − λ_d ≥ 0. Training diagnostics can call it
// every k steps: it costs one gradient with graph plus `max_iterations` HVPs at most.
#include <cstdint>
#include <vector>

#include "descent/analysis/hessian.h"
#include "descent/analysis/linear_operator.h"

namespace descent::analysis {

struct PowerIterationOptions {
  int64_t k = 1;                 // eigenpairs (by decreasing magnitude)
  int64_t max_iterations = 100;  // products per eigenpair at most
  double tol = 1e-6;             // relative change of the Rayleigh quotient
  uint64_t seed = 0;             // start vectors (Gaussian)
};

struct PowerIterationResult {
  std::vector<double> values;       // by decreasing magnitude
  std::vector<Vector> vectors;      // unit
  std::vector<int64_t> iterations;  // products used per pair
  std::vector<bool> converged;      // tolerance reached within max_iterations
  int64_t matvecs = 0;
};

PowerIterationResult power_iteration(const LinearOperator& op,
                                     const PowerIterationOptions& options = {});

struct Sharpness {
  double lambda_max = 0.0;  // largest eigenvalue of H
  double loss = 0.0;        // L(θ) where it was measured
  int64_t matvecs = 0;      // Hessian-vector products used
  bool converged = false;
};

// λmax of the Hessian of `loss` over `params` (see above). k is ignored (always 1).
Sharpness estimate_sharpness(const std::vector<Tensor>& params, const LossClosure& loss,
                             const PowerIterationOptions& options = {.max_iterations = 20,
                                                                     .tol = 1e-4});
// The same on an operator already built.
Sharpness estimate_sharpness(const LinearOperator& op, const PowerIterationOptions& options);

}  // namespace descent::analysis
