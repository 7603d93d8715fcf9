// Top-two Hessian eigenvectors as landscape directions (see hessian_directions.h).
#include "descent/analysis/hessian_directions.h"

#include <fmt/core.h>

#include "descent/analysis/param_vector.h"
#include "descent/core/error.h"

namespace descent::analysis {

HessianDirections top_hessian_directions(const HessianOperator& hessian,
                                         const LanczosOptions& options) {
  if (hessian.dim() < 2) {
    throw ValueError(
        fmt::format("hessian directions: need at least 2 parameters for two directions, got {}",
                    hessian.dim()));
  }
  const int64_t before = hessian.matvecs();
  const ExtremeEigenpairs e = extreme_eigenpairs(hessian.as_operator(), 2, 0, options);
  HessianDirections out;
  out.directions.d1 = unflatten(e.top.vectors.at(0), hessian.params());
  out.directions.d2 = unflatten(e.top.vectors.at(1), hessian.params());
  out.eigenvalues = e.top.values;
  out.residuals = e.top.residuals;
  out.matvecs = hessian.matvecs() - before;
  return out;
}

}  // namespace descent::analysis
