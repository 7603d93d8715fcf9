#pragma once
// Elementwise activation modules, as their torch.nn namesakes. Each holds only its options and
// calls the functional form (autograd/ops.h or nn/functional.h); none has parameters.
#include "descent/nn/functional.h"
#include "descent/nn/module.h"

namespace descent::nn {

// max(0, x); the gradient at 0 is 0.
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "ReLU"; }
};

// x for x > 0, negative_slope·x otherwise.
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope(negative_slope) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope;
};

// 1/(1 + e^{−x}).
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Tanh"; }
};

// x·Φ(x). The default is the tanh approximation (see nn/functional.h for why); pass
// GeluApproximate::None for the exact form, PyTorch's default.
class GELU : public Module {
 public:
  explicit GELU(GeluApproximate approximate = GeluApproximate::Tanh) : approximate(approximate) {}
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "GELU"; }
  std::string extra_repr() const override;
  GeluApproximate approximate;
};

// (1/β)·log(1 + e^{βx}), linear beyond βx > threshold.
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0);
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Softplus"; }
  std::string extra_repr() const override;
  double beta;
  double threshold;
};

// Returns its input unchanged (a placeholder, e.g. for an optional layer).
class Identity : public Module {
 public:
  Tensor forward(const Tensor& input) override { return input; }
  std::string type_name() const override { return "Identity"; }
};

}  // namespace descent::nn
