#pragma once
// First- and second-order Taylor models of a loss around θ0 along a direction d:
//
//   m1(t) = L(θ0) + t ∇L(θ0)ᵀd
//   m2(t) = m1(t) + ½ t² dᵀH(θ0)d
//
// ∇Lᵀd comes from one backward pass with create_graph; H d from differentiating that scalar
// again (the exact Hessian-vector product by double backward, no finite differences).
// For a smooth loss the model errors |L(θ0 + t d) − m_k(t)| shrink like t^{k+1} as t → 0, so on
// a log–log plot they are lines of slope 2 and 3 (until rounding takes over at tiny t).
//
// A loss is given as a function of a list of parameter tensors (float64 recommended); the
// parameters passed to it are fresh leaves, so it must build its value from them.
#include <functional>
#include <vector>

#include "descent/analysis/problems.h"
#include "descent/core/tensor.h"

namespace descent::analysis {

using ParamLoss = std::function<Tensor(const std::vector<Tensor>& params)>;

struct DirectionalModel {
  double loss = 0.0;       // L(θ0)
  double slope = 0.0;      // ∇L(θ0)ᵀd
  double curvature = 0.0;  // dᵀH(θ0)d
  double m1(double t) const { return loss + t * slope; }
  double m2(double t) const { return m1(t) + 0.5 * t * t * curvature; }
};

// ShapeError when d does not match θ0 tensor by tensor.
DirectionalModel directional_model(const ParamLoss& loss, const std::vector<Tensor>& theta0,
                                   const std::vector<Tensor>& direction);

struct ModelErrorRow {
  double t = 0.0;
  double loss = 0.0;    // L(θ0 + t d)
  double error1 = 0.0;  // |L − m1(t)|
  double error2 = 0.0;  // |L − m2(t)|
};

// The model at θ0 and its errors at each step size t (any sign, nonzero).
std::vector<ModelErrorRow> model_errors(const ParamLoss& loss, const std::vector<Tensor>& theta0,
                                        const std::vector<Tensor>& direction,
                                        const std::vector<double>& steps);

// Least-squares slope of log y against log x over the points with x > 0 and y > 0.
// ValueError when fewer than two such points remain or all x are equal.
double loglog_slope(const std::vector<double>& x, const std::vector<double>& y);

// θ + t d, tensor by tensor (in θ's dtype, no autograd history).
std::vector<Tensor> step_along(const std::vector<Tensor>& theta, const std::vector<Tensor>& d,
                               double t);

// A 2-D problem and its first- and second-order models around (x0, y0) on an n×n grid over
// `range` (x varies fastest): f, m1 = f0 + gᵀΔ, m2 = m1 + ½ ΔᵀHΔ with Δ = (x − x0, y − y0).
struct LocalModelGrid2 {
  std::string problem;
  double x0 = 0.0, y0 = 0.0;
  double value = 0.0;                               // f(x0, y0)
  double gradient[2] = {0.0, 0.0};                  // ∇f(x0, y0)
  double hessian[2][2] = {{0.0, 0.0}, {0.0, 0.0}};  // ∇²f(x0, y0), by double backward
  std::vector<double> x = {}, y = {};               // grid axes (n each)
  std::vector<double> f = {}, m1 = {}, m2 = {};     // n·n values, index j·n + i for (x[i], y[j])
};

// ValueError for n < 2 or an empty range.
LocalModelGrid2 local_model_grid(const Problem& problem, double x0, double y0, const Range2& range,
                                 int n);

}  // namespace descent::analysis
