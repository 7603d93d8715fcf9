// hvp_power20: twenty power iterations with exact Hessian-vector products (double backward)
// on a 784-256-128-10 ReLU MLP (nn modules, default init, float32) over the first 1000
// Fashion-MNIST training images, full batch, mean cross-entropy. One timed call builds
// ∇L with create_graph once (analysis::HessianOperator) and then runs
//   v ← H v / ‖H v‖   twenty times on the per-parameter tensors (no flat float64 copies),
// as tools/bench_torch.py does with torch.autograd.grad(create_graph=True) and
// torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True).
//
// The note gives the cost of one HVP relative to one gradient (forward + backward without a
// graph of the backward) for descent, measured here, and for PyTorch (its `check`), and a GEMM
// floor: the matrix products of the timed call (one gradient, twenty HVPs) called directly.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench.h"
#include "descent/analysis/hessian.h"
#include "descent/app/config.h"
#include "descent/app/experiment_data.h"
#include "descent/descent.h"
#include "descent/nn.h"
#include "direct_blas.h"
#include "timing.h"

namespace descent::bench {
namespace {

constexpr int64_t kSamples = 1000;
constexpr int kIterations = 20;
constexpr int kRounds = 3;
// The targets: descent / PyTorch, and one HVP relative to one gradient.
constexpr double kGoalVsTorch = 0.7;
constexpr double kGoalHvpVsGrad = 3.0;

// The products of ∇L over 1000 samples (N): forward z = h·Wᵀ per layer, backward dh = dz·W and
// dW = dzᵀ·h (no dh for the input).
constexpr GemmShape kGradientGemms[] = {
    {1000, 256, 784, false, true}, {1000, 128, 256, false, true}, {1000, 10, 128, false, true},
    {1000, 128, 10, false, false}, {10, 128, 1000, true, false},  {1000, 256, 128, false, false},
    {128, 256, 1000, true, false}, {256, 784, 1000, true, false},
};
// The products of one HVP, the double backward through that graph (R-forward and R-backward
// of each layer: two products per bilinear term, none for the input), as descent makes them.
constexpr GemmShape kHvpGemms[] = {
    {10, 1000, 128, false, true},   {1000, 128, 10, false, false}, {128, 1000, 256, false, true},
    {1000, 256, 128, false, false}, {256, 1000, 784, false, true}, {1000, 128, 256, false, true},
    {128, 256, 1000, true, false},  {1000, 10, 128, false, true},  {10, 128, 1000, true, false},
    {1000, 128, 10, false, false},  {10, 128, 1000, true, false},  {1000, 256, 128, false, false},
    {128, 256, 1000, true, false},  {256, 784, 1000, true, false},
};

double norm_of(const std::vector<Tensor>& v) {
  double s = 0.0;
  for (const Tensor& t : v) s += sum(t * t).item();
  return std::sqrt(s);
}

std::vector<Tensor> scaled(const std::vector<Tensor>& v, double s) {
  std::vector<Tensor> out;
  for (const Tensor& t : v) out.push_back(t * s);
  return out;
}

}  // namespace

void run_hvp_power20(Context& ctx) {
  const app::ExperimentConfig config =
      app::parse_config({{"name", "hvp_power20"}, {"data", {{"dataset", "fashion-mnist"}}}});
  const data::Split data = app::prepare_data(config.data, config.seed, DType::Float32);
  const Tensor x = contiguous(slice(data.train.inputs, 0, 0, kSamples));
  const Tensor y = contiguous(slice(data.train.targets, 0, 0, kSamples));
  Generator gen(0);
  nn::Sequential model(nn::Linear(784, 256, true, gen), nn::ReLU(), nn::Linear(256, 128, true, gen),
                       nn::ReLU(), nn::Linear(128, 10, true, gen));
  const std::vector<Tensor> params = model.parameters();
  auto loss = [&] { return nn::cross_entropy(model(x), y); };
  std::vector<Tensor> start;
  for (const Tensor& p : params) start.push_back(randn(p.shape(), gen, DType::Float32));
  start = scaled(start, 1.0 / norm_of(start));

  double lambda = 0.0;
  auto power20 = [&] {
    NoGradGuard outside;  // the norms and scalings need no graph
    const analysis::HessianOperator h(params, loss);
    std::vector<Tensor> v = start;
    for (int i = 0; i < kIterations; ++i) {
      const std::vector<Tensor> hv = h.apply(v);
      lambda = norm_of(hv);
      v = scaled(hv, 1.0 / lambda);
    }
  };
  // Rounds of PyTorch's timing, then descent's, then the floor's: the machine's speed drifts
  // over seconds, so each side's best round is taken.
  const int rounds = ctx.quick ? 1 : kRounds;
  DirectGemms gradient_gemms(kGradientGemms), hvp_gemms(kHvpGemms);
  auto floor_call = [&] {
    gradient_gemms.pass();
    for (int i = 0; i < kIterations; ++i) hvp_gemms.pass();
  };
  std::vector<double> ours_s, floors_s, torch_ms;
  for (int r = 0; r < rounds; ++r) {
    ctx.torch_once("hvp_power20", torch_ms);
    ours_s.push_back(measure(power20).median_s);
    floors_s.push_back(measure(floor_call).median_s);
    wait_for_blas_threads_to_sleep();
  }
  const double power_s = *std::min_element(ours_s.begin(), ours_s.end());
  const double floor_s = *std::min_element(floors_s.begin(), floors_s.end());

  // One HVP on a built graph, and one gradient.
  double hvp_s = 0.0;
  {
    const analysis::HessianOperator h(params, loss);
    hvp_s = measure([&] { keep(h.apply(start)); }).median_s;
  }
  const double grad_s = measure([&] { keep(grad(std::vector<Tensor>{loss()}, params)); }).median_s;
  const double hvp_vs_grad = hvp_s / grad_s;

  const TorchResult* t = ctx.torch ? ctx.torch->find("hvp_power20") : nullptr;
  const std::string torch_ratio = t && t->check.size() >= 3
                                      ? fmt::format("; torch: HVP {:.2f}x grad, λ≈{:.4g}",
                                                    t->check[1] / t->check[2], t->check[0])
                                      : std::string();
  Row& row = ctx.add_row(
      "hvp_power20", power_s * 1e3, "ms",
      fmt::format("descent: one HVP {:.2f} ms = {:.2f}x one gradient "
                  "({:.2f} ms), λ≈{:.4g}{}; GEMM floor {:.0f} ms",
                  hvp_s * 1e3, hvp_vs_grad, grad_s * 1e3, lambda, torch_ratio, floor_s * 1e3));
  Context::take_best_torch(row, torch_ms);
  row.note += "; rounds (descent, torch ms):";
  for (size_t r = 0; r < ours_s.size(); ++r)
    row.note += fmt::format(" {:.0f}/{}", ours_s[r] * 1e3,
                            r < torch_ms.size() ? fmt::format("{:.0f}", torch_ms[r]) : "-");
  ctx.report->goals.push_back({fmt::format("hvp_power20: ratio vs PyTorch <= {:.1f}", kGoalVsTorch),
                               fmt::format("ratio {:.3f}", row.ratio()),
                               std::isfinite(row.ratio()) && row.ratio() <= kGoalVsTorch});
  ctx.report->goals.push_back(
      {fmt::format("hvp_power20: one HVP <= {:.0f}x one gradient", kGoalHvpVsGrad),
       fmt::format("{:.2f}x", hvp_vs_grad), hvp_vs_grad <= kGoalHvpVsGrad});
}

}  // namespace descent::bench
