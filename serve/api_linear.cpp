// /api/linear/*: the linear classifier of page 1 (app/linear_classifier).
#include <descent/app/json_reader.h>
#include <descent/app/linear_classifier.h>
#include <descent/app/linear_classifier_json.h>
#include <fmt/core.h>

#include <cmath>
#include <optional>

#include "serve/api.h"
#include "serve/request.h"

namespace descent::serve {
namespace {

constexpr int64_t kMaxPoints = 10000;
constexpr int64_t kMaxClasses = 64;
constexpr int64_t kMaxSteps = 10000;

std::vector<app::Point> read_points(app::JsonReader& r) {
  const nlohmann::json* v = r.raw("points");
  if (v == nullptr) r.fail("points", "is required");
  if (!v->is_array() || v->empty() || static_cast<int64_t>(v->size()) > kMaxPoints)
    r.fail("points", fmt::format("expected a list of 1 to {} points", kMaxPoints));
  std::vector<app::Point> points;
  for (size_t i = 0; i < v->size(); ++i) {
    app::JsonReader p((*v)[i], app::index_path("points", i));
    const std::array<double, 2> x = number_pair(p, "x");
    const int64_t y = p.require<int64_t>("y");
    p.finish({"x", "y"});
    points.push_back({.x0 = x[0], .x1 = x[1], .label = y});
  }
  return points;
}

app::LinearModel read_model(app::JsonReader& r) {
  const nlohmann::json* v = r.raw("params");
  if (v == nullptr) r.fail("params", "is required");
  app::JsonReader p(*v, "params");
  app::LinearModel model;
  model.b = number_list(p, "b");
  const nlohmann::json* w = p.raw("W");
  if (w == nullptr) p.fail("W", "is required");
  if (!w->is_array() || w->size() != model.b.size() || model.b.empty() ||
      static_cast<int64_t>(model.b.size()) > kMaxClasses)
    p.fail("W", fmt::format("expected a list of 1 to {} rows [w0, w1], one per entry of b",
                            kMaxClasses));
  for (size_t k = 0; k < w->size(); ++k)
    model.W.push_back(number_pair((*w)[k], app::index_path("params.W", k)));
  p.finish({"W", "b"});
  return model;
}

struct LinearRequest {
  std::vector<app::Point> points;
  app::LinearModel model;
  app::LinearObjective objective;
  double lr = 0.1;
  int64_t steps = 0;
  std::optional<std::array<double, 4>> view;  // x_min, x_max, y_min, y_max of the regions grid
  int64_t view_n = 48;
};

LinearRequest read_request(const nlohmann::json& body, bool stepping) {
  app::JsonReader r(body, "");
  LinearRequest q;
  q.points = read_points(r);
  q.model = read_model(r);
  q.objective.loss = app::parse_linear_loss(r.get<std::string>("loss", "svm"));
  q.objective.reg = r.get<double>("reg", app::kLectureReg);
  q.objective.margin = r.get<double>("margin", 1.0);
  // The page sends the same state to every endpoint; lr and steps only matter when stepping.
  q.lr = r.get<double>("lr", 0.1);
  q.steps = r.get<int64_t>("steps", 1);
  if (r.has("view")) {
    const std::vector<double> v = number_list(r, "view");
    if (v.size() != 4) r.fail("view", "expected [x_min, x_max, y_min, y_max]");
    q.view = {v[0], v[1], v[2], v[3]};
  }
  q.view_n = r.get<int64_t>("view_n", 48);
  if (q.view_n < 2 || q.view_n > 200) r.fail("view_n", "must be in [2, 200]");
  r.finish({"points", "params", "loss", "reg", "margin", "lr", "steps", "view", "view_n"});
  if (!stepping) {
    q.steps = 0;
  } else {
    if (!(q.lr > 0.0) || !std::isfinite(q.lr)) r.fail("lr", "must be a finite number > 0");
    if (q.steps < 1 || q.steps > kMaxSteps)
      r.fail("steps", fmt::format("must be in [1, {}]", kMaxSteps));
  }
  return q;
}

Json report(const LinearRequest& q) {
  const app::LinearDescent run =
      app::descend_linear(q.points, q.model, q.objective, q.steps, q.steps > 0 ? q.lr : 1.0);
  Json out = app::linear_report_json(q.points, q.objective, run);
  if (q.view) {
    const auto& v = *q.view;
    out["regions"] = {
        {"view", v},
        {"n", q.view_n},
        {"classes", app::linear_region_grid(run.model, v[0], v[1], v[2], v[3], q.view_n)}};
  }
  return out;
}

}  // namespace

Json api_linear_lecture() {
  Json points = Json::array();
  for (const app::Point& p : app::lecture_points())
    points.push_back({{"x", {p.x0, p.x1}}, {"y", p.label}});
  return {{"points", points}, {"params", app::linear_model_json(app::lecture_model())},
          {"loss", "svm"},    {"reg", app::kLectureReg},
          {"margin", 1.0},    {"lr", 0.1}};
}

Json api_linear_evaluate(const nlohmann::json& body) {
  return report(read_request(body, false));
}

Json api_linear_step(const nlohmann::json& body) {
  return report(read_request(body, true));
}

}  // namespace descent::serve
