// batch_norm and layer_norm (nn/functional.h), on the batch_normalize and layer_normalize
// primitives (autograd/ops_norm.cpp), whose gradients (of any order) include the dependence of
// the statistics on x. Parameters of another dtype than x take the composite of ops instead.
#include <string>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/functional.h"

namespace descent::nn {
namespace {

void require_vector(const Tensor& t, int64_t channels, const char* op, const char* what) {
  if (t.defined() && !(t.shape() == Shape{channels}))
    throw ShapeError(std::string(op) + ": " + what + " has shape " + t.shape().str() +
                     ", expected [" + std::to_string(channels) + "]");
}

// (x − μ)/√(σ² + eps) with μ and the biased σ² over `dims`; also returns μ and σ².
struct Normalized {
  Tensor x_hat, mean, var;
};
Normalized normalize(const Tensor& x, const std::vector<int64_t>& dims, double eps) {
  const Tensor mu = mean(x, dims, true);
  const Tensor centered = x - mu;
  const Tensor var = mean(centered * centered, dims, true);
  return {centered * pow(var + eps, -0.5), mu, var};
}

// Whether the (optional) affine parameters have x's dtype, as the fused primitives need.
bool params_match(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && t->dtype() != x.dtype()) return false;
  return true;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  const char* op = "batch_norm";
  if (!x.defined()) throw ValueError("batch_norm: input is undefined");
  if (!is_floating(x.dtype()))
    throw DTypeError("batch_norm: expected a floating input, got " +
                     std::string(dtype_name(x.dtype())));
  if (x.dim() < 2)
    throw ShapeError("batch_norm: expected an input [N, C, *] of at least 2 dimensions, got " +
                     x.shape().str());
  const int64_t channels = x.size(1);
  require_vector(running_mean, channels, op, "running_mean");
  require_vector(running_var, channels, op, "running_var");
  require_vector(weight, channels, op, "weight");
  require_vector(bias, channels, op, "bias");
  if (running_mean.defined() != running_var.defined())
    throw ValueError("batch_norm: give both running_mean and running_var, or neither");

  // [C] parameters broadcast as [1, C, 1, ...].
  Shape per_channel = Shape::filled(static_cast<size_t>(x.dim()), 1);
  per_channel[1] = channels;
  auto as_channels = [&](const Tensor& t) { return reshape(t, per_channel); };

  if (!training) {
    if (!running_mean.defined())
      throw ValueError("batch_norm: running_mean and running_var are needed when not training");
    // Evaluation is affine in x: y = x·scale + shift with
    // scale = weight/√(r_σ² + eps), shift = bias − r_μ·scale; two passes over x instead of four.
    Tensor scale = pow(running_var + eps, -0.5);
    if (weight.defined()) scale = scale * weight;
    Tensor shift = -(running_mean * scale);
    if (bias.defined()) shift = shift + bias;
    return x * as_channels(scale) + as_channels(shift);
  }

  const int64_t n = channels == 0 ? 0 : x.numel() / channels;
  if (n == 1)
    throw ValueError(
        "batch_norm: expected more than 1 value per channel when training, got "
        "input of shape " +
        x.shape().str());
  Tensor y, batch_mean, batch_var;
  if (params_match(x, weight, bias)) {
    y = batch_normalize(x, weight, bias, eps, &batch_mean, &batch_var);
  } else {
    // Parameters of another dtype promote the output, as a composite of ops does.
    std::vector<int64_t> dims = {0};
    for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    const Normalized s = normalize(x, dims, eps);
    y = s.x_hat;
    if (weight.defined()) y = y * as_channels(weight);
    if (bias.defined()) y = y + as_channels(bias);
    batch_mean = reshape(s.mean.detach(), {channels});
    batch_var = reshape(s.var.detach(), {channels});
  }
  if (running_mean.defined()) {
    NoGradGuard no_grad;
    const double unbias = static_cast<double>(n) / static_cast<double>(n - 1);
    Tensor r_mean = running_mean, r_var = running_var;  // handles: the updates write through
    r_mean.mul_(1.0 - momentum);
    r_mean.add_(batch_mean, momentum);
    r_var.mul_(1.0 - momentum);
    r_var.add_(batch_var, momentum * unbias);
  }
  return y;
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  if (!x.defined()) throw ValueError("layer_norm: input is undefined");
  if (!is_floating(x.dtype()))
    throw DTypeError("layer_norm: expected a floating input, got " +
                     std::string(dtype_name(x.dtype())));
  const auto k = static_cast<int64_t>(normalized_shape.size());
  if (k == 0) throw ValueError("layer_norm: normalized_shape is empty");
  bool matches = x.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i)
    matches = x.size(x.dim() - k + i) == normalized_shape[static_cast<size_t>(i)];
  if (!matches)
    throw ShapeError("layer_norm: normalized_shape " + normalized_shape.str() +
                     " expects an input of shape [*, " + normalized_shape.str().substr(1) +
                     ", got " + x.shape().str());
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && !(t->shape() == normalized_shape))
      throw ShapeError(std::string("layer_norm: ") + (t == &weight ? "weight" : "bias") +
                       " has shape " + t->shape().str() + ", expected normalized_shape " +
                       normalized_shape.str());

  if (params_match(x, weight, bias)) return layer_normalize(x, k, weight, bias, eps);
  // Parameters of another dtype promote the output, as a composite of ops does.
  std::vector<int64_t> dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  Tensor y = normalize(x, dims, eps).x_hat;
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

}  // namespace descent::nn
