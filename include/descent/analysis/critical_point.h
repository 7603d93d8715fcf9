#pragma once
// What kind of stationary point θ is, from the signs of the Hessian's eigenvalues (the
// second-order Taylor model L(θ + Δ) ≈ L(θ) + ½ ΔᵀHΔ where ∇L(θ) = 0):
//
//   minimum     every λ_i >  tol      (L rises in every direction)
//   maximum     every λ_i < −tol      (L falls in every direction)
//   saddle      some λ_i > tol and some λ_j < −tol   (a strict saddle: a direction of descent)
//   degenerate  otherwise: some |λ_i| ≤ tol and no sign change; the second-order model cannot
//               decide (x³, the monkey saddle x³ − 3xy², the flat valleys of x⁴ + y⁴)
//
// The Hessian is formed in full (one backward per row) and diagonalized by the Jacobi method,
// so this is for the 2-D problems and small models (n up to a few hundred). The gradient norm
// is reported beside it: the classification describes the curvature at θ, which only makes a
// point "critical" when ‖∇L‖ is small as well.
#include <string>
#include <vector>

#include "descent/analysis/hessian.h"
#include "descent/analysis/problems.h"

namespace descent::analysis {

enum class CriticalPointKind { Minimum, Maximum, Saddle, Degenerate };

// "minimum", "maximum", "saddle", "degenerate".
std::string to_string(CriticalPointKind kind);

// The classification of a spectrum with tolerance tol ≥ 0 (ValueError for an empty list,
// a non-finite eigenvalue or a negative tol).
CriticalPointKind classify_spectrum(const std::vector<double>& eigenvalues, double tol);

struct CriticalPoint {
  CriticalPointKind kind = CriticalPointKind::Degenerate;
  std::vector<double> eigenvalues;  // of the Hessian, ascending
  double gradient_norm = 0.0;       // ‖∇L(θ)‖₂
};

// At the current values of `params`.
CriticalPoint classify_critical_point(const std::vector<Tensor>& params, const LossClosure& loss,
                                      double tol = 1e-8);
// A 2-D problem at (x, y), in float64.
CriticalPoint classify_critical_point(const Problem& problem, double x, double y,
                                      double tol = 1e-8);

}  // namespace descent::analysis
