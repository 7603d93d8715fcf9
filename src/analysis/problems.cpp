// The 2-D test problems, each written with differentiable ops (see problems.h for formulas).
#include "descent/analysis/problems.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

constexpr double kPi = std::numbers::pi;

Tensor X(const Tensor& xy) {
  return select(xy, -1, 0);
}
Tensor Y(const Tensor& xy) {
  return select(xy, -1, 1);
}
Tensor sq(const Tensor& t) {
  return t * t;
}

// Fills in the value of each listed point from the problem itself.
Problem finish(Problem p) {
  p.start.value = p(p.start.x, p.start.y);
  for (Point2& m : p.minima) m.value = p(m.x, m.y);
  for (Point2& s : p.saddle_points) s.value = p(s.x, s.y);
  return p;
}

}  // namespace

double Problem::operator()(double x, double y) const {
  return value(tensor({x, y}, DType::Float64)).item();
}

Tensor cos_composite(const Tensor& z) {
  // Range reduction z = mπ + r with m = round(z / π), so |r| ≤ π/2 and cos z = (−1)^m cos r.
  // m and the sign are constants (no gradient through the rounding, whose derivative is zero
  // almost everywhere anyway).
  const Tensor zc = contiguous(to(z.detach(), DType::Float64));
  std::vector<double> shift = zc.to_vector<double>();
  std::vector<double> sign(shift.size());
  for (size_t i = 0; i < shift.size(); ++i) {
    const double m = std::nearbyint(shift[i] / kPi);
    shift[i] = m * kPi;
    sign[i] = std::fmod(std::abs(m), 2.0) == 1.0 ? -1.0 : 1.0;
  }
  const Tensor r = z - from_vector(shift, z.shape(), z.dtype());
  // cos r = Σ_{n ≤ 22} (−1)^n r^{2n} / (2n)!, as a sum of powers rather than Horner's rule: the
  // backward rule of pow makes the k-th derivative of each term one more pow, so the graph of
  // nested derivatives (Taylor coefficients by repeated grad) grows linearly with k, where the
  // products of Horner's rule would double it at every level. The largest term is
  // (π/2)²/2 ≈ 1.23, so rounding stays at a few 1e-16; truncation is below 1e-40 for the value
  // and below 1e-10 for the 30th derivative.
  Tensor c = ones_like(r);
  double fact = 1.0;
  for (int n = 1; n <= 22; ++n) {
    fact *= static_cast<double>((2 * n - 1) * (2 * n));
    c = c + pow(r, 2.0 * n) * ((n % 2 ? -1.0 : 1.0) / fact);
  }
  return c * from_vector(sign, z.shape(), z.dtype());
}

Problem rosenbrock(double a, double b) {
  return finish({.name = "rosenbrock",
                 .formula = fmt::format("({} - x)^2 + {} (y - x^2)^2", a, b),
                 .value =
                     [a, b](const Tensor& xy) {
                       const Tensor x = X(xy);
                       return sq(a - x) + b * sq(Y(xy) - x * x);
                     },
                 .start = {-1.2, 1.0},
                 .range = {-2.0, 2.0, -1.0, 3.0},
                 .minima = {{a, a * a}}});
}

Problem beale() {
  return finish({.name = "beale",
                 .formula = "(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
                 .value =
                     [](const Tensor& xy) {
                       const Tensor x = X(xy), y = Y(xy);
                       const Tensor xy1 = x * y, xy2 = xy1 * y, xy3 = xy2 * y;
                       return sq(1.5 - x + xy1) + sq(2.25 - x + xy2) + sq(2.625 - x + xy3);
                     },
                 .start = {1.0, 1.5},
                 .range = {-4.5, 4.5, -4.5, 4.5},
                 .minima = {{3.0, 0.5}}});
}

Problem booth() {
  return finish({.name = "booth",
                 .formula = "(x + 2y - 7)^2 + (2x + y - 5)^2",
                 .value =
                     [](const Tensor& xy) {
                       const Tensor x = X(xy), y = Y(xy);
                       return sq(x + 2.0 * y - 7.0) + sq(2.0 * x + y - 5.0);
                     },
                 .start = {-8.0, 8.0},
                 .range = {-10.0, 10.0, -10.0, 10.0},
                 .minima = {{1.0, 3.0}}});
}

Problem himmelblau() {
  // The three irrational minima, refined by Newton's method in float64.
  return finish({.name = "himmelblau",
                 .formula = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
                 .value =
                     [](const Tensor& xy) {
                       const Tensor x = X(xy), y = Y(xy);
                       return sq(x * x + y - 11.0) + sq(x + y * y - 7.0);
                     },
                 .start = {0.0, 0.0},
                 .range = {-5.0, 5.0, -5.0, 5.0},
                 .minima = {{3.0, 2.0},
                            {-2.805118086952745, 3.131312518250573},
                            {-3.779310253377747, -3.283185991286169},
                            {3.5844283403304917, -1.8481265269644034}}});
}

Problem saddle() {
  return finish({.name = "saddle",
                 .formula = "x^2 - y^2",
                 .value = [](const Tensor& xy) { return sq(X(xy)) - sq(Y(xy)); },
                 // On the stable manifold but a hair off it, so escape is visible.
                 .start = {1.0, 1e-3},
                 .range = {-2.0, 2.0, -2.0, 2.0},
                 .minima = {},
                 .saddle_points = {{0.0, 0.0}}});
}

Problem monkey_saddle() {
  return finish({.name = "monkey_saddle",
                 .formula = "x^3 - 3 x y^2",
                 .value =
                     [](const Tensor& xy) {
                       const Tensor x = X(xy), y = Y(xy);
                       return x * x * x - 3.0 * x * y * y;
                     },
                 .start = {1.0, 1e-3},
                 .range = {-1.5, 1.5, -1.5, 1.5},
                 .minima = {},
                 .saddle_points = {{0.0, 0.0}}});
}

Problem ill_conditioned_quadratic(double kappa, double angle_deg) {
  if (!(kappa >= 1.0) || !std::isfinite(kappa)) {
    throw ValueError(fmt::format("quadratic: kappa must be a finite number >= 1, got {}", kappa));
  }
  const double th = angle_deg * kPi / 180.0;
  const double c = std::cos(th), s = std::sin(th);
  // (u, v) = R(θ)(x, y): u = c x + s y, v = −s x + c y; the Hessian has eigenvalues 1 and κ.
  return finish(
      {.name = "quadratic",
       .formula = fmt::format("0.5 (u^2 + {} v^2), (u, v) = R({} deg) (x, y)", kappa, angle_deg),
       .value =
           [kappa, c, s](const Tensor& xy) {
             const Tensor x = X(xy), y = Y(xy);
             const Tensor u = c * x + s * y, v = c * y - s * x;
             return 0.5 * (u * u) + (0.5 * kappa) * (v * v);
           },
       .start = {-4.0, 2.0},
       .range = {-5.0, 5.0, -5.0, 5.0},
       .minima = {{0.0, 0.0}}});
}

Problem rastrigin() {
  return finish({.name = "rastrigin",
                 .formula = "20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)",
                 .value =
                     [](const Tensor& xy) {
                       const Tensor x = X(xy), y = Y(xy);
                       return 20.0 + x * x - 10.0 * cos_composite(2 * kPi * x) + y * y -
                              10.0 * cos_composite(2 * kPi * y);
                     },
                 .start = {2.2, -1.6},
                 .range = {-5.12, 5.12, -5.12, 5.12},
                 .minima = {{0.0, 0.0}}});
}

Problem goldstein_price() {
  return finish({.name = "goldstein_price",
                 .formula = "[1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)] "
                            "[30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
                 .value =
                     [](const Tensor& xy) {
                       const Tensor x = X(xy), y = Y(xy);
                       const Tensor a =
                           1.0 + sq(x + y + 1.0) * (19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y +
                                                    6.0 * (x * y) + 3.0 * (y * y));
                       const Tensor b = 30.0 + sq(2.0 * x - 3.0 * y) *
                                                   (18.0 - 32.0 * x + 12.0 * (x * x) + 48.0 * y -
                                                    36.0 * (x * y) + 27.0 * (y * y));
                       return a * b;
                     },
                 .start = {-0.5, 1.5},
                 .range = {-2.0, 2.0, -3.0, 1.0},
                 .minima = {{0.0, -1.0}}});
}

const std::vector<std::string>& problem_names() {
  static const std::vector<std::string> names = {"rosenbrock", "beale",     "booth",
                                                 "himmelblau", "saddle",    "monkey_saddle",
                                                 "quadratic",  "rastrigin", "goldstein_price"};
  return names;
}

Problem problem_by_name(const std::string& name) {
  std::string key = name;
  std::replace(key.begin(), key.end(), '-', '_');  // "goldstein-price" works too
  if (key == "rosenbrock") return rosenbrock();
  if (key == "beale") return beale();
  if (key == "booth") return booth();
  if (key == "himmelblau") return himmelblau();
  if (key == "saddle") return saddle();
  if (key == "monkey_saddle") return monkey_saddle();
  if (key == "quadratic") return ill_conditioned_quadratic();
  if (key == "rastrigin") return rastrigin();
  if (key == "goldstein_price") return goldstein_price();
  std::string valid;
  for (const std::string& n : problem_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw ValueError(fmt::format("unknown function '{}'; valid names: {}", name, valid));
}

}  // namespace descent::analysis
