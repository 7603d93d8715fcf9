#include "descent/nn/linear.h"

#include <cmath>
#include <string>

#include "descent/core/error.h"
#include "descent/nn/functional.h"
#include "descent/nn/init.h"

namespace descent::nn {

Linear::Linear(int64_t in, int64_t out, bool with_bias, Generator& gen, DType dtype)
    : in_features(in), out_features(out) {
  if (in < 0 || out < 0)
    throw ValueError("Linear: in_features and out_features must be non-negative, got " +
                     std::to_string(in) + " and " + std::to_string(out));
  if (!is_floating(dtype))
    throw DTypeError("Linear: parameters must be floating, got " + std::string(dtype_name(dtype)));
  weight = register_parameter("weight", Tensor::empty({out, in}, dtype));
  if (with_bias) bias = register_parameter("bias", Tensor::empty({out}, dtype));
  reset_parameters(gen);
}

void Linear::reset_parameters(Generator& gen) {
  // PyTorch's choice: kaiming_uniform_ with a = √5 gives gain √(2/(1 + 5)) = 1/√3 and bound
  // √3·gain/√fan_in = 1/√fan_in.
  kaiming_uniform_(weight, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    uniform_(bias, -bound, bound, gen);
  }
}

Tensor Linear::forward(const Tensor& input) {
  return linear(input, weight, bias);
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features) +
         ", out_features=" + std::to_string(out_features) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

}  // namespace descent::nn
