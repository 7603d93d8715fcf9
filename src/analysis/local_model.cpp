// First- and second-order models of a loss along a direction (see local_model.h).
#include "descent/analysis/local_model.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

void check_matching(const std::vector<Tensor>& theta, const std::vector<Tensor>& d) {
  if (theta.size() != d.size()) {
    throw ShapeError(
        fmt::format("direction has {} tensors, parameters have {}", d.size(), theta.size()));
  }
  for (size_t i = 0; i < theta.size(); ++i) {
    if (theta[i].shape() != d[i].shape()) {
      throw ShapeError(fmt::format("direction tensor {} has shape {}, parameter has {}", i,
                                   d[i].shape().str(), theta[i].shape().str()));
    }
  }
}

// Σ_i ⟨a_i, b_i⟩ as a differentiable scalar.
Tensor dot_all(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  Tensor s = sum(a[0] * b[0]);
  for (size_t i = 1; i < a.size(); ++i) s = s + sum(a[i] * b[i]);
  return s;
}

double eval_loss(const ParamLoss& loss, const std::vector<Tensor>& theta) {
  NoGradGuard no_grad;
  return loss(theta).item();
}

}  // namespace

std::vector<Tensor> step_along(const std::vector<Tensor>& theta, const std::vector<Tensor>& d,
                               double t) {
  check_matching(theta, d);
  NoGradGuard no_grad;
  std::vector<Tensor> out;
  for (size_t i = 0; i < theta.size(); ++i) {
    out.push_back(theta[i].detach() + to(d[i].detach(), theta[i].dtype()) * t);
  }
  return out;
}

DirectionalModel directional_model(const ParamLoss& loss, const std::vector<Tensor>& theta0,
                                   const std::vector<Tensor>& direction) {
  check_matching(theta0, direction);
  std::vector<Tensor> leaves;
  std::vector<Tensor> d;
  for (size_t i = 0; i < theta0.size(); ++i) {
    leaves.push_back(clone(theta0[i].detach()).set_requires_grad(true));
    d.push_back(to(direction[i].detach(), theta0[i].dtype()));
  }
  const Tensor value = loss(leaves);
  // g(θ)ᵀd as a graph; its gradient is H d (d is constant), so dᵀH d = ⟨∇(gᵀd), d⟩.
  const std::vector<Tensor> g = grad({value}, leaves, {.create_graph = true});
  const Tensor slope = dot_all(g, d);
  const std::vector<Tensor> hd = grad({slope}, leaves, {.allow_unused = true});
  double curvature = 0.0;
  for (size_t i = 0; i < hd.size(); ++i) {
    if (hd[i].defined()) curvature += sum(hd[i] * d[i]).item();
  }
  return {.loss = value.item(), .slope = slope.item(), .curvature = curvature};
}

std::vector<ModelErrorRow> model_errors(const ParamLoss& loss, const std::vector<Tensor>& theta0,
                                        const std::vector<Tensor>& direction,
                                        const std::vector<double>& steps) {
  const DirectionalModel m = directional_model(loss, theta0, direction);
  std::vector<ModelErrorRow> rows;
  for (double t : steps) {
    if (!std::isfinite(t) || t == 0.0) {
      throw ValueError(fmt::format("model_errors: step {} must be finite and nonzero", t));
    }
    const double l = eval_loss(loss, step_along(theta0, direction, t));
    rows.push_back(
        {.t = t, .loss = l, .error1 = std::abs(l - m.m1(t)), .error2 = std::abs(l - m.m2(t))});
  }
  return rows;
}

double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) {
    throw ValueError(fmt::format("loglog_slope: {} x values, {} y values", x.size(), y.size()));
  }
  // Ordinary least squares of v = log y on u = log x: slope = Σ(u−ū)(v−v̄) / Σ(u−ū)².
  std::vector<double> u, v;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] > 0 && y[i] > 0 && std::isfinite(x[i]) && std::isfinite(y[i])) {
      u.push_back(std::log(x[i]));
      v.push_back(std::log(y[i]));
    }
  }
  if (u.size() < 2) throw ValueError("loglog_slope: fewer than two positive points");
  double mu = 0, mv = 0;
  for (size_t i = 0; i < u.size(); ++i) mu += u[i], mv += v[i];
  mu /= static_cast<double>(u.size());
  mv /= static_cast<double>(v.size());
  double suv = 0, suu = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    suv += (u[i] - mu) * (v[i] - mv);
    suu += (u[i] - mu) * (u[i] - mu);
  }
  if (suu == 0.0) throw ValueError("loglog_slope: all x values are equal");
  return suv / suu;
}

LocalModelGrid2 local_model_grid(const Problem& problem, double x0, double y0, const Range2& range,
                                 int n) {
  if (n < 2) throw ValueError(fmt::format("local_model_grid: n = {} < 2", n));
  if (!(range.x_min < range.x_max) || !(range.y_min < range.y_max)) {
    throw ValueError("local_model_grid: empty range");
  }
  LocalModelGrid2 out{.problem = problem.name, .x0 = x0, .y0 = y0};
  Tensor p = tensor({x0, y0}, DType::Float64).set_requires_grad(true);
  const Tensor f0 = problem.value(p);
  const Tensor g = grad(f0, p, {.create_graph = true});
  out.value = f0.item();
  const std::vector<double> gv = g.detach().to_vector<double>();
  out.gradient[0] = gv[0];
  out.gradient[1] = gv[1];
  // Row r of the Hessian is ∇(∂f/∂p_r).
  for (int r = 0; r < 2; ++r) {
    const Tensor hr = grad(select(g, 0, r), p, {.retain_graph = true, .allow_unused = true});
    const std::vector<double> row =
        hr.defined() ? hr.to_vector<double>() : std::vector<double>{0.0, 0.0};
    out.hessian[r][0] = row[0];
    out.hessian[r][1] = row[1];
  }
  for (int i = 0; i < n; ++i) {
    out.x.push_back(range.x_min + (range.x_max - range.x_min) * i / (n - 1));
    out.y.push_back(range.y_min + (range.y_max - range.y_min) * i / (n - 1));
  }
  std::vector<double> xy;
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      xy.push_back(out.x[static_cast<size_t>(i)]);
      xy.push_back(out.y[static_cast<size_t>(j)]);
      const double dx = xy[xy.size() - 2] - x0, dy = xy.back() - y0;
      const double m1 = out.value + out.gradient[0] * dx + out.gradient[1] * dy;
      const double q = out.hessian[0][0] * dx * dx + 2 * out.hessian[0][1] * dx * dy +
                       out.hessian[1][1] * dy * dy;
      out.m1.push_back(m1);
      out.m2.push_back(m1 + 0.5 * q);
    }
  }
  NoGradGuard no_grad;
  out.f = problem.value(from_vector(xy, Shape{static_cast<int64_t>(n) * n, 2}, DType::Float64))
              .to_vector<double>();
  return out;
}

}  // namespace descent::analysis
