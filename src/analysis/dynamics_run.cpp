// The quadratic L = ½θᵀAθ from eigenvalues, a matrix or a design matrix; a real run of descent's
// SGD on it; and the report that sets the closed form next to that run (see dynamics.h).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "descent/analysis/dynamics.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/optim/spec.h"

namespace descent::analysis {
namespace {

constexpr int64_t kMaxSteps = 1'000'000;

// Qᵀθ: the coordinates of θ in the eigenbasis.
std::vector<double> to_eigenbasis(const SymmetricEigen& e, const std::vector<double>& theta) {
  std::vector<double> x(static_cast<size_t>(e.n), 0.0);
  for (int64_t j = 0; j < e.n; ++j)
    for (int64_t k = 0; k < e.n; ++k) x[j] += e.vectors[k * e.n + j] * theta[k];
  return x;
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace

Quadratic quadratic_from_eigenvalues(const std::vector<double>& eigenvalues) {
  if (eigenvalues.empty()) throw ValueError("dynamics: the list of eigenvalues is empty");
  const auto n = static_cast<int64_t>(eigenvalues.size());
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(eigenvalues[i])) {
      throw ValueError(fmt::format("dynamics: eigenvalue {} is not finite: {}", i, eigenvalues[i]));
    }
    a[i * n + i] = eigenvalues[i];
  }
  return quadratic_from_matrix(a, n);
}

Quadratic quadratic_from_matrix(const std::vector<double>& a, int64_t n) {
  return {.n = n, .a = a, .eigen = symmetric_eigen(a, n)};
}

Quadratic quadratic_from_design(const std::vector<double>& x, int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0) {
    throw ValueError(fmt::format("dynamics: design matrix must have positive dimensions, got {}x{}",
                                 rows, cols));
  }
  if (static_cast<int64_t>(x.size()) != rows * cols) {
    throw ShapeError(fmt::format("dynamics: design matrix {}x{} needs {} entries, got {}", rows,
                                 cols, rows * cols, x.size()));
  }
  std::vector<double> a(static_cast<size_t>(cols * cols), 0.0);  // A = XᵀX
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < cols; ++i)
      for (int64_t j = 0; j < cols; ++j) a[i * cols + j] += x[r * cols + i] * x[r * cols + j];
  return quadratic_from_matrix(a, cols);
}

std::vector<std::vector<double>> iterate_quadratic(const Quadratic& q, const StepRule& rule,
                                                   const std::vector<double>& start,
                                                   int64_t steps) {
  rule.validate();
  if (static_cast<int64_t>(start.size()) != q.n) {
    throw ValueError(fmt::format("dynamics: start has {} values, the quadratic has dimension {}",
                                 start.size(), q.n));
  }
  const Tensor a = from_vector(q.a, {q.n, q.n}, DType::Float64);
  Tensor theta = from_vector(start, {q.n}, DType::Float64);
  theta.set_requires_grad(true);
  std::unique_ptr<optim::Optimizer> opt = optim::make_optimizer(rule.optimizer_spec(), {theta});
  std::vector<std::vector<double>> path;
  path.reserve(static_cast<size_t>(steps) + 1);
  path.push_back(theta.detach().to_vector<double>());
  for (int64_t t = 0; t < steps; ++t) {
    opt->zero_grad();
    const Tensor loss = 0.5 * sum(theta * matmul(a, theta));  // ∇ = ½(A + Aᵀ)θ = Aθ
    loss.backward();
    opt->step();
    path.push_back(theta.detach().to_vector<double>());
  }
  return path;
}

DynamicsReport analyze_dynamics(const Quadratic& q, const StepRule& rule, int64_t steps,
                                const std::vector<double>& start) {
  rule.validate();
  if (steps < 0 || steps > kMaxSteps) {
    throw ValueError(
        fmt::format("dynamics: steps must be between 0 and {}, got {}", kMaxSteps, steps));
  }
  DynamicsReport r;
  r.rule = rule;
  r.steps = steps;
  r.start = start;
  if (r.start.empty()) r.start.assign(static_cast<size_t>(q.n), 1.0);
  for (size_t i = 0; i < r.start.size(); ++i) {
    if (!std::isfinite(r.start[i]))
      throw ValueError(fmt::format("dynamics: start value {} is not finite", i));
  }
  for (double l : q.eigen.values) r.directions.push_back(direction_dynamics(l, rule));
  r.bounds = dynamics_bounds(q.eigen.values, rule);

  const std::vector<std::vector<double>> path = iterate_quadratic(q, rule, r.start, steps);
  const std::vector<double> x0 = to_eigenbasis(q.eigen, r.start);
  const double x0_scale = max_abs(x0);
  for (int64_t t = 0; t <= steps; ++t) {
    std::vector<double> closed(static_cast<size_t>(q.n));
    for (int64_t i = 0; i < q.n; ++i)
      closed[i] = closed_form_factor(q.eigen.values[i], rule, t) * x0[i];
    std::vector<double> iterated = to_eigenbasis(q.eigen, path[t]);
    double dev = 0.0;
    for (int64_t i = 0; i < q.n; ++i) dev = std::max(dev, std::abs(closed[i] - iterated[i]));
    // A non-finite difference (both runs overflowed, or only one did) is reported as is.
    const double scale = std::max({x0_scale, max_abs(iterated), 1e-300});
    r.max_deviation = std::max(r.max_deviation, std::isfinite(dev) ? dev / scale : dev);
    if (std::isnan(dev)) r.max_deviation = dev;
    r.closed.push_back(std::move(closed));
    r.iterated.push_back(std::move(iterated));
  }
  return r;
}

}  // namespace descent::analysis
