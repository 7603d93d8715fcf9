// parse_config and resolved_json: the one reader and writer of experiment configs.
#include "descent/app/config.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "descent/app/json_reader.h"
#include "descent/app/json_text.h"
#include "descent/app/model_builder.h"
#include "descent/core/error.h"
#include "descent/kernels/parallel.h"
#include "descent/optim/spec.h"

namespace descent::app {
namespace {

const std::vector<std::string> kDatasets = {
    "fashion-mnist", "mnist", "idx",   "csv",         "spiral",           "circles",
    "moons",         "xor",   "blobs", "nine-points", "linear-regression"};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void check_choice(const JsonReader& r, std::string_view key, const std::string& value,
                  const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) == valid.end()) {
    r.fail(key, fmt::format("unknown value \"{}\" (valid: {})", value, join(valid)));
  }
}

int64_t get_count(JsonReader& r, std::string_view key, int64_t fallback, int64_t min) {
  const int64_t v = r.get<int64_t>(key, fallback);
  if (v < min) r.fail(key, fmt::format("must be at least {}, got {}", min, v));
  return v;
}

std::vector<double> get_numbers(JsonReader& r, std::string_view key, std::vector<double> fallback) {
  const nlohmann::json* v = r.raw(key);
  if (v == nullptr) return fallback;
  if (v->is_number()) return {v->get<double>()};
  if (!v->is_array() || v->empty()) {
    r.fail(key, "expected a number or a non-empty array of numbers, got " + describe_json(*v));
  }
  std::vector<double> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_number()) {
      config_error(index_path(r.path_of(key), i), "expected a number");
    }
    out.push_back((*v)[i].get<double>());
  }
  return out;
}

std::vector<std::string> get_strings(JsonReader& r, std::string_view key,
                                     std::vector<std::string> fallback) {
  const nlohmann::json* v = r.raw(key);
  if (v == nullptr) return fallback;
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array()) r.fail(key, "expected a string or an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) config_error(index_path(r.path_of(key), i), "expected a string");
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

DataConfig parse_data(const nlohmann::json& j) {
  DataConfig d;
  JsonReader r(j, "data");
  d.dataset = r.get<std::string>("dataset", d.dataset);
  check_choice(r, "dataset", d.dataset, kDatasets);
  d.path = r.get<std::string>("path", d.path);
  d.test_path = r.get<std::string>("test_path", d.test_path);
  d.label = r.get<std::string>("label", d.label);
  d.train_limit = get_count(r, "train_limit", d.train_limit, 0);
  d.test_limit = get_count(r, "test_limit", d.test_limit, 0);
  d.samples = get_count(r, "samples", d.samples, 1);
  d.classes = get_count(r, "classes", d.classes, 2);
  d.noise = r.get<double>("noise", d.noise);
  if (!(d.noise >= 0.0)) r.fail("noise", "must be >= 0");
  d.test_fraction = r.get<double>("test_fraction", d.test_fraction);
  if (!(d.test_fraction >= 0.0 && d.test_fraction < 1.0)) {
    r.fail("test_fraction", "must be in [0, 1)");
  }
  d.features = get_count(r, "features", d.features, 1);
  d.scales = get_numbers(r, "scales", d.scales);
  d.offsets = get_numbers(r, "offsets", d.offsets);
  d.transforms = get_strings(r, "transforms", d.transforms);
  for (size_t i = 0; i < d.transforms.size(); ++i) {
    const std::vector<std::string> valid = {"standardize", "minmax", "flatten", "none"};
    if (std::find(valid.begin(), valid.end(), d.transforms[i]) == valid.end()) {
      config_error(
          index_path("data.transforms", i),
          fmt::format("unknown transform \"{}\" (valid: {})", d.transforms[i], join(valid)));
    }
  }
  if ((d.dataset == "idx" || d.dataset == "csv") && d.path.empty()) {
    r.fail("path", "is required for dataset \"" + d.dataset + "\"");
  }
  // A path given to a generated dataset, or a test path to one that is not a CSV, would be
  // ignored without a word: the run would use other data than the user named.
  if (!d.reads_files() && !d.path.empty())
    r.fail("path", "dataset \"" + d.dataset + "\" is generated and reads no file");
  if (d.dataset != "csv" && !d.test_path.empty())
    r.fail("test_path", "is read only for dataset \"csv\", not \"" + d.dataset + "\"");
  r.finish();
  return d;
}

// An optimizer given as a spec string or as {"name": ..., key: value, ...}; returns the
// canonical spec text after full validation.
std::string parse_optimizer(const nlohmann::json& j) {
  std::string text;
  if (j.is_string()) {
    text = j.get<std::string>();
  } else if (j.is_object()) {
    auto name = j.find("name");
    if (name == j.end() || !name->is_string()) config_error("optimizer.name", "is required");
    text = name->get<std::string>();
    char sep = ':';
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "name") continue;
      std::string value;
      if (it->is_boolean()) {
        value = it->get<bool>() ? "true" : "false";
      } else if (it->is_number()) {
        value = it->dump();
      } else if (it->is_array() && it->size() == 2 && (*it)[0].is_number() &&
                 (*it)[1].is_number()) {
        value = (*it)[0].dump() + "/" + (*it)[1].dump();  // betas
      } else if (it->is_string()) {
        value = it->get<std::string>();
      } else {
        config_error(join_path("optimizer", it.key()),
                     "expected a number, a boolean or a pair, got " + describe_json(*it));
      }
      text += sep + it.key() + "=" + value;
      sep = ',';
    }
  } else {
    config_error("optimizer", "expected a spec string or an object, got " + describe_json(j));
  }
  try {
    return optim::parse_optimizer_spec(text).str();
  } catch (const Error& e) {
    config_error("optimizer", e.what());
  }
}

ScheduleConfig parse_schedule(const nlohmann::json& j) {
  ScheduleConfig s;
  if (j.is_string()) {
    s.spec = j.get<std::string>();
    return s;
  }
  JsonReader r(j, "schedule");
  s.spec = r.get<std::string>("spec", s.spec);
  s.interval = r.get<std::string>("interval", s.interval);
  check_choice(r, "interval", s.interval, {"epoch", "step"});
  r.finish();
  return s;
}

std::vector<PenaltyConfig> parse_penalties(const nlohmann::json& j) {
  if (!j.is_array()) config_error("penalties", "expected an array, got " + describe_json(j));
  std::vector<PenaltyConfig> out;
  for (size_t i = 0; i < j.size(); ++i) {
    PenaltyConfig p;
    JsonReader r(j[i], index_path("penalties", i));
    p.type = r.get<std::string>("type", p.type);
    check_choice(r, "type", p.type, {"l2", "l1"});
    p.weight = r.require<double>("weight");
    if (!(p.weight >= 0.0)) r.fail("weight", "must be >= 0");
    p.include_biases = r.get<bool>("include_biases", p.include_biases);
    r.finish();
    out.push_back(p);
  }
  return out;
}

template <typename Section, typename Body>
Section parse_section(JsonReader& root, std::string_view key, Body body) {
  Section s;
  const nlohmann::json* j = root.raw(key);
  if (j == nullptr) return s;
  JsonReader r(*j, std::string(key));
  body(r, s);
  r.finish();
  return s;
}

}  // namespace

bool DataConfig::reads_files() const {
  return dataset == "fashion-mnist" || dataset == "mnist" || dataset == "idx" || dataset == "csv";
}

ExperimentConfig parse_config(const nlohmann::json& json) {
  ExperimentConfig c;
  JsonReader r(json, "");
  c.name = r.get<std::string>("name", c.name);
  if (c.name.empty() || c.name.find_first_of("/\\") != std::string::npos || c.name == "." ||
      c.name == "..") {
    r.fail("name", "must be a non-empty name without '/' (it names the run directory)");
  }
  const int64_t seed = r.get<int64_t>("seed", 0);
  if (seed < 0) r.fail("seed", "must be >= 0");
  c.seed = static_cast<uint64_t>(seed);
  c.dtype = r.get<std::string>("dtype", c.dtype);
  check_choice(r, "dtype", c.dtype, {"float32", "float64"});
  if (const nlohmann::json* d = r.raw("data")) c.data = parse_data(*d);
  if (const nlohmann::json* m = r.raw("model")) {
    if (!m->is_array() || m->empty()) r.fail("model", "expected a non-empty array of layers");
    for (size_t i = 0; i < m->size(); ++i) {
      c.model.push_back(normalize_layer((*m)[i], index_path("model", i)));
    }
  } else {
    c.model = default_model();
  }
  if (const nlohmann::json* l = r.raw("loss")) c.loss = parse_loss(*l, "loss");
  if (const nlohmann::json* p = r.raw("penalties")) c.penalties = parse_penalties(*p);
  if (const nlohmann::json* o = r.raw("optimizer")) {
    c.optimizer = parse_optimizer(*o);
  } else {
    c.optimizer = optim::parse_optimizer_spec(c.optimizer).str();
  }
  if (const nlohmann::json* s = r.raw("schedule")) c.schedule = parse_schedule(*s);
  c.epochs = get_count(r, "epochs", c.epochs, 0);
  c.batch_size = get_count(r, "batch_size", c.batch_size, 1);
  c.shuffle = r.get<bool>("shuffle", c.shuffle);
  c.drop_last = r.get<bool>("drop_last", c.drop_last);
  c.threads = get_count(r, "threads", c.threads, 0);
  if (c.threads > kernels::kMaxThreads)
    r.fail("threads", fmt::format("must be at most {}, got {}", kernels::kMaxThreads, c.threads));
  c.log_every_steps = get_count(r, "log_every_steps", c.log_every_steps, 1);
  c.evaluation = parse_section<EvaluationConfig>(r, "evaluation", [](JsonReader& s, auto& e) {
    e.every_epochs = get_count(s, "every_epochs", e.every_epochs, 0);
    e.batch_size = get_count(s, "batch_size", e.batch_size, 1);
    e.train_split = s.get<bool>("train_split", e.train_split);
  });
  c.checkpoint = parse_section<CheckpointConfig>(r, "checkpoint", [](JsonReader& s, auto& k) {
    k.every_epochs = get_count(s, "every_epochs", k.every_epochs, 0);
    k.every_steps = get_count(s, "every_steps", k.every_steps, 0);
    k.keep_last = get_count(s, "keep_last", k.keep_last, 0);
  });
  c.early_stopping =
      parse_section<EarlyStoppingConfig>(r, "early_stopping", [](JsonReader& s, auto& e) {
        e.metric = s.get<std::string>("metric", e.metric);
        if (e.metric.find('.') == std::string::npos) {
          s.fail("metric", "expected split.metric, e.g. test.loss or test.accuracy");
        }
        e.mode = s.get<std::string>("mode", e.mode);
        check_choice(s, "mode", e.mode, {"min", "max"});
        e.patience = get_count(s, "patience", e.patience, 0);
        e.min_delta = s.get<double>("min_delta", e.min_delta);
        if (!(e.min_delta >= 0.0)) s.fail("min_delta", "must be >= 0");
      });
  c.on_nonfinite = r.get<std::string>("on_nonfinite", c.on_nonfinite);
  check_choice(r, "on_nonfinite", c.on_nonfinite, {"stop", "skip", "raise"});
  c.diagnostics = parse_section<DiagnosticsConfig>(r, "diagnostics", [](JsonReader& s, auto& d) {
    d.every_steps = get_count(s, "every_steps", d.every_steps, 0);
    d.grad_norms = s.get<bool>("grad_norms", d.grad_norms);
    d.update_ratios = s.get<bool>("update_ratios", d.update_ratios);
    d.saturation = s.get<bool>("saturation", d.saturation);
    d.dead_relu = s.get<bool>("dead_relu", d.dead_relu);
    d.batchnorm = s.get<bool>("batchnorm", d.batchnorm);
    d.adam_steps = s.get<bool>("adam_steps", d.adam_steps);
    if (const nlohmann::json* sh = s.raw("sharpness")) {
      JsonReader k(*sh, s.path_of("sharpness"));
      SharpnessConfig& h = d.sharpness;
      h.every_steps = get_count(k, "every_steps", h.every_steps, 0);
      h.iterations = get_count(k, "iterations", h.iterations, 1);
      h.samples = get_count(k, "samples", h.samples, 1);
      h.at_divergence = k.get<bool>("at_divergence", h.at_divergence);
      k.finish();
    }
  });
  c.runs_dir = r.get<std::string>("runs_dir", c.runs_dir);
  r.finish();
  return c;
}

nlohmann::ordered_json resolved_json(const ExperimentConfig& c) {
  nlohmann::ordered_json j;
  j["name"] = c.name;
  j["seed"] = c.seed;
  j["dtype"] = c.dtype;
  const DataConfig& d = c.data;
  j["data"] = {{"dataset", d.dataset},
               {"path", d.path},
               {"test_path", d.test_path},
               {"label", d.label},
               {"train_limit", d.train_limit},
               {"test_limit", d.test_limit},
               {"samples", d.samples},
               {"classes", d.classes},
               {"noise", d.noise},
               {"test_fraction", d.test_fraction},
               {"features", d.features},
               {"scales", d.scales},
               {"offsets", d.offsets},
               {"transforms", d.transforms}};
  j["model"] = nlohmann::ordered_json::array();
  for (const LayerConfig& layer : c.model) j["model"].push_back(layer);
  j["loss"] = {{"type", c.loss.type},
               {"label_smoothing", c.loss.label_smoothing},
               {"margin", c.loss.margin},
               {"delta", c.loss.delta}};
  j["penalties"] = nlohmann::ordered_json::array();
  for (const PenaltyConfig& p : c.penalties) {
    j["penalties"].push_back(
        {{"type", p.type}, {"weight", p.weight}, {"include_biases", p.include_biases}});
  }
  j["optimizer"] = c.optimizer;
  j["schedule"] = {{"spec", c.schedule.spec}, {"interval", c.schedule.interval}};
  j["epochs"] = c.epochs;
  j["batch_size"] = c.batch_size;
  j["shuffle"] = c.shuffle;
  j["drop_last"] = c.drop_last;
  j["threads"] = c.threads;
  j["log_every_steps"] = c.log_every_steps;
  j["evaluation"] = {{"every_epochs", c.evaluation.every_epochs},
                     {"batch_size", c.evaluation.batch_size},
                     {"train_split", c.evaluation.train_split}};
  j["checkpoint"] = {{"every_epochs", c.checkpoint.every_epochs},
                     {"every_steps", c.checkpoint.every_steps},
                     {"keep_last", c.checkpoint.keep_last}};
  j["early_stopping"] = {{"metric", c.early_stopping.metric},
                         {"mode", c.early_stopping.mode},
                         {"patience", c.early_stopping.patience},
                         {"min_delta", c.early_stopping.min_delta}};
  j["on_nonfinite"] = c.on_nonfinite;
  const DiagnosticsConfig& g = c.diagnostics;
  j["diagnostics"] = {{"every_steps", g.every_steps},
                      {"grad_norms", g.grad_norms},
                      {"update_ratios", g.update_ratios},
                      {"saturation", g.saturation},
                      {"dead_relu", g.dead_relu},
                      {"batchnorm", g.batchnorm},
                      {"adam_steps", g.adam_steps},
                      {"sharpness",
                       {{"every_steps", g.sharpness.every_steps},
                        {"iterations", g.sharpness.iterations},
                        {"samples", g.sharpness.samples},
                        {"at_divergence", g.sharpness.at_divergence}}}};
  j["runs_dir"] = c.runs_dir;
  return j;
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError(fmt::format("{}: cannot open for reading", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  try {
    return parse_json_text<nlohmann::json>(text);
  } catch (const JsonTextError& e) {
    if (!e.byte()) throw ValueError(fmt::format("{}: invalid JSON: {}", path, e.what()));
    // The byte offset as a line and a column.
    const size_t at = *e.byte();
    const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + at, '\n'));
    const size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
    throw ValueError(fmt::format("{}:{}:{}: invalid JSON: {}", path, line, column, e.what()));
  }
}

}  // namespace descent::app
