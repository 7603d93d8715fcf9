// torch.nn.init's gains, fans and the plain and fan-scaled initializers (nn/init.h).
#include "descent/nn/init.h"

#include <cmath>
#include <string>
#include <vector>

#include "descent/autograd/ops.h"
#include "init_common.h"

namespace descent::nn {

using detail::overwrite;
using detail::require_floating_target;

double calculate_gain(std::string_view nonlinearity, std::optional<double> param) {
  static constexpr std::string_view kLinear[] = {
      "linear",           "conv1d",           "conv2d",          "conv3d",
      "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"};
  for (std::string_view name : kLinear)
    if (nonlinearity == name) return 1.0;
  if (nonlinearity == "sigmoid") return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    if (!std::isfinite(slope))
      throw ValueError("calculate_gain: negative_slope " + std::to_string(slope) +
                       " is not a valid number");
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  // SELU's 3/4 is PyTorch's choice to keep the gradient norm stable with normal init.
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw ValueError("calculate_gain: unsupported nonlinearity '" + std::string(nonlinearity) +
                   "' (expected linear, conv1d, conv2d, conv3d, conv_transpose1d, "
                   "conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu or selu)");
}

Fans calculate_fan_in_and_fan_out(const Tensor& tensor) {
  if (!tensor.defined()) throw ValueError("calculate_fan_in_and_fan_out: tensor is undefined");
  if (tensor.dim() < 2)
    throw ValueError(
        "calculate_fan_in_and_fan_out: fan in and fan out can not be computed for a "
        "tensor with fewer than 2 dimensions, got shape " +
        tensor.shape().str());
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

// --- deterministic ---

Tensor& constant_(Tensor& tensor, double value) {
  if (!tensor.defined()) throw ValueError("constant_: tensor is undefined");
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}
Tensor& zeros_(Tensor& tensor) {
  return constant_(tensor, 0.0);
}
Tensor& ones_(Tensor& tensor) {
  return constant_(tensor, 1.0);
}

Tensor& eye_(Tensor& tensor) {
  if (!tensor.defined()) throw ValueError("eye_: tensor is undefined");
  if (tensor.dim() != 2)
    throw ValueError("eye_: only 2-D tensors are supported, got shape " + tensor.shape().str());
  const int64_t rows = tensor.size(0), cols = tensor.size(1);
  std::vector<double> values(static_cast<size_t>(rows * cols), 0.0);
  for (int64_t i = 0; i < std::min(rows, cols); ++i) values[static_cast<size_t>(i * cols + i)] = 1;
  return overwrite(tensor, from_vector(values, tensor.shape(), tensor.dtype()));
}

// --- random, plain ---

Tensor& uniform_(Tensor& tensor, double a, double b, Generator& gen) {
  require_floating_target(tensor, "uniform_");
  if (!(a <= b))
    throw ValueError("uniform_: need a <= b, got a=" + std::to_string(a) +
                     ", b=" + std::to_string(b));
  NoGradGuard no_grad;
  return overwrite(tensor, rand(tensor.shape(), gen, tensor.dtype()) * (b - a) + a);
}

Tensor& normal_(Tensor& tensor, double mean, double std, Generator& gen) {
  require_floating_target(tensor, "normal_");
  if (!(std >= 0.0))
    throw ValueError("normal_: std must be non-negative, got " + std::to_string(std));
  NoGradGuard no_grad;
  return overwrite(tensor, randn(tensor.shape(), gen, tensor.dtype()) * std + mean);
}

// --- scaled by the fans ---

Tensor& xavier_uniform_(Tensor& tensor, double gain, Generator& gen) {
  require_floating_target(tensor, "xavier_uniform_");
  if (tensor.numel() == 0) return tensor;
  const Fans f = calculate_fan_in_and_fan_out(tensor);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(f.fan_in + f.fan_out));
  const double bound = std::sqrt(3.0) * std;  // U(−r, r) has standard deviation r/√3
  return uniform_(tensor, -bound, bound, gen);
}

Tensor& xavier_normal_(Tensor& tensor, double gain, Generator& gen) {
  require_floating_target(tensor, "xavier_normal_");
  if (tensor.numel() == 0) return tensor;
  const Fans f = calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0.0, gain * std::sqrt(2.0 / static_cast<double>(f.fan_in + f.fan_out)),
                 gen);
}

namespace {

// σ = gain/√fan of the He initializers, after checking their arguments.
double kaiming_std(const Tensor& tensor, double a, std::string_view mode,
                   std::string_view nonlinearity, const char* op) {
  if (mode != "fan_in" && mode != "fan_out")
    throw ValueError(std::string(op) + ": mode '" + std::string(mode) +
                     "' is not supported, use 'fan_in' or 'fan_out'");
  const double gain = calculate_gain(nonlinearity, a);
  const Fans f = calculate_fan_in_and_fan_out(tensor);
  return gain / std::sqrt(static_cast<double>(mode == "fan_in" ? f.fan_in : f.fan_out));
}

}  // namespace

Tensor& kaiming_uniform_(Tensor& tensor, double a, std::string_view mode,
                         std::string_view nonlinearity, Generator& gen) {
  require_floating_target(tensor, "kaiming_uniform_");
  if (tensor.numel() == 0) return tensor;
  const double bound =
      std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_");
  return uniform_(tensor, -bound, bound, gen);
}

Tensor& kaiming_normal_(Tensor& tensor, double a, std::string_view mode,
                        std::string_view nonlinearity, Generator& gen) {
  require_floating_target(tensor, "kaiming_normal_");
  if (tensor.numel() == 0) return tensor;
  return normal_(tensor, 0.0, kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_"), gen);
}

Tensor& lecun_normal_(Tensor& tensor, Generator& gen) {
  require_floating_target(tensor, "lecun_normal_");
  return kaiming_normal_(tensor, 0.0, "fan_in", "linear", gen);
}

}  // namespace descent::nn
