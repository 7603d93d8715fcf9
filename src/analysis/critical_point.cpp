// Minimum / maximum / saddle / degenerate from the Hessian's eigenvalue signs.
#include "descent/analysis/critical_point.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/analysis/linear_operator.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {

std::string to_string(CriticalPointKind kind) {
  switch (kind) {
    case CriticalPointKind::Minimum:
      return "minimum";
    case CriticalPointKind::Maximum:
      return "maximum";
    case CriticalPointKind::Saddle:
      return "saddle";
    case CriticalPointKind::Degenerate:
      return "degenerate";
  }
  return "degenerate";
}

CriticalPointKind classify_spectrum(const std::vector<double>& eigenvalues, double tol) {
  if (eigenvalues.empty()) throw ValueError("classify_spectrum: no eigenvalues");
  if (!(tol >= 0.0) || !std::isfinite(tol)) {
    throw ValueError(fmt::format("classify_spectrum: tol must be finite and ≥ 0, got {}", tol));
  }
  bool positive = false, negative = false, flat = false;
  for (size_t i = 0; i < eigenvalues.size(); ++i) {
    const double l = eigenvalues[i];
    if (!std::isfinite(l)) {
      throw ValueError(fmt::format("classify_spectrum: eigenvalue {} is {}", i, l));
    }
    positive |= l > tol;
    negative |= l < -tol;
    flat |= std::abs(l) <= tol;
  }
  if (positive && negative) return CriticalPointKind::Saddle;
  if (flat) return CriticalPointKind::Degenerate;
  return positive ? CriticalPointKind::Minimum : CriticalPointKind::Maximum;
}

CriticalPoint classify_critical_point(const std::vector<Tensor>& params, const LossClosure& loss,
                                      double tol) {
  const HessianOperator h(params, loss);
  const SymmetricEigen e = symmetric_eigen(h.full(), h.dim());
  return {.kind = classify_spectrum(e.values, tol),
          .eigenvalues = e.values,
          .gradient_norm = norm(h.gradient())};
}

CriticalPoint classify_critical_point(const Problem& problem, double x, double y, double tol) {
  Tensor xy = tensor({x, y}, DType::Float64);
  xy.set_requires_grad(true);
  return classify_critical_point(
      {xy}, [&] { return problem.value(xy); }, tol);
}

}  // namespace descent::analysis
