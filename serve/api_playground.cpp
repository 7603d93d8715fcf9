// /api/playground*: page 5, the network playground (app/playground): the request as
// PlaygroundOptions, frames as JSON, and the regularization view (one short run per λ).
#include <descent/app/json_reader.h>
#include <descent/app/playground.h>
#include <fmt/core.h>

#include <cmath>

#include "serve/api.h"
#include "serve/api_playground.h"
#include "serve/request.h"

namespace descent::serve {
namespace {

constexpr size_t kMaxLambdas = 6;
constexpr int64_t kMaxRegularizationSteps = 1000;

const std::vector<std::string> kOptionKeys = {
    "dataset",     "classes",      "samples",   "noise",     "widths",
    "activation",  "init",         "batchnorm", "shift",     "scale",
    "standardize", "l1",           "l2",        "optimizer", "steps",
    "batch_size",  "report_every", "grid",      "sharpness", "seed"};

// Every option of `r` (all optional); `extra` keys are read by the caller.
app::PlaygroundOptions read_options(app::JsonReader& r, std::vector<std::string> extra) {
  app::PlaygroundOptions o;
  o.dataset = r.get<std::string>("dataset", o.dataset);
  o.classes = r.get<int64_t>("classes", o.classes);
  o.samples = r.get<int64_t>("samples", o.samples);
  o.noise = r.get<double>("noise", o.noise);
  if (r.has("widths")) {
    o.widths.clear();
    const nlohmann::json& w = *r.raw("widths");
    if (!w.is_array()) r.fail("widths", "expected a list of layer widths");
    for (size_t i = 0; i < w.size(); ++i) {
      if (!w[i].is_number_integer())
        app::config_error(app::index_path("widths", i),
                          "expected an integer, got " + app::describe_json(w[i]));
      o.widths.push_back(w[i].get<int64_t>());
    }
  }
  o.activation = r.get<std::string>("activation", o.activation);
  o.init = r.get<std::string>("init", o.init);
  o.batchnorm = r.get<bool>("batchnorm", o.batchnorm);
  o.shift = r.get<double>("shift", o.shift);
  o.scale = r.get<double>("scale", o.scale);
  o.standardize = r.get<bool>("standardize", o.standardize);
  o.l1 = r.get<double>("l1", o.l1);
  o.l2 = r.get<double>("l2", o.l2);
  o.optimizer = r.get<std::string>("optimizer", o.optimizer);
  o.steps = r.get<int64_t>("steps", o.steps);
  o.batch_size = r.get<int64_t>("batch_size", o.batch_size);
  o.report_every = r.get<int64_t>("report_every", o.report_every);
  o.grid = r.get<int64_t>("grid", o.grid);
  o.sharpness = r.get<bool>("sharpness", o.sharpness);
  const int64_t seed = r.get<int64_t>("seed", 0);
  if (seed < 0) r.fail("seed", "must be ≥ 0");
  o.seed = static_cast<uint64_t>(seed);
  std::vector<std::string> valid = kOptionKeys;
  valid.insert(valid.end(), extra.begin(), extra.end());
  r.finish(valid);
  // Builds (and so validates) the whole experiment config: layers, init, optimizer spec.
  app::playground_config(o);
  return o;
}

Json named_values(const std::vector<std::pair<std::string, double>>& values) {
  Json out = Json::object();
  for (const auto& [name, v] : values) out[name] = v;
  return out;
}

Json finite_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

}  // namespace

app::PlaygroundOptions playground_options(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  return read_options(r, {});
}

Json playground_data_json(const app::PlaygroundData& d) {
  return {{"x", d.x},
          {"y", d.y},
          {"label", d.label},
          {"test", d.test},
          {"view", {d.view[0], d.view[1], d.view[2], d.view[3]}},
          {"classes", d.classes}};
}

Json playground_frame_json(const app::PlaygroundFrame& f) {
  return {{"step", f.step},
          {"losses", f.losses},
          {"accuracy", finite_or_null(f.accuracy)},
          {"test_loss", finite_or_null(f.test_loss)},
          {"test_accuracy", finite_or_null(f.test_accuracy)},
          {"classes", f.classes},
          {"saturation", named_values(f.saturation)},
          {"dead", named_values(f.dead)},
          {"sharpness", finite_or_null(f.sharpness)},
          {"lr", f.lr}};
}

Json api_playground(const nlohmann::json& body) {
  const app::PlaygroundOptions o = playground_options(body);
  const app::PlaygroundResult result = app::run_playground(o);
  Json frames = Json::array();
  for (const app::PlaygroundFrame& f : result.frames) frames.push_back(playground_frame_json(f));
  return {{"data", playground_data_json(result.data)},
          {"grid", o.grid},
          {"frames", frames},
          {"status", result.status}};
}

Json api_playground_regularization(const nlohmann::json& body) {
  app::JsonReader r(body, "");
  const std::vector<double> lambdas = number_list(r, "lambdas");
  const std::string penalty = r.get<std::string>("penalty", "l2");
  app::PlaygroundOptions o = read_options(r, {"lambdas", "penalty"});
  if (lambdas.empty() || lambdas.size() > kMaxLambdas)
    r.fail("lambdas", fmt::format("expected 1 to {} values of λ", kMaxLambdas));
  for (size_t i = 0; i < lambdas.size(); ++i)
    if (lambdas[i] < 0.0) app::config_error(app::index_path("lambdas", i), "must be ≥ 0");
  if (penalty != "l1" && penalty != "l2") r.fail("penalty", "expected \"l1\" or \"l2\"");
  if (o.steps > kMaxRegularizationSteps)
    r.fail("steps",
           fmt::format("must be at most {} here (one run per λ)", kMaxRegularizationSteps));
  o.report_every = o.steps;  // only the final state is drawn
  o.sharpness = false;
  Json runs = Json::array();
  Json data;
  for (const double lambda : lambdas) {
    (penalty == "l1" ? o.l1 : o.l2) = lambda;
    const app::PlaygroundResult result = app::run_playground(o);
    if (data.is_null()) data = playground_data_json(result.data);
    Json last = playground_frame_json(result.last);
    last["lambda"] = lambda;
    last["status"] = result.status;
    runs.push_back(last);
  }
  return {{"data", data}, {"grid", o.grid}, {"penalty", penalty}, {"runs", runs}};
}

}  // namespace descent::serve
