// /api/taylor and /api/taylor/local: page 4, Taylor polynomials of a scalar function
// (analysis/taylor) and the first- and second-order models of a 2-D problem around a point with
// its critical points classified (analysis/local_model, analysis/critical_point).
#include <descent/analysis/critical_point.h>
#include <descent/analysis/local_model.h>
#include <descent/analysis/problems.h>
#include <descent/analysis/taylor.h>
#include <descent/app/json_reader.h>
#include <fmt/core.h>

#include <cmath>

#include "serve/api.h"
#include "serve/request.h"

namespace descent::serve {
namespace {

constexpr size_t kMaxDegrees = 8;
constexpr int kMaxDegree = 25;
constexpr int64_t kMaxPoints = 2000;
constexpr int64_t kMaxLocalGrid = 120;

// fn(), with a ValueError it throws (an analysis/ message that names no field) prefixed by the
// request field it came from.
template <typename Fn>
auto named(const char* field, Fn fn) {
  try {
    return fn();
  } catch (const ValueError& e) {
    const std::string what = e.what();
    if (what.starts_with("config: ")) throw;  // already names its field
    app::config_error(field, what);
  }
}

Json critical_point_json(const analysis::Problem& p, double x, double y) {
  const analysis::CriticalPoint c = analysis::classify_critical_point(p, x, y);
  return {{"x", x},
          {"y", y},
          {"kind", analysis::to_string(c.kind)},
          {"eigenvalues", c.eigenvalues},
          {"gradient_norm", c.gradient_norm}};
}

}  // namespace

Json api_taylor(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  const analysis::ScalarFunction f = named("function", [&] {
    return analysis::scalar_function_by_name(r.get<std::string>("function", "sin"));
  });
  const double x0 = r.get<double>("x0", 0.0);
  const nlohmann::json* d = r.raw("degrees");
  if (d == nullptr) r.fail("degrees", "is required");
  if (!d->is_array() || d->empty() || d->size() > kMaxDegrees)
    r.fail("degrees", fmt::format("expected a list of 1 to {} degrees", kMaxDegrees));
  std::vector<int> degrees;
  for (size_t i = 0; i < d->size(); ++i) {
    const nlohmann::json& v = (*d)[i];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxDegree)
      app::config_error(
          app::index_path("degrees", i),
          fmt::format("expected an integer in [0, {}], got {}", kMaxDegree, app::describe_json(v)));
    degrees.push_back(v.get<int>());
  }
  std::array<double, 2> range = {-10.0, 10.0};
  if (r.has("range")) range = number_pair(r, "range");
  const int64_t points = r.get<int64_t>("points", 401);
  r.finish({"function", "x0", "degrees", "range", "points"});
  if (!std::isfinite(x0)) r.fail("x0", "must be finite");
  if (points < 2 || points > kMaxPoints)
    r.fail("points", fmt::format("must be in [2, {}]", kMaxPoints));
  // What taylor_table can still reject is the range (lo ≥ hi, or outside the domain) or x0.
  const analysis::TaylorTable t = named("range", [&] {
    return analysis::taylor_table(f, x0, degrees, range[0], range[1], static_cast<int>(points));
  });
  return {{"function", t.function},
          {"formula", f.formula},
          {"x0", t.x0},
          {"degrees", t.degrees},
          {"coefficients", t.coefficients},
          {"x", t.x},
          {"f", t.f},
          {"polynomial", t.polynomial},
          {"max_error", t.max_error}};
}

Json api_taylor_local(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  const analysis::Problem p = named(
      "function", [&] { return analysis::problem_by_name(r.require<std::string>("function")); });
  const std::array<double, 2> at =
      r.has("point") ? number_pair(r, "point") : std::array<double, 2>{p.start.x, p.start.y};
  const int64_t n = r.get<int64_t>("n", 60);
  r.finish({"function", "point", "n"});
  if (n < 2 || n > kMaxLocalGrid) r.fail("n", fmt::format("must be in [2, {}]", kMaxLocalGrid));
  const analysis::LocalModelGrid2 g =
      analysis::local_model_grid(p, at[0], at[1], p.range, static_cast<int>(n));
  Json critical = Json::array();
  for (const auto* list : {&p.minima, &p.saddle_points})
    for (const analysis::Point2& c : *list) critical.push_back(critical_point_json(p, c.x, c.y));
  Json out = problem_json(p);
  out["point"] = {g.x0, g.y0};
  out["value"] = g.value;
  out["gradient"] = {g.gradient[0], g.gradient[1]};
  out["hessian"] = {{g.hessian[0][0], g.hessian[0][1]}, {g.hessian[1][0], g.hessian[1][1]}};
  out["at_point"] = critical_point_json(p, at[0], at[1]);
  out["n"] = n;
  out["x"] = g.x;
  out["y"] = g.y;
  out["f"] = g.f;
  out["m1"] = g.m1;
  out["m2"] = g.m2;
  out["critical_points"] = critical;
  return out;
}

}  // namespace descent::serve
