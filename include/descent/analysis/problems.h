#pragma once
// Classic 2-D test functions for watching optimizers move: valleys, saddles, ill-conditioning
// and many local minima. Each value() is built from descent's differentiable ops, so gradients,
// Hessians and Hessian-vector products come from autograd (grad(), create_graph) exactly.
//
// value() takes xy of shape [..., 2] (a point, or a batch of points for a landscape grid) and
// returns shape [...]; it works in the dtype of xy (use float64 for trajectories).
//
//   rosenbrock      (a − x)² + b (y − x²)²,  a = 1, b = 100             min (1, 1) = 0
//   beale           (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   min (3, 0.5) = 0
//   booth           (x + 2y − 7)² + (2x + y − 5)²                         min (1, 3) = 0
//   himmelblau      (x² + y − 11)² + (x + y² − 7)²                        four minima, all 0
//   saddle          x² − y²                 unbounded below; saddle point (0, 0)
//   monkey_saddle   x³ − 3xy²               unbounded below; degenerate saddle (0, 0)
//   quadratic       ½(u² + κ v²), (u, v) = R(θ)(x, y): condition number κ, axes rotated by θ
//                   (defaults κ = 20, θ = 0)                              min (0, 0) = 0
//   rastrigin       20 + Σ (z² − 10 cos 2πz)  over z ∈ {x, y}             min (0, 0) = 0
//   goldstein_price [1 + (x+y+1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)]
//                 × [30 + (2x−3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]  min (0, −1) = 3
#include <functional>
#include <string>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::analysis {

struct Point2 {
  double x = 0.0;
  double y = 0.0;
  double value = 0.0;  // f(x, y)
};

struct Range2 {
  double x_min, x_max, y_min, y_max;
};

struct Problem {
  std::string name;
  std::string formula;  // for display
  std::function<Tensor(const Tensor& xy)> value;
  Point2 start;                            // a default start (value filled in)
  Range2 range;                            // a plot window showing the interesting structure
  std::vector<Point2> minima = {};         // known global (and listed local) minima
  std::vector<Point2> saddle_points = {};  // known saddle points, where useful for demos

  // f at one point, in float64.
  double operator()(double x, double y) const;
};

Problem rosenbrock(double a = 1.0, double b = 100.0);
Problem beale();
Problem booth();
Problem himmelblau();
Problem saddle();
Problem monkey_saddle();
// Condition number kappa ≥ 1; the principal axes rotated by angle_deg degrees.
Problem ill_conditioned_quadratic(double kappa = 20.0, double angle_deg = 0.0);
Problem rastrigin();
Problem goldstein_price();

// Names accepted by problem_by_name, in a stable order.
const std::vector<std::string>& problem_names();
// The problem with default options; ValueError listing the valid names for an unknown one.
Problem problem_by_name(const std::string& name);

// cos(z) from the op set (which has no trigonometric primitive): z = mπ + r with a constant
// m = round(z/π), then (−1)^m times the degree-44 Taylor polynomial of cos r, |r| ≤ π/2, written
// as a sum of powers of r. Accurate to ~1e-15 and differentiable to every order (a polynomial
// of z), with nested derivatives whose graphs grow only linearly with the order (so Taylor
// coefficients by repeated grad stay cheap). Replace by a primitive cos when the op table gets
// one.
Tensor cos_composite(const Tensor& z);

}  // namespace descent::analysis
