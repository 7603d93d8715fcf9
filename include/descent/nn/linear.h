#pragma once
// Linear: y = x Wᵀ + b, as torch.nn.Linear. W is [out_features, in_features] (PyTorch's layout,
// so state dicts carry over), b is [out_features].
//
// Default initialization is PyTorch's: kaiming_uniform_(W, a = √5), which works out to
// W ~ U(−1/√in, 1/√in), and b ~ U(−1/√in, 1/√in) (b = 0 when in_features = 0).
// Weights are drawn from `gen` first, then the bias, so a seed fixes both.
#include <cstdint>

#include "descent/core/rng.h"
#include "descent/nn/module.h"

namespace descent::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         Generator& gen = default_generator(), DType dtype = DType::Float32);
  Linear(int64_t in_features, int64_t out_features, Generator& gen)
      : Linear(in_features, out_features, true, gen) {}

  // Re-draws weight and bias as the constructor does.
  void reset_parameters(Generator& gen = default_generator());

  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;

  int64_t in_features;
  int64_t out_features;
  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features], undefined without bias
};

}  // namespace descent::nn
