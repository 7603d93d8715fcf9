// tiny_step: one training step of TinyNet (tiny_net.h), in µs, against PyTorch doing the same
// step. Also prints where descent's time goes (forward / backward / update).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "bench.h"
#include "timing.h"
#include "tiny_net.h"

namespace descent::bench {
namespace {

constexpr int kCheckSteps = 5;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? kNaN : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The forward ops one by one at tiny_step's shapes, under NoGradGuard (short timings).
template <typename Add>
void add_op_times(const TinyNet& net, Add&& add) {
  TimingConfig cfg = timing_config();
  cfg.total_s = std::min(cfg.total_s, 0.1);
  const auto time = [&](const char* name, auto&& fn) {
    add(name, measure(fn, cfg).median_s * 1e6);
  };
  NoGradGuard no_grad;
  time("(forward under NoGradGuard)", [&] { keep(net.loss()); });
  const Tensor x = det_tensor({32, 2}, 20, 1), w1 = det_tensor({2, 16}, 1, 0.7);
  const Tensor h = det_tensor({32, 16}, 3, 1), w2 = det_tensor({16, 16}, 2, 0.25);
  const Tensor w3 = det_tensor({16, 3}, 3, 0.25), b16 = det_tensor({16}, 10, 0.1);
  const Tensor h3 = det_tensor({32, 3}, 4, 1), b3 = det_tensor({3}, 3, 0.1);
  std::vector<int64_t> labels(32);
  for (int64_t i = 0; i < 32; ++i) labels[size_t(i)] = (7 * i) % 3;
  const Tensor y = from_vector(labels, {32, 1});
  const Tensor logp = log_softmax(h3, 1), picked = gather(logp, 1, y);
  time("(op) matmul [32,2]@[2,16]", [&] { keep(matmul(x, w1)); });
  time("(op) matmul [32,16]@[16,16]", [&] { keep(matmul(h, w2)); });
  time("(op) matmul [32,16]@[16,3]", [&] { keep(matmul(h, w3)); });
  time("(op) add [32,16] + [16]", [&] { keep(h + b16); });
  time("(op) add [32,3] + [3]", [&] { keep(h3 + b3); });
  time("(op) tanh [32,16]", [&] { keep(tanh(h)); });
  time("(op) log_softmax [32,3]", [&] { keep(log_softmax(h3, 1)); });
  time("(op) gather [32,3] -> [32,1]", [&] { keep(gather(logp, 1, y)); });
  time("(op) mean [32,1]", [&] { keep(mean(picked)); });
}

// Compares descent's first losses with PyTorch's; "" when they agree.
std::string check_losses(const Context& ctx, std::vector<double>& ours) {
  TinyNet net;
  ours.clear();
  for (int i = 0; i < kCheckSteps; ++i) ours.push_back(net.step().item());
  const TorchResult* t = ctx.torch ? ctx.torch->find("tiny_step") : nullptr;
  if (!t || t->check.size() != ours.size()) return "";
  double worst = 0;
  for (size_t i = 0; i < ours.size(); ++i)
    worst = std::max(worst, std::fabs(ours[i] - t->check[i]));
  return worst <= 1e-4 ? "" : fmt::format("LOSSES DIFFER FROM PYTORCH by {:.2g}", worst);
}

}  // namespace

void run_tiny_step(Context& ctx) {
  std::vector<double> losses;
  const std::string mismatch = check_losses(ctx, losses);

  TinyNet net;
  const Measurement step = measure([&] { keep(net.step()); });
  const double us = step.median_s * 1e6;
  Row& row = ctx.add_row("tiny_step", us, "us", mismatch.empty() ? "" : mismatch);

  // Breakdown: phases of the same steps, timestamped in one loop so that they add up (the
  // graph is freed inside backward). Plus the forward without recording, for the cost of
  // building the graph.
  TinyNet part;
  std::vector<double> t_fwd, t_bwd, t_upd;
  const double budget = timing_config().total_s;
  for (const double start = now_s(); now_s() - start < budget || t_fwd.size() < 100;) {
    const double t0 = now_s();
    Tensor l = part.loss();
    const double t1 = now_s();
    l.backward();
    l = Tensor();
    const double t2 = now_s();
    part.update();
    const double t3 = now_s();
    t_fwd.push_back(t1 - t0), t_bwd.push_back(t2 - t1), t_upd.push_back(t3 - t2);
  }
  const double fwd = median(t_fwd) * 1e6, bwd = median(t_bwd) * 1e6, upd = median(t_upd) * 1e6;
  const double sum = fwd + bwd + upd;
  Section s;
  s.title = "tiny_step: where descent's time goes (median us per step of each phase)";
  s.header = {"phase", "us", "share"};
  auto add = [&](const std::string& name, double v, bool share = true) {
    s.rows.push_back({name, fmt_value(v), share ? fmt_percent(v / sum) : ""});
  };
  add("forward, recording the graph (13 ops)", fwd);
  add("backward, incl. freeing the graph", bwd);
  add("update (6 params: mul_, add_, add_, zero_)", upd);
  add("sum of the phases", sum);
  add_op_times(part, [&](const std::string& name, double v) { add("  " + name, v, false); });
  std::string loss_list;
  for (double l : losses) loss_list += fmt::format("{}{:.6f}", loss_list.empty() ? "" : " ", l);
  s.notes.push_back(
      "first losses: " + loss_list +
      (mismatch.empty()
           ? (ctx.torch && ctx.torch->find("tiny_step") ? " (match PyTorch within 1e-4)" : "")
           : " -- " + mismatch));
  ctx.report->sections.push_back(std::move(s));

  const double ratio = row.ratio();
  ctx.report->goals.push_back({"tiny_step: descent / pytorch <= 0.05",
                               fmt::format("ratio {:.3f}", ratio),
                               std::isfinite(ratio) && ratio <= 0.05});
  ctx.report->goals.push_back(
      {"tiny_step: <= 5 us per step", fmt::format("{} us", fmt_value(us)), us <= 5.0});
}

}  // namespace descent::bench
