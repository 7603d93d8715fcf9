// Models and losses from config entries. The layer table below is the single list of layer
// types, their options and defaults: normalization, validation messages and construction all
// read it.
#include "descent/app/model_builder.h"

#include <fmt/core.h>

#include <cmath>
#include <functional>
#include <map>

#include "descent/app/json_reader.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/activations.h"
#include "descent/nn/batchnorm.h"
#include "descent/nn/dropout.h"
#include "descent/nn/init.h"
#include "descent/nn/layernorm.h"
#include "descent/nn/linear.h"
#include "descent/nn/losses.h"

namespace descent::app {
namespace {

using ordered_json = nlohmann::ordered_json;

// Option defaults per layer type; a value's JSON type is the type the option must have
// (null for linear's "out" means "to be inferred").
const std::map<std::string, ordered_json>& layer_table() {
  static const std::map<std::string, ordered_json> table = {
      {"linear", {{"out", nullptr}, {"bias", true}, {"init", "default"}, {"std", 1.0}}},
      {"relu", ordered_json::object()},
      {"tanh", ordered_json::object()},
      {"sigmoid", ordered_json::object()},
      {"gelu", ordered_json::object()},
      {"identity", ordered_json::object()},
      {"leaky_relu", {{"negative_slope", 0.01}}},
      {"softplus", {{"beta", 1.0}, {"threshold", 20.0}}},
      {"dropout", {{"p", 0.5}}},
      {"batchnorm", {{"eps", 1e-5}, {"momentum", 0.1}, {"affine", true}}},
      {"layernorm", {{"eps", 1e-5}}},
  };
  return table;
}

const std::vector<std::string> kInits = {"default",        "kaiming_uniform", "kaiming_normal",
                                         "xavier_uniform", "xavier_normal",   "lecun_normal",
                                         "orthogonal",     "normal"};

void check_layer_values(const ordered_json& layer, const std::string& path) {
  const std::string type = layer["type"];
  if (type == "linear") {
    const auto& out = layer["out"];
    if (!out.is_null() && (!out.is_number_integer() || out.get<int64_t>() < 1)) {
      config_error(join_path(path, "out"),
                   "expected a positive integer, got " + describe_json(out));
    }
    const std::string init = layer["init"];
    if (std::find(kInits.begin(), kInits.end(), init) == kInits.end()) {
      std::string valid;
      for (const auto& s : kInits) valid += (valid.empty() ? "" : ", ") + s;
      config_error(join_path(path, "init"),
                   fmt::format("unknown init \"{}\" (valid: {})", init, valid));
    }
    const double sigma = layer["std"];
    if (!(std::isfinite(sigma) && sigma > 0.0)) {
      config_error(join_path(path, "std"), "must be a finite number > 0");
    }
  } else if (type == "dropout") {
    const double p = layer["p"];
    if (!(p >= 0.0 && p < 1.0)) config_error(join_path(path, "p"), "must be in [0, 1)");
  } else if (type == "batchnorm" || type == "layernorm") {
    const double eps = layer["eps"];
    if (!(eps > 0.0)) config_error(join_path(path, "eps"), "must be > 0");
    if (type == "batchnorm") {
      const double m = layer["momentum"];
      if (!(m >= 0.0 && m <= 1.0)) config_error(join_path(path, "momentum"), "must be in [0, 1]");
    }
  } else if (type == "softplus") {
    if (!(layer["beta"].get<double>() > 0.0)) config_error(join_path(path, "beta"), "must be > 0");
  }
}

// `std` is used by "normal" only: N(0, std²) for every weight, whatever the layer's width (the
// lecture's poor initialization when std is large; see docs/pathologies.md).
void draw_weight(Tensor& w, const std::string& init, double sigma, Generator& gen) {
  if (init == "normal") nn::normal_(w, 0.0, sigma, gen);
  if (init == "kaiming_uniform") nn::kaiming_uniform_(w, 0.0, "fan_in", "relu", gen);
  if (init == "kaiming_normal") nn::kaiming_normal_(w, 0.0, "fan_in", "relu", gen);
  if (init == "xavier_uniform") nn::xavier_uniform_(w, 1.0, gen);
  if (init == "xavier_normal") nn::xavier_normal_(w, 1.0, gen);
  if (init == "lecun_normal") nn::lecun_normal_(w, gen);
  if (init == "orthogonal") nn::orthogonal_(w, 1.0, gen);
}

}  // namespace

LayerConfig normalize_layer(const nlohmann::json& entry, const std::string& path) {
  const nlohmann::json object =
      entry.is_string() ? nlohmann::json{{"type", entry.get<std::string>()}} : entry;
  JsonReader r(object, path);
  const std::string type = r.require<std::string>("type");
  auto it = layer_table().find(type);
  if (it == layer_table().end()) {
    std::string valid;
    for (const auto& [name, _] : layer_table()) valid += (valid.empty() ? "" : ", ") + name;
    r.fail("type", fmt::format("unknown layer \"{}\" (valid: {})", type, valid));
  }
  LayerConfig layer;
  layer["type"] = type;
  for (auto opt = it->second.begin(); opt != it->second.end(); ++opt) {
    const nlohmann::json* given = r.raw(opt.key());
    if (given == nullptr) {
      layer[opt.key()] = opt.value();
      continue;
    }
    const ordered_json& def = opt.value();
    const bool ok = def.is_null() || (def.is_boolean() && given->is_boolean()) ||
                    (def.is_string() && given->is_string()) ||
                    (def.is_number() && given->is_number());
    if (!ok) {
      r.fail(opt.key(), fmt::format("expected a {}, got {}", def.type_name(), given->dump()));
    }
    layer[opt.key()] = *given;
  }
  std::vector<std::string> valid = {"type"};
  for (auto opt = it->second.begin(); opt != it->second.end(); ++opt) valid.push_back(opt.key());
  r.finish(valid);
  check_layer_values(layer, path);
  return layer;
}

std::vector<LayerConfig> default_model() {
  return {normalize_layer({{"type", "linear"}, {"out", 256}}, "model[0]"),
          normalize_layer("relu", "model[1]"),
          normalize_layer({{"type", "linear"}, {"out", 128}}, "model[2]"),
          normalize_layer("relu", "model[3]"), normalize_layer("linear", "model[4]")};
}

std::shared_ptr<nn::Sequential> build_model(const std::vector<LayerConfig>& layers,
                                            int64_t in_features, int64_t out_features, DType dtype,
                                            Generator& gen) {
  auto model = std::make_shared<nn::Sequential>();
  size_t last_linear = layers.size();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i]["type"] == "linear") last_linear = i;
  }
  int64_t width = in_features;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerConfig& layer = layers[i];
    const std::string type = layer["type"];
    const std::string path = index_path("model", i);
    if (type == "linear") {
      int64_t out = out_features;
      if (!layer["out"].is_null()) {
        out = layer["out"];
      } else if (i != last_linear) {
        config_error(join_path(path, "out"), "is required except on the last linear layer");
      }
      // Weights are drawn in float32 whatever the run's dtype, then widened: uniform draws
      // differ by dtype, and this way a float64 run starts from exactly the float32 run's
      // weights (same seed, same run, more precision).
      const bool bias = layer["bias"].get<bool>();
      auto linear = std::make_shared<nn::Linear>(width, out, bias, gen, DType::Float32);
      const std::string init = layer["init"];
      if (init != "default") {
        NoGradGuard no_grad;
        draw_weight(linear->weight, init, layer["std"].get<double>(), gen);
        if (linear->bias.defined()) nn::zeros_(linear->bias);
      }
      if (dtype != DType::Float32) {
        Generator unused(0);  // the values are overwritten below
        auto wide = std::make_shared<nn::Linear>(width, out, bias, unused, dtype);
        NoGradGuard no_grad;
        wide->weight.copy_(to(linear->weight, dtype));
        if (bias) wide->bias.copy_(to(linear->bias, dtype));
        linear = wide;
      }
      model->push_back(linear);
      width = out;
    } else if (type == "relu") {
      model->push_back(nn::ReLU());
    } else if (type == "tanh") {
      model->push_back(nn::Tanh());
    } else if (type == "sigmoid") {
      model->push_back(nn::Sigmoid());
    } else if (type == "gelu") {
      model->push_back(nn::GELU());
    } else if (type == "identity") {
      model->push_back(nn::Identity());
    } else if (type == "leaky_relu") {
      model->push_back(nn::LeakyReLU(layer["negative_slope"].get<double>()));
    } else if (type == "softplus") {
      model->push_back(nn::Softplus(layer["beta"].get<double>(), layer["threshold"].get<double>()));
    } else if (type == "dropout") {
      model->push_back(nn::Dropout(layer["p"].get<double>(), gen));
    } else if (type == "batchnorm") {
      model->push_back(nn::BatchNorm1d(width, {.eps = layer["eps"],
                                               .momentum = layer["momentum"].get<double>(),
                                               .affine = layer["affine"].get<bool>(),
                                               .dtype = dtype}));
    } else if (type == "layernorm") {
      model->push_back(nn::LayerNorm(Shape{width}, {.eps = layer["eps"], .dtype = dtype}));
    } else {
      config_error(join_path(path, "type"), "unknown layer \"" + type + "\"");
    }
  }
  if (width != out_features) {
    throw ValueError(fmt::format(
        "config: model: the last layer gives {} outputs but the data needs {} (leave \"out\" "
        "of the last linear layer unset to infer it)",
        width, out_features));
  }
  return model;
}

LossConfig parse_loss(const nlohmann::json& entry, const std::string& path) {
  const nlohmann::json object =
      entry.is_string() ? nlohmann::json{{"type", entry.get<std::string>()}} : entry;
  JsonReader r(object, path);
  LossConfig loss;
  loss.type = r.require<std::string>("type");
  const std::vector<std::string> types = {"cross_entropy", "multi_margin", "mse", "l1", "huber"};
  if (std::find(types.begin(), types.end(), loss.type) == types.end()) {
    r.fail("type", "unknown loss \"" + loss.type +
                       "\" (valid: cross_entropy, multi_margin, mse, l1, huber)");
  }
  loss.label_smoothing = r.get<double>("label_smoothing", loss.label_smoothing);
  if (!(loss.label_smoothing >= 0.0 && loss.label_smoothing <= 1.0)) {
    r.fail("label_smoothing", "must be in [0, 1]");
  }
  loss.margin = r.get<double>("margin", loss.margin);
  loss.delta = r.get<double>("delta", loss.delta);
  if (!(loss.delta > 0.0)) r.fail("delta", "must be > 0");
  r.finish({"type", "label_smoothing", "margin", "delta"});
  return loss;
}

bool is_classification_loss(const LossConfig& loss) {
  return loss.type == "cross_entropy" || loss.type == "multi_margin";
}

Tensor compute_loss(const LossConfig& loss, const Tensor& output, const Tensor& target) {
  if (loss.type == "cross_entropy") {
    return nn::cross_entropy(output, target, {.label_smoothing = loss.label_smoothing});
  }
  if (loss.type == "multi_margin") {
    return nn::multiclass_hinge_loss(output, target, {.margin = loss.margin});
  }
  if (loss.type == "mse") return nn::mse_loss(output, target);
  if (loss.type == "l1") return nn::l1_loss(output, target);
  return nn::huber_loss(output, target, {.delta = loss.delta});
}

}  // namespace descent::app
