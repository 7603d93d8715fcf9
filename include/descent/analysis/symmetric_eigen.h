#pragma once
// Eigen-decomposition of a small real symmetric matrix by the cyclic Jacobi eigenvalue algorithm
// (float64). Each rotation zeroes one off-diagonal pair (p, q):
//
//   θ = (a_qq − a_pp) / (2 a_pq),  t = sign(θ) / (|θ| + √(θ² + 1)),  c = 1/√(t² + 1),  s = t c
//   A ← Jᵀ A J,  V ← V J      (J the plane rotation [[c, s], [−s, c]] in rows/columns p, q)
//
// Sweeps repeat until the off-diagonal mass Σ_{i≠j} a_ij² is below (1e-15 · ‖A‖_F)²; Jacobi
// converges quadratically, so 6–10 sweeps suffice for n ≤ 100. The eigenvectors are orthonormal
// to rounding and each eigenvalue is accurate to ~ε‖A‖. Cost O(n³) per sweep: meant for the
// small matrices of the dynamics demos (n up to a few hundred).
#include <cstdint>
#include <vector>

namespace descent::analysis {

struct SymmetricEigen {
  int64_t n = 0;
  std::vector<double> values;   // ascending
  std::vector<double> vectors;  // n×n row-major; column j is the unit eigenvector of values[j]
  int sweeps = 0;               // Jacobi sweeps used
};

// `a` is n×n row-major. ValueError for n ≤ 0, a size that is not n², non-finite entries, or an
// asymmetric pair |a_ij − a_ji| > 1e-12 · max|a| (the message names i, j and both values).
// The input is symmetrized as ½(A + Aᵀ) before the sweeps.
SymmetricEigen symmetric_eigen(const std::vector<double>& a, int64_t n);

}  // namespace descent::analysis
