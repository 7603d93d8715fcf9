// Taylor polynomials by nested autodiff (see taylor.h).
#include "descent/analysis/taylor.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "descent/analysis/problems.h"
#include "descent/autograd/engine.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

std::vector<ScalarFunction> all_functions() {
  constexpr double kHalfPi = std::numbers::pi / 2;
  return {
      // The op set has no trigonometric primitive: sin x = cos(x − π/2) through cos_composite,
      // a polynomial accurate to ~1e-15 whose derivatives match cos's to the same order.
      {.name = "sin",
       .formula = "sin(x)",
       .value = [](const Tensor& x) { return cos_composite(x - kHalfPi); }},
      {.name = "cos",
       .formula = "cos(x)",
       .value = [](const Tensor& x) { return cos_composite(x); }},
      {.name = "exp", .formula = "exp(x)", .value = [](const Tensor& x) { return exp(x); }},
      {.name = "log1p",
       .formula = "log(1 + x)",
       .value = [](const Tensor& x) { return log(x + 1.0); },
       .domain_min = -1.0},
      {.name = "tanh", .formula = "tanh(x)", .value = [](const Tensor& x) { return tanh(x); }},
      {.name = "sigmoid",
       .formula = "1 / (1 + exp(-x))",
       .value = [](const Tensor& x) { return sigmoid(x); }},
  };
}

}  // namespace

const std::vector<std::string>& scalar_function_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const ScalarFunction& f : all_functions()) out.push_back(f.name);
    return out;
  }();
  return names;
}

ScalarFunction scalar_function_by_name(const std::string& name) {
  for (ScalarFunction& f : all_functions()) {
    if (f.name == name) return std::move(f);
  }
  throw ValueError(fmt::format("unknown function '{}'; valid: {}", name,
                               fmt::join(scalar_function_names(), ", ")));
}

std::vector<double> taylor_coefficients(const ScalarFunction& f, double x0, int max_degree) {
  if (max_degree < 0) throw ValueError(fmt::format("taylor: degree {} < 0", max_degree));
  if (!std::isfinite(x0) || x0 <= f.domain_min) {
    throw ValueError(fmt::format("taylor: {} is not defined at x0 = {}", f.name, x0));
  }
  Tensor x = scalar_tensor(x0, DType::Float64);
  x.set_requires_grad(true);
  // d_k = f^(k)(x0) as a graph, so d_{k+1} = grad(d_k, x) with create_graph.
  Tensor d = f.value(x);
  std::vector<double> c;
  double factorial = 1.0;
  for (int k = 0; k <= max_degree; ++k) {
    if (k > 0) factorial *= k;
    c.push_back(d.item() / factorial);
    if (k == max_degree) break;
    // A derivative that no longer depends on x (a polynomial's top one) is a constant: the
    // rest are zero.
    if (!d.requires_grad()) {
      c.resize(static_cast<size_t>(max_degree) + 1, 0.0);
      break;
    }
    const Tensor next = grad(d, x, {.create_graph = true, .allow_unused = true});
    if (!next.defined()) {
      c.resize(static_cast<size_t>(max_degree) + 1, 0.0);
      break;
    }
    d = next;
  }
  return c;
}

double taylor_polynomial(const std::vector<double>& coefficients, int degree, double x0, double x) {
  if (degree < 0 || static_cast<size_t>(degree) >= coefficients.size()) {
    throw ValueError(fmt::format("taylor: degree {} needs {} coefficients, have {}", degree,
                                 degree + 1, coefficients.size()));
  }
  const double h = x - x0;
  double p = coefficients[static_cast<size_t>(degree)];
  for (int k = degree - 1; k >= 0; --k) p = p * h + coefficients[static_cast<size_t>(k)];
  return p;
}

TaylorTable taylor_table(const ScalarFunction& f, double x0, const std::vector<int>& degrees,
                         double lo, double hi, int points) {
  if (degrees.empty()) throw ValueError("taylor: no degrees given");
  for (int n : degrees) {
    if (n < 0) throw ValueError(fmt::format("taylor: degree {} < 0", n));
  }
  // hi − lo finite too: the grid's spacing is (hi − lo)/(points − 1).
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || !std::isfinite(hi - lo)) {
    throw ValueError(fmt::format(
        "taylor: range [{}, {}] must have lo < hi, both finite and hi - lo finite", lo, hi));
  }
  if (lo <= f.domain_min) {
    throw ValueError(fmt::format("taylor: range [{}, {}] leaves the domain of {} (x > {})", lo, hi,
                                 f.name, f.domain_min));
  }
  if (points < 2) throw ValueError(fmt::format("taylor: points = {} < 2", points));
  TaylorTable t{.function = f.name, .x0 = x0, .degrees = degrees};
  t.coefficients = taylor_coefficients(f, x0, *std::max_element(degrees.begin(), degrees.end()));
  for (int i = 0; i < points; ++i) t.x.push_back(lo + (hi - lo) * i / (points - 1));
  t.f = f.value(from_vector(t.x, Shape{static_cast<int64_t>(t.x.size())}, DType::Float64))
            .to_vector<double>();
  for (int n : degrees) {
    std::vector<double> p;
    double worst = 0.0;
    for (size_t i = 0; i < t.x.size(); ++i) {
      p.push_back(taylor_polynomial(t.coefficients, n, x0, t.x[i]));
      worst = std::max(worst, std::abs(t.f[i] - p.back()));
    }
    t.polynomial.push_back(std::move(p));
    t.max_error.push_back(worst);
  }
  return t;
}

}  // namespace descent::analysis
