// /api/problem/grid and /api/race: the 2-D problems and the optimizer race of page 2
// (analysis/problems, app/race).
#include <descent/analysis/problems.h>
#include <descent/app/json_reader.h>
#include <descent/app/race.h>
#include <descent/core/tensor.h>
#include <fmt/core.h>

#include "serve/api.h"
#include "serve/request.h"

namespace descent::serve {
namespace {

constexpr int64_t kMaxOptimizers = 8;
constexpr int64_t kMaxGrid = 400;
constexpr int64_t kMaxRaceSteps = 5000;

Json point_list(const std::vector<analysis::Point2>& points) {
  Json out = Json::array();
  for (const analysis::Point2& p : points) out.push_back({p.x, p.y, p.value});
  return out;
}

}  // namespace

Json problem_json(const analysis::Problem& p) {
  return {{"name", p.name},
          {"formula", p.formula},
          {"range", {p.range.x_min, p.range.x_max, p.range.y_min, p.range.y_max}},
          {"start", {p.start.x, p.start.y}},
          {"minima", point_list(p.minima)},
          {"saddle_points", point_list(p.saddle_points)}};
}

Json api_problem_grid(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  const analysis::Problem p = analysis::problem_by_name(r.require<std::string>("function"));
  const int64_t n = r.get<int64_t>("n", 80);
  r.finish({"function", "n"});
  if (n < 2 || n > kMaxGrid) r.fail("n", fmt::format("must be in [2, {}]", kMaxGrid));
  // One batched evaluation of f over all grid points: xy has shape [n·n, 2], row-major by y.
  std::vector<double> xy;
  xy.reserve(static_cast<size_t>(2 * n * n));
  const analysis::Range2& g = p.range;
  for (int64_t j = 0; j < n; ++j) {
    const double y = g.y_min + (g.y_max - g.y_min) * static_cast<double>(j) / (n - 1);
    for (int64_t i = 0; i < n; ++i) {
      xy.push_back(g.x_min + (g.x_max - g.x_min) * static_cast<double>(i) / (n - 1));
      xy.push_back(y);
    }
  }
  const Tensor values = p.value(from_vector(xy, Shape{n * n, 2}, DType::Float64));
  Json out = problem_json(p);
  out["n"] = n;
  out["values"] = values.to_vector<double>();
  return out;
}

Json api_race(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  app::RaceOptions options;
  options.function = r.require<std::string>("function");
  const nlohmann::json* specs = r.raw("optimizers");
  if (specs == nullptr) r.fail("optimizers", "is required");
  if (!specs->is_array() || specs->empty() || static_cast<int64_t>(specs->size()) > kMaxOptimizers)
    r.fail("optimizers", fmt::format("expected a list of 1 to {} optimizer specs", kMaxOptimizers));
  for (size_t i = 0; i < specs->size(); ++i) {
    if (!(*specs)[i].is_string())
      app::config_error(
          app::index_path("optimizers", i),
          "expected a spec like \"adam:lr=0.1\", got " + app::describe_json((*specs)[i]));
    options.optimizers.push_back((*specs)[i].get<std::string>());
  }
  options.steps = r.get<int64_t>("steps", 100);
  if (options.steps < 0 || options.steps > kMaxRaceSteps)
    r.fail("steps", fmt::format("must be in [0, {}]", kMaxRaceSteps));
  if (r.has("start")) options.start = number_pair(r, "start");
  r.finish({"function", "optimizers", "steps", "start"});
  return app::race_json(app::run_race(options));
}

}  // namespace descent::serve
