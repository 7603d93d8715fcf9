#pragma once
// A symmetric linear map v ↦ A v on ℝⁿ known only through its products (a matrix-free
// operator): the Hessian, the Gauss–Newton matrix, or an explicit matrix in tests. The
// curvature instruments (Lanczos, power iteration, trace estimators, spectral density) see
// nothing else, so each works on every operator and its cost is counted in matvecs.
//
// Vectors are float64 whatever the model's dtype: the orthogonalizations and dot products of
// Krylov methods lose accuracy quickly in float32, while the matvec itself (the expensive part)
// runs in the model's dtype.
#include <cstdint>
#include <functional>
#include <vector>

#include "descent/core/rng.h"

namespace descent::analysis {

using Vector = std::vector<double>;

struct LinearOperator {
  int64_t n = 0;                                 // dimension
  std::function<Vector(const Vector& v)> apply;  // A v (v has n entries)

  // A v, checking the sizes of v and of the result (ValueError names `what`).
  Vector operator()(const Vector& v) const;
};

// The operator of an explicit n×n row-major matrix (assumed symmetric; not checked).
LinearOperator dense_operator(std::vector<double> matrix, int64_t n);

// The n×n row-major matrix of an operator, one matvec per column e_j (for small n, tests and
// the full eigendecomposition references).
std::vector<double> materialize(const LinearOperator& op);

// --- small vector helpers shared by the Krylov methods ---
double dot(const Vector& a, const Vector& b);
double norm(const Vector& a);
// y ← y + a·x
void axpy(double a, const Vector& x, Vector& y);
// x ← x / ‖x‖; returns ‖x‖ (x is left unchanged when it is zero).
double normalize(Vector& x);
// Entries ±1 with probability ½ each (Rademacher), and standard normal entries.
Vector rademacher(int64_t n, Generator& gen);
Vector gaussian(int64_t n, Generator& gen);

}  // namespace descent::analysis
