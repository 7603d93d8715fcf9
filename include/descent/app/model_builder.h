#pragma once
// Models and losses from config entries (app/config.h).
//
// A model is a list of layers, each an object {"type": ..., options} or just the type name:
//   linear      out (int; may be omitted on the last linear layer: the number of outputs the
//               data needs), bias (true), init ("default" | "kaiming_uniform" |
//               "kaiming_normal" | "xavier_uniform" | "xavier_normal" | "lecun_normal" |
//               "orthogonal" | "normal": every weight N(0, std²)), std (1, for "normal" only);
//               biases of a non-default init start at 0
//   relu, tanh, sigmoid, gelu, identity
//   leaky_relu  negative_slope (0.01)
//   softplus    beta (1), threshold (20)
//   dropout     p (0.5), in [0, 1)
//   batchnorm   eps (1e-5), momentum (0.1), affine (true: learned scale and shift per channel)
//   layernorm   eps (1e-5)
// The input width comes from the data; each layer's width from the one before it.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "descent/app/config.h"
#include "descent/core/rng.h"
#include "descent/core/tensor.h"
#include "descent/nn/sequential.h"

namespace descent::app {

// Validates one layer entry and returns it with every option filled in. `path` names it in
// errors ("model[2]").
LayerConfig normalize_layer(const nlohmann::json& entry, const std::string& path);

// The default model: linear 256, relu, linear 128, relu, linear (to the outputs).
std::vector<LayerConfig> default_model();

// Builds the model for inputs of width `in_features` and `out_features` outputs. Parameters
// are drawn from `gen` in layer order; dropout layers draw their masks from `gen` as well, so it
// must outlive the model.
std::shared_ptr<nn::Sequential> build_model(const std::vector<LayerConfig>& layers,
                                            int64_t in_features, int64_t out_features, DType dtype,
                                            Generator& gen);

// Validates a loss entry: a type name or {"type": ..., options}.
LossConfig parse_loss(const nlohmann::json& entry, const std::string& path);

// The loss of `output` [N, C] against `target` (int64 labels [N] for classification losses,
// float [N, C] for regression losses), averaged over the batch.
Tensor compute_loss(const LossConfig& loss, const Tensor& output, const Tensor& target);

// Whether the loss takes class labels (and accuracy is meaningful).
bool is_classification_loss(const LossConfig& loss);

}  // namespace descent::app
