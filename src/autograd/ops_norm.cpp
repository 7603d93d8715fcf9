// Batch normalization with the batch's own statistics as one primitive (the training mode of
// nn::batch_norm): the composite of mean, subtraction, variance, power, product and sum is
// seven nodes and about a dozen passes over x forward and backward; this is one node and two
// passes each way (kernels/batch_norm.h).
#include "descent/kernels/batch_norm.h"
#include "op_helpers.h"

namespace descent {
namespace {

// The axes a channel's statistics run over: all but axis 1.
std::vector<int64_t> statistics_axes(int64_t rank) {
  std::vector<int64_t> axes = {0};
  for (int64_t d = 2; d < rank; ++d) axes.push_back(d);
  return axes;
}

// [C] as [1, C, 1, ...] for a rank-`rank` input.
Tensor as_channels(const Tensor& t, int64_t rank) {
  Shape s = Shape::filled(static_cast<size_t>(rank), 1);
  s[1] = t.numel();
  return reshape(t, s);
}

}  // namespace

namespace autograd::defs {

// With x̂ = (x − μ)·r, r = (σ² + eps)^(−1/2), n values per channel and ĝ = g·γ:
//   dβ = Σ g,   dγ = Σ g·x̂,   dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),
// sums and means per channel. A first-order pass takes the fused kernel with the statistics
// saved by the forward; with grad mode on, the rule recomputes μ and r from x with
// differentiable ops, so that derivatives of the gradient include their dependence on x.
const OpDef kBatchNorm{"batch_norm", [](BackwardContext& c, const Tensor& g) -> GradList {
                         const Tensor x = c.saved(0);
                         const Tensor w = c.attrs().flag ? c.saved(3) : Tensor();
                         if (!GradMode::is_enabled()) {
                           kernels::BatchNormGrads r = kernels::batch_norm_backward(
                               g, x, c.saved(1), c.saved(2), w, c.needs(0), c.needs(1), c.needs(2));
                           return {std::move(r.dx), std::move(r.dweight), std::move(r.dbias)};
                         }
                         const std::vector<int64_t> axes = statistics_axes(x.dim());
                         const Tensor centered = sub(x, mean(x, axes, true));
                         const Tensor inv_std =
                             pow(add(mean(mul(centered, centered), axes, true), c.attrs().scalar),
                                 -0.5);
                         const Tensor x_hat = mul(centered, inv_std);
                         GradList out{Tensor(), Tensor(), Tensor()};
                         if (c.needs(0)) {
                           const Tensor gh = w.defined() ? mul(g, as_channels(w, x.dim())) : g;
                           out[0] = mul(inv_std, sub(sub(gh, mean(gh, axes, true)),
                                                     mul(x_hat, mean(mul(gh, x_hat), axes, true))));
                         }
                         if (c.needs(1)) out[1] = sum(mul(g, x_hat), axes);
                         if (c.needs(2)) out[2] = sum(g, axes);
                         return out;
                       }};

}  // namespace autograd::defs

Tensor batch_normalize(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps,
                       Tensor* batch_mean, Tensor* batch_var) {
  kernels::BatchNormResult r = kernels::batch_norm(x, weight, bias, eps);
  if (autograd::should_record({&x, &weight, &bias})) {
    autograd::Node& n = autograd::record(autograd::defs::kBatchNorm, r.y, {&x, &weight, &bias});
    n.attrs.scalar = eps;
    n.attrs.flag = weight.defined();
    n.save_input(x);
    n.save_input(r.mean);
    n.save_input(r.inv_std);
    if (weight.defined()) n.save_input(weight);
  }
  if (batch_mean) *batch_mean = r.mean;
  if (batch_var) *batch_var = r.var;
  return r.y;
}

}  // namespace descent
