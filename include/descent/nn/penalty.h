#pragma once
// Weight penalties added to a loss: L2 (Σ‖W‖², as in the lecture's regularization loss
// λ·Σ W²) and L1 (Σ|W|), over chosen parameters. The penalty is returned unscaled; multiply by
// the strength λ yourself: `loss = data_loss + lambda * nn::l2_penalty(model.named_parameters())`.
//
// Which parameters count as biases (excluded unless include_biases is set):
//   a parameter whose name ends with "bias" (e.g. "fc1.bias", "b" does NOT match), or any
//   parameter with fewer than two dimensions (biases, and also normalization scales and
//   shifts such as BatchNorm's weight, which are conventionally not decayed either).
// Unnamed parameters are judged by the dimension rule alone. Matrices and higher-rank tensors
// (weights of linear and convolutional layers) are always included.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::nn {

struct PenaltyOptions {
  bool include_biases = false;
};

using NamedParameters = std::vector<std::pair<std::string, Tensor>>;

// True when the rule above calls `param` (named `name`; empty for none) a bias.
bool is_bias_parameter(std::string_view name, const Tensor& param);

// Σ over the chosen parameters of Σ p² (a scalar; 0 when nothing is chosen). Differentiable:
// its gradient is 2p for each chosen p.
Tensor l2_penalty(const NamedParameters& params, const PenaltyOptions& options = {});
Tensor l2_penalty(const std::vector<Tensor>& params, const PenaltyOptions& options = {});

// Σ over the chosen parameters of Σ |p|, with gradient sign(p) (0 at p = 0).
Tensor l1_penalty(const NamedParameters& params, const PenaltyOptions& options = {});
Tensor l1_penalty(const std::vector<Tensor>& params, const PenaltyOptions& options = {});

}  // namespace descent::nn
