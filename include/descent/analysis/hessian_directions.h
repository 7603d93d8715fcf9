#pragma once
// The top two eigenvectors of the loss Hessian as the directions of a 2-D landscape slice
// (analysis/landscape.h): the plane in which the loss curves most. Along a unit eigenvector
// v_i with H v_i = λ_i v_i the quadratic model of the loss around θ0 is
//
//   L(θ0 + t v_i) ≈ L(θ0) + t ∇L·v_i + λ_i t²/2,
//
// so the slice shows the sharpest valley of the landscape, and its second difference at the
// centre, (L(h) − 2 L(0) + L(−h)) / h², is λ_i (exactly so for a quadratic loss). Unlike random
// filter-normalized directions, these are unit vectors in the flat parameter space (‖v_i‖ = 1),
// so the slice's coordinates are Euclidean distances.
//
// The eigenpairs come from Lanczos (analysis/lanczos.h) on exact Hessian-vector products.
#include <vector>

#include "descent/analysis/hessian.h"
#include "descent/analysis/lanczos.h"
#include "descent/analysis/landscape.h"

namespace descent::analysis {

struct HessianDirections {
  Directions directions;            // d1 = v1, d2 = v2, shaped and typed like the parameters
  std::vector<double> eigenvalues;  // λ1 ≥ λ2
  std::vector<double> residuals;    // ‖H v − λ v‖ estimates of each
  int64_t matvecs = 0;
};

// The two largest eigenpairs of `hessian` (ValueError when it has fewer than two parameters).
HessianDirections top_hessian_directions(const HessianOperator& hessian,
                                         const LanczosOptions& options = {});

}  // namespace descent::analysis
