#pragma once
// Extreme eigenpairs of a symmetric operator by the Lanczos method with full
// reorthogonalization.
//
// From a unit start q₁, m steps build an orthonormal basis Q = [q₁ … q_m] of the Krylov space
// span{q₁, A q₁, …, A^{m−1} q₁} and the tridiagonal T = QᵀAQ:
//
//   w = A q_j − α_j q_j − β_{j−1} q_{j−1},   α_j = q_jᵀ A q_j,   β_j = ‖w‖,   q_{j+1} = w / β_j
//
// In floating point the q_j lose orthogonality as soon as a Ritz value converges (Paige), which
// shows up as spurious copies of eigenvalues; so every w is orthogonalized again against all
// previous q (classical Gram–Schmidt, twice: "twice is enough"). The eigenpairs (θ_i, s_i) of
// T, solved in float64 by the Jacobi method (analysis/symmetric_eigen.h), give the Ritz pairs
// (θ_i, Q s_i); the extreme ones converge first, and ‖A y_i − θ_i y_i‖ = β_m |s_i[m]| bounds
// each one's error without another product. When β_j vanishes the Krylov space is invariant;
// the iteration then continues from a random vector orthogonal to Q (T splits into blocks),
// so m = n steps recover the whole spectrum even with repeated eigenvalues.
//
// Cost: m matvecs, O(n m²) for the reorthogonalization, m vectors of n doubles in memory.
#include <cstdint>
#include <vector>

#include "descent/analysis/linear_operator.h"

namespace descent::analysis {

struct LanczosOptions {
  int64_t steps = 0;  // m; 0: min(n, max(40, 3·(top + bottom)))
  uint64_t seed = 0;  // for the start vector (Gaussian) and restarts
  Vector start = {};  // optional start vector (n entries, nonzero)
  // After an invariant subspace is found, continue from a fresh random vector (eigenpairs)
  // or stop (quadrature, where only the start vector's Krylov space matters).
  bool restart_on_breakdown = true;
};

// The raw Lanczos decomposition A Q ≈ Q T.
struct LanczosDecomposition {
  std::vector<double> alpha;  // diagonal of T (m entries)
  std::vector<double> beta;   // off-diagonal of T (m − 1 entries; 0 where it restarted)
  double beta_last = 0.0;     // β_m, the norm of the final residual
  std::vector<Vector> basis;  // q₁ … q_m
  int64_t matvecs = 0;
};

LanczosDecomposition lanczos(const LinearOperator& op, int64_t steps,
                             const LanczosOptions& options);

// The eigen-decomposition of T (values ascending; vectors column-major: vector j is entries
// [j·m, (j+1)·m)).
struct TridiagonalEigen {
  std::vector<double> values;
  std::vector<std::vector<double>> vectors;
};
TridiagonalEigen tridiagonal_eigen(const std::vector<double>& alpha,
                                   const std::vector<double>& beta);

struct Eigenpairs {
  std::vector<double> values;     // top: descending; bottom: ascending
  std::vector<Vector> vectors;    // unit Ritz vectors
  std::vector<double> residuals;  // ‖A y − θ y‖ estimates
};

struct ExtremeEigenpairs {
  Eigenpairs top;     // the k largest
  Eigenpairs bottom;  // the k smallest
  int64_t steps = 0;
  int64_t matvecs = 0;
};

// The `top` largest and `bottom` smallest eigenpairs from one Lanczos run (ValueError when
// top + bottom exceeds n or the step count, or a count is negative).
ExtremeEigenpairs extreme_eigenpairs(const LinearOperator& op, int64_t top, int64_t bottom,
                                     const LanczosOptions& options = {});

}  // namespace descent::analysis
