#pragma once
// LayerNorm, as torch.nn.LayerNorm: normalizes over the trailing dimensions `normalized_shape`
// of each example (nn::layer_norm), with the same statistics in training and evaluation.
// With elementwise_affine, weight (ones) and bias (zeros) have shape normalized_shape.
//
//   nn::LayerNorm ln({64});                       // over the last dimension of [*, 64]
//   nn::LayerNorm ln2({8, 8}, {.eps = 1e-6});
#include "descent/core/shape.h"
#include "descent/nn/module.h"

namespace descent::nn {

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;
  DType dtype = DType::Float32;  // of weight and bias
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, LayerNormOptions options = {});

  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  Shape normalized_shape;
  LayerNormOptions options;
  Tensor weight, bias;  // when elementwise_affine
};

}  // namespace descent::nn
