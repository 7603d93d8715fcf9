#pragma once
// The strong-Wolfe line search used by L-BFGS (line_search_fn = "strong_wolfe"), following
// torch.optim.lbfgs (1.13), itself a port of minFunc / torch7's lswolfe.lua.
//
// Along a descent direction d from x, with φ(t) = f(x + t d) and φ'(t) = ∇f(x + t d)ᵀd, it
// looks for a step t satisfying the strong Wolfe conditions
//   sufficient decrease (Armijo):  φ(t) ≤ φ(0) + c1 t φ'(0)
//   curvature:                     |φ'(t)| ≤ −c2 φ'(0)
// in two phases:
//   bracketing: from the initial t, grow the step (by cubic extrapolation within
//     [t + 0.01 (t − t_prev), 10 t]) until the conditions hold or an interval [t_lo, t_hi]
//     is known to contain such a point (Armijo fails, φ stops decreasing, or φ' ≥ 0);
//   zoom: shrink the bracket with the minimizer of the cubic through (t_lo, φ, φ') and
//     (t_hi, φ, φ'), kept at least 10 % of the bracket away from its ends once an
//     interpolation has made too little progress, until the conditions hold, the bracket
//     is shorter than tolerance_change / max|d|, or max_ls evaluations are spent.
// It returns the best (lowest φ) bracket point, which may not satisfy the conditions when
// the search ran out of evaluations.
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace descent::optim {

// Minimizer of the cubic interpolating (x1, f1, g1) and (x2, f2, g2) (values f and
// derivatives g), clamped to `bounds` (default: the interval between x1 and x2). Without a
// real minimizer (the discriminant d1² − g1 g2 < 0) it returns the middle of the bounds.
//   d1 = g1 + g2 − 3 (f1 − f2)/(x1 − x2),  d2 = √(d1² − g1 g2),
//   x* = x2 − (x2 − x1)(g2 + d2 − d1)/(g2 − g1 + 2 d2)   (for x1 ≤ x2; symmetric otherwise)
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt);

struct StrongWolfeOptions {
  double c1 = 1e-4;                // sufficient-decrease constant
  double c2 = 0.9;                 // curvature constant
  double tolerance_change = 1e-9;  // minimum bracket width, in parameter units
  int64_t max_ls = 25;             // evaluations after the first
};

// φ and the gradient at x + t d: what a line search needs from the objective.
struct LinePoint {
  double f;
  std::vector<double> g;
};
using DirectionalObjective = std::function<LinePoint(double t)>;

struct LineSearchResult {
  double f;               // φ(t)
  std::vector<double> g;  // ∇f(x + t d)
  double t;               // the accepted step
  int64_t func_evals;     // objective evaluations spent
};

// Runs the search from step `t` along `d`, given f = φ(0), g = ∇f(x) and gtd = gᵀd (< 0).
LineSearchResult strong_wolfe(const DirectionalObjective& objective, double t,
                              const std::vector<double>& d, double f, const std::vector<double>& g,
                              double gtd, const StrongWolfeOptions& options = {});

}  // namespace descent::optim
