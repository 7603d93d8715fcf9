// /api/dynamics and /api/dynamics/regimes: closed-form GD / momentum dynamics of page 3
// (analysis/dynamics).
#include <descent/analysis/dynamics.h>
#include <descent/app/dynamics_json.h>
#include <descent/app/json_reader.h>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "serve/api.h"
#include "serve/request.h"

namespace descent::serve {
namespace {

constexpr size_t kMaxEigenvalues = 64;
constexpr int64_t kMaxSteps = 5000;
constexpr int64_t kGrid = 61;
constexpr int64_t kMaxRegimeSamples = 2000;

analysis::StepRule read_rule(app::JsonReader& r) {
  analysis::StepRule rule{.lr = r.require<double>("lr"),
                          .momentum = r.get<double>("momentum", 0.0),
                          .nesterov = r.get<bool>("nesterov", false)};
  try {
    rule.validate();
  } catch (const ValueError& e) {
    app::config_error("", e.what());
  }
  return rule;
}

// L(θ) = ½ θᵀAθ on a kGrid × kGrid grid over the square [−h, h]², h = 1.2·max|θ_0|, so the
// start and the minimum are in view.
Json quadratic_grid(const analysis::Quadratic& q, const std::vector<double>& start) {
  const double h = 1.2 * std::max({std::fabs(start[0]), std::fabs(start[1]), 1e-12});
  std::vector<double> values;
  values.reserve(kGrid * kGrid);
  for (int64_t j = 0; j < kGrid; ++j) {
    const double y = -h + 2.0 * h * static_cast<double>(j) / (kGrid - 1);
    for (int64_t i = 0; i < kGrid; ++i) {
      const double x = -h + 2.0 * h * static_cast<double>(i) / (kGrid - 1);
      values.push_back(0.5 * (q.a[0] * x * x + (q.a[1] + q.a[2]) * x * y + q.a[3] * y * y));
    }
  }
  return {{"x_min", -h}, {"x_max", h}, {"y_min", -h},
          {"y_max", h},  {"n", kGrid}, {"values", values}};
}

}  // namespace

Json api_dynamics(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  const std::vector<double> eigenvalues = number_list(r, "eigenvalues");
  if (eigenvalues.empty() || eigenvalues.size() > kMaxEigenvalues)
    r.fail("eigenvalues", fmt::format("expected 1 to {} numbers", kMaxEigenvalues));
  const analysis::StepRule rule = read_rule(r);
  const int64_t steps = r.get<int64_t>("steps", 100);
  if (steps < 0 || steps > kMaxSteps) r.fail("steps", fmt::format("must be in [0, {}]", kMaxSteps));
  std::vector<double> start(eigenvalues.size(), 1.0);
  if (r.has("start")) {
    start = number_list(r, "start");
    if (start.size() != eigenvalues.size())
      r.fail("start", fmt::format("expected {} numbers, one per eigenvalue", eigenvalues.size()));
  }
  r.finish({"eigenvalues", "lr", "momentum", "nesterov", "steps", "start"});

  const analysis::Quadratic q = analysis::quadratic_from_eigenvalues(eigenvalues);
  const analysis::DynamicsReport report = analysis::analyze_dynamics(q, rule, steps, start);
  Json out = app::dynamics_report_json(
      report, fmt::format("A = diag({})", fmt::join(eigenvalues, ", ")), true);
  out["start"] = start;
  if (eigenvalues.size() == 2) {
    out["grid"] = quadratic_grid(q, start);
    // The run in the original coordinates θ_t = Q x_t (x_t in the eigenbasis, ascending λ).
    const std::vector<double>& Q = q.eigen.vectors;
    Json theta = Json::array();
    for (const std::vector<double>& x : report.iterated)
      theta.push_back({Q[0] * x[0] + Q[1] * x[1], Q[2] * x[0] + Q[3] * x[1]});
    out["theta"] = theta;
  }
  return out;
}

Json api_dynamics_regimes(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  const double lambda = r.require<double>("lambda");
  const double momentum = r.get<double>("momentum", 0.0);
  const bool nesterov = r.get<bool>("nesterov", false);
  const double lr_max = r.require<double>("lr_max");
  const int64_t n = r.get<int64_t>("n", 400);
  r.finish({"lambda", "momentum", "nesterov", "lr_max", "n"});
  if (!(lambda > 0.0) || !std::isfinite(lambda)) r.fail("lambda", "must be a finite number > 0");
  if (!(lr_max > 0.0) || !std::isfinite(lr_max)) r.fail("lr_max", "must be a finite number > 0");
  if (n < 2 || n > kMaxRegimeSamples)
    r.fail("n", fmt::format("must be in [2, {}]", kMaxRegimeSamples));

  Json lrs = Json::array(), radii = Json::array(), regimes = Json::array();
  for (int64_t i = 1; i <= n; ++i) {
    const analysis::StepRule rule{
        .lr = lr_max * static_cast<double>(i) / n, .momentum = momentum, .nesterov = nesterov};
    try {
      rule.validate();
    } catch (const ValueError& e) {
      app::config_error("", e.what());
    }
    const analysis::DirectionDynamics d = analysis::direction_dynamics(lambda, rule);
    lrs.push_back(rule.lr);
    radii.push_back(d.spectral_radius);
    regimes.push_back(std::string(analysis::regime_name(d.regime)));
  }
  return {{"lambda", lambda}, {"lr", lrs}, {"spectral_radius", radii}, {"regime", regimes}};
}

}  // namespace descent::serve
