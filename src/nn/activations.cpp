#include "descent/nn/activations.h"

#include <string>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "repr_number.h"

namespace descent::nn {
using detail::repr_number;

Tensor ReLU::forward(const Tensor& input) {
  return relu(input);
}

Tensor LeakyReLU::forward(const Tensor& input) {
  return leaky_relu(input, negative_slope);
}
std::string LeakyReLU::extra_repr() const {
  return "negative_slope=" + repr_number(negative_slope);
}

Tensor Sigmoid::forward(const Tensor& input) {
  return sigmoid(input);
}

Tensor Tanh::forward(const Tensor& input) {
  return tanh(input);
}

Tensor GELU::forward(const Tensor& input) {
  return gelu(input, approximate);
}
std::string GELU::extra_repr() const {
  return std::string("approximate='") + (approximate == GeluApproximate::Tanh ? "tanh" : "none") +
         "'";
}

Softplus::Softplus(double beta, double threshold) : beta(beta), threshold(threshold) {
  if (!(beta > 0.0))
    throw ValueError("Softplus: beta must be positive, got " + std::to_string(beta));
}
Tensor Softplus::forward(const Tensor& input) {
  return softplus(input, beta, threshold);
}
std::string Softplus::extra_repr() const {
  return "beta=" + repr_number(beta) + ", threshold=" + repr_number(threshold);
}

}  // namespace descent::nn
