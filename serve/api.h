#pragma once
// The web lab's JSON API as plain functions: request JSON in, response JSON out. server.cpp maps
// them to routes; the tests call them directly and over HTTP. Every function validates the whole
// request first and throws descent::ValueError naming the field ("request: points[3].y: ...")
// for malformed input (HTTP 400), NotFound for an unknown run (404). All math is in app/ and
// analysis/; these functions only translate.
//
//   GET  /api/info                  api_info()
//   GET  /api/linear/lecture        api_linear_lecture()
//   POST /api/linear/evaluate       api_linear_evaluate(body)
//   POST /api/linear/step           api_linear_step(body)
//   GET  /api/linear/stream         SSE: one api_linear_step result per event (server.cpp)
//   POST /api/problem/grid          api_problem_grid(body)
//   POST /api/race                  api_race(body)
//   POST /api/dynamics              api_dynamics(body)
//   POST /api/dynamics/regimes      api_dynamics_regimes(body)
//   POST /api/taylor                api_taylor(body)
//   POST /api/taylor/local          api_taylor_local(body)
//   POST /api/playground            api_playground(body)
//   POST /api/playground/regularization  api_playground_regularization(body)
//   GET  /api/playground/stream     SSE: the frames of app::run_playground (routes.cpp)
//   GET  /api/runs                  api_runs(root)
//   GET  /api/runs/metrics          api_run_metrics(root, name, version)
//
// docs/web-lab.md lists the request and response fields.
#include <descent/core/error.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace descent::analysis {
struct Problem;
}

namespace descent::serve {

// A thing named by id that does not exist (HTTP 404).
class NotFound : public Error {
  using Error::Error;
};

using Json = nlohmann::ordered_json;

// Version, the loss names of page 1 and the 2-D problems of page 2 (name, formula, range,
// start, minima).
Json api_info();

// A problem's metadata: {"name", "formula", "range": [x_min, x_max, y_min, y_max],
// "start": [x, y], "minima": [[x, y, f], ...], "saddle_points": [[x, y, f], ...]}.
Json problem_json(const analysis::Problem& problem);

// Page 1 opens on the lecture's slide: {"points": [{"x": [x0, x1], "y": k}], "params": {W, b},
// "loss": "svm", "reg": 0.1, "margin": 1, "lr": 0.1}: the body api_linear_evaluate takes.
Json api_linear_lecture();

// Body: {"points": [...], "params": {"W", "b"}, "loss"?, "reg"?, "margin"?, "view"?,
// "view_n"?}. Answers app::linear_report_json of the evaluation at params (history empty); with
// "view": [x_min, x_max, y_min, y_max] also "regions": {"view", "n", "classes"}, the predicted
// class on a view_n × view_n grid (app::linear_region_grid; view_n 2..200, default 48).
Json api_linear_evaluate(const nlohmann::json& body);

// As evaluate, plus "lr" (> 0, default 0.1) and "steps" (1 to 10000, default 1): the report
// after `steps` gradient steps; "params" holds the new parameters, "history" the total losses.
Json api_linear_step(const nlohmann::json& body);

// Body: {"function": name, "n"?: 2..400 (default 80)}: the problem's metadata and f on an n×n
// grid over its plot range, "values" row-major with y rows ascending, x columns ascending.
Json api_problem_grid(const nlohmann::json& body);

// Body: {"function", "optimizers": [spec, ...] (1 to 8), "steps"? (0 to 5000, default 100),
// "start"? [x, y]}: app::race_json of app::run_race.
Json api_race(const nlohmann::json& body);

// Body: {"eigenvalues": [λ...] (1 to 64), "lr", "momentum"? (0), "nesterov"? (false),
// "steps"? (0 to 5000, default 100), "start"? [θ...]}: app::dynamics_report_json with the
// trajectories; for two eigenvalues also "grid": L = ½θᵀAθ on a 61×61 grid around the start
// ({"x_min", "x_max", "y_min", "y_max", "n", "values"}) for the 2-D trajectory view.
Json api_dynamics(const nlohmann::json& body);

// Body: {"lambda" (> 0), "momentum"? (0), "nesterov"?, "lr_max" (> 0), "n"? (2..2000, 400)}:
// for α on a uniform grid in (0, lr_max], the spectral radius of the update matrix and the
// regime of the direction: {"lr": [...], "spectral_radius": [...], "regime": [...]}.
Json api_dynamics_regimes(const nlohmann::json& body);

// Body: {"function"? (sin), "x0"? (0), "degrees": [n, ...] (1 to 8, each 0..25), "range"?
// [lo, hi] ([-10, 10]), "points"? (2..2000, 401)}: analysis::taylor_table as JSON ("x", "f",
// "polynomial" [degree index][point], "coefficients", "max_error").
Json api_taylor(const nlohmann::json& body);

// Body: {"function" (a 2-D problem), "point"? [x, y] (its start), "n"? (2..120, 60)}: the
// problem's metadata, f and its first- and second-order models m1, m2 around the point on an
// n×n grid over the problem's range (analysis::local_model_grid; "x", "y", "f", "m1", "m2",
// "value", "gradient", "hessian"), "at_point" (the point classified) and "critical_points":
// each known minimum and saddle classified from its Hessian ({"x", "y", "kind",
// "eigenvalues", "gradient_norm"}, analysis::classify_critical_point).
Json api_taylor_local(const nlohmann::json& body);

// Body: app::PlaygroundOptions as JSON (every field optional: "dataset", "classes", "samples",
// "noise", "widths", "activation", "init", "batchnorm", "shift", "scale", "standardize", "l1",
// "l2", "optimizer", "steps", "batch_size", "report_every", "grid", "sharpness", "seed"):
// {"data", "grid", "frames": [...], "status"} of app::run_playground.
Json api_playground(const nlohmann::json& body);

// As api_playground plus "lambdas" [λ, ...] (1 to 6) and "penalty"? ("l2" | "l1"), steps at
// most 1000: one run per λ, {"data", "grid", "penalty", "runs": [last frame + "lambda",
// "status"]}: the decision boundaries side by side.
Json api_playground_regularization(const nlohmann::json& body);

// The runs under `root`: [{"name", "version", "has_metrics"}], sorted by name then version.
// An absent root is an empty list.
Json api_runs(const std::filesystem::path& root);

// The metrics of run <root>/<name>/<version>, grouped into series:
// {"name", "version", "series": [{"run", "split", "metric", "step": [...], "value": [...]}]}.
// name and version must be valid run names (no '/', no leading '.'): ValueError; a run that
// does not exist or has no metrics: NotFound.
Json api_run_metrics(const std::filesystem::path& root, const std::string& name,
                     const std::string& version);

}  // namespace descent::serve
