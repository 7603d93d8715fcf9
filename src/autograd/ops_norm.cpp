// Batch and layer normalization as primitives (what nn::batch_norm trains with and what
// nn::layer_norm computes): the composite of mean, subtraction, variance, power, product and
// sum is seven nodes and about a dozen passes over x forward and backward; each of these is one
// node and two or three passes each way (kernels/batch_norm.h, kernels/layer_norm.h).
//
// Both rules take the fused first-order kernel with the statistics saved by the forward when
// grad mode is off. With grad mode on they recompute μ and r from x with differentiable ops,
// so that derivatives of the gradient include the statistics' dependence on x.
#include "descent/kernels/batch_norm.h"
#include "descent/kernels/layer_norm.h"
#include "op_helpers.h"

namespace descent {
namespace {

// Batch norm's statistics run over every axis but 1 (the channels).
std::vector<int64_t> statistics_axes(int64_t rank) {
  std::vector<int64_t> axes = {0};
  for (int64_t d = 2; d < rank; ++d) axes.push_back(d);
  return axes;
}

// Layer norm's run over the last k axes.
std::vector<int64_t> trailing_axes(int64_t rank, int64_t k) {
  std::vector<int64_t> axes;
  for (int64_t d = rank - k; d < rank; ++d) axes.push_back(d);
  return axes;
}

// [C] as [1, C, 1, ...] for a rank-`rank` input.
Tensor as_channels(const Tensor& t, int64_t rank) {
  Shape s = Shape::filled(static_cast<size_t>(rank), 1);
  s[1] = t.numel();
  return reshape(t, s);
}

// For y = x̂·γ + β with x̂ = (x − μ)·r normalized over `axes` (μ and the biased σ² over them,
// r = (σ² + eps)^(−1/2)), as differentiable ops of x: with ĝ = g·γ,
//   dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),
// and x̂, from which the parameters' gradients Σ g·x̂ and Σ g follow.
struct NormalizedGrad {
  Tensor dx, x_hat;
};
NormalizedGrad normalized_grad(const Tensor& x, const Tensor& g, const Tensor& gamma,
                               const std::vector<int64_t>& axes, double eps, bool need_dx) {
  const Tensor centered = sub(x, mean(x, axes, true));
  const Tensor inv_std = pow(add(mean(mul(centered, centered), axes, true), eps), -0.5);
  NormalizedGrad out{Tensor(), mul(centered, inv_std)};
  if (need_dx) {
    const Tensor gh = gamma.defined() ? mul(g, gamma) : g;
    out.dx = mul(inv_std, sub(sub(gh, mean(gh, axes, true)),
                              mul(out.x_hat, mean(mul(gh, out.x_hat), axes, true))));
  }
  return out;
}

// Saved: x, μ, r, then γ when the op has one (attrs.flag).
autograd::GradList batch_norm_rule(autograd::BackwardContext& c, const Tensor& g) {
  const Tensor x = c.saved(0);
  const Tensor w = c.attrs().flag ? c.saved(3) : Tensor();
  if (!GradMode::is_enabled()) {
    kernels::BatchNormGrads r = kernels::batch_norm_backward(g, x, c.saved(1), c.saved(2), w,
                                                             c.needs(0), c.needs(1), c.needs(2));
    return {std::move(r.dx), std::move(r.dweight), std::move(r.dbias)};
  }
  const std::vector<int64_t> axes = statistics_axes(x.dim());
  const NormalizedGrad n = normalized_grad(x, g, w.defined() ? as_channels(w, x.dim()) : Tensor(),
                                           axes, c.attrs().scalar, c.needs(0));
  autograd::GradList out{n.dx, Tensor(), Tensor()};
  if (c.needs(1)) out[1] = sum(mul(g, n.x_hat), axes);
  if (c.needs(2)) out[2] = sum(g, axes);
  return out;
}

// As batch_norm_rule, per row of the trailing attrs.dim axes; γ and β have the rows' shape,
// so their gradients sum over the leading axes.
autograd::GradList layer_norm_rule(autograd::BackwardContext& c, const Tensor& g) {
  const Tensor x = c.saved(0);
  const Tensor w = c.attrs().flag ? c.saved(3) : Tensor();
  const int64_t k = c.attrs().dim;
  if (!GradMode::is_enabled()) {
    kernels::LayerNormGrads r = kernels::layer_norm_backward(g, x, k, c.saved(1), c.saved(2), w,
                                                             c.needs(0), c.needs(1), c.needs(2));
    return {std::move(r.dx), std::move(r.dweight), std::move(r.dbias)};
  }
  const NormalizedGrad n =
      normalized_grad(x, g, w, trailing_axes(x.dim(), k), c.attrs().scalar, c.needs(0));
  autograd::GradList out{n.dx, Tensor(), Tensor()};
  if (c.needs(1)) out[1] = sum_to(mul(g, n.x_hat), c.input_shape(1));
  if (c.needs(2)) out[2] = sum_to(g, c.input_shape(2));
  return out;
}

// Records the node of a normalization primitive over inputs (x, weight, bias).
void record_normalization(const autograd::OpDef& op, Tensor& y, const Tensor& x,
                          const Tensor& weight, const Tensor& bias, const Tensor& mean,
                          const Tensor& inv_std, double eps, int64_t dim) {
  if (!autograd::should_record({&x, &weight, &bias})) return;
  autograd::Node& n = autograd::record(op, y, {&x, &weight, &bias});
  n.attrs.scalar = eps;
  n.attrs.dim = dim;
  n.attrs.flag = weight.defined();
  n.save_input(x);
  n.save_input(mean);
  n.save_input(inv_std);
  if (weight.defined()) n.save_input(weight);
}

}  // namespace

namespace autograd::defs {

const OpDef kBatchNorm{"batch_norm", batch_norm_rule};
const OpDef kLayerNorm{"layer_norm", layer_norm_rule};

}  // namespace autograd::defs

Tensor batch_normalize(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps,
                       Tensor* batch_mean, Tensor* batch_var) {
  kernels::BatchNormResult r = kernels::batch_norm(x, weight, bias, eps);
  record_normalization(autograd::defs::kBatchNorm, r.y, x, weight, bias, r.mean, r.inv_std, eps, 1);
  if (batch_mean) *batch_mean = r.mean;
  if (batch_var) *batch_var = r.var;
  return r.y;
}

Tensor layer_normalize(const Tensor& x, int64_t normalized_dims, const Tensor& weight,
                       const Tensor& bias, double eps) {
  kernels::LayerNormResult r = kernels::layer_norm(x, normalized_dims, weight, bias, eps);
  record_normalization(autograd::defs::kLayerNorm, r.y, x, weight, bias, r.mean, r.inv_std, eps,
                       normalized_dims);
  return r.y;
}

}  // namespace descent
