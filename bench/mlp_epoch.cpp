// mlp_epoch: one training epoch of the experiment runner (app::Trainer) on Fashion-MNIST: a
// 784-256-128-10 ReLU MLP (default init), Adam lr 1e-3, batch 128, float32, shuffled, no
// evaluation and no checkpoints. Against PyTorch's hand-written loop over the same data
// (tools/bench_torch.py, make_mlp_epoch) and against a floor: the 8 GEMMs of one step
// (forward 3, backward 5, shapes as in matmul.cpp's kMlpGemms) with cblas_sgemm called
// directly on preallocated buffers, as many times as the epoch has steps. The floor is what
// the epoch would cost if everything but the matrix products were free.
//
// An epoch is long (about half a second), so it is timed whole: the minimum over kEpochReps
// epochs, each with a freshly constructed Trainer (construction, i.e. model init, is not
// timed), each followed by its floor, timed whole as well. The data is loaded and
// standardized once, outside the timing.
#include <fmt/core.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench.h"
#include "descent/app/config.h"
#include "descent/app/experiment_data.h"
#include "descent/app/trainer.h"
#include "descent/descent.h"
#include "descent/kernels/parallel.h"
#include "direct_blas.h"
#include "timing.h"

namespace descent::bench {
namespace {

constexpr int kEpochReps = 3;
constexpr int kQuickEpochReps = 1;
// The targets.
constexpr double kGoalVsTorch = 0.6;
constexpr double kGoalVsFloor = 1.3;

// The products of one step at batch 128.
constexpr GemmShape kStepGemms[] = {
    {128, 256, 784, false, false},  // h1 = x·W1
    {128, 128, 256, false, false},  // h2 = h1·W2
    {128, 10, 128, false, false},   // h3 = h2·W3
    {128, 128, 10, false, true},    // dh2 = dh3·W3ᵀ
    {128, 10, 128, true, false},    // dW3 = h2ᵀ·dh3
    {128, 256, 128, false, true},   // dh1 = dh2·W2ᵀ
    {256, 128, 128, true, false},   // dW2 = h1ᵀ·dh2
    {784, 256, 128, true, false},   // dW1 = xᵀ·dh1
};

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
}

app::ExperimentConfig epoch_config() {
  return app::parse_config({
      {"name", "mlp_epoch"},
      {"data", {{"dataset", "fashion-mnist"}}},
      {"model",
       {{{"type", "linear"}, {"out", 256}},
        {{"type", "relu"}},
        {{"type", "linear"}, {"out", 128}},
        {{"type", "relu"}},
        {{"type", "linear"}, {"out", 10}}}},
      {"optimizer", "adam:lr=0.001"},
      {"batch_size", 128},
      {"epochs", 1},
      {"shuffle", true},
      {"evaluation", {{"every_epochs", 0}}},
      {"checkpoint", {{"every_epochs", 0}, {"every_steps", 0}}},
  });
}

}  // namespace

void run_mlp_epoch(Context& ctx) {
  const app::ExperimentConfig config = epoch_config();
  const double rss_before = peak_rss_mib();
  const double t_load0 = now_s();
  const data::Split data = app::prepare_data(config.data, config.seed, DType::Float32);
  const double load_s = now_s() - t_load0;
  const double rss_data = peak_rss_mib();

  // The machine's speed drifts over seconds (other guests on the host), by up to a third for
  // threaded products. So each epoch is preceded by one of PyTorch's and followed by its
  // floor, the same number of steps' products called directly, and the best of each is
  // compared.
  std::vector<double> epochs_s, floors_s, torch_s;
  double final_loss = kNaN;
  int64_t steps = 0;
  DirectGemms floor_gemms(kStepGemms);
  const int reps = ctx.quick ? kQuickEpochReps : kEpochReps;
  for (int r = 0; r < reps; ++r) {
    ctx.torch_once("mlp_epoch", torch_s);
    app::Trainer trainer(config, data);
    const double t0 = now_s();
    const app::RunSummary summary = trainer.run();
    epochs_s.push_back(now_s() - t0);
    final_loss =
        summary.final_metrics.count("train.loss") ? summary.final_metrics.at("train.loss") : kNaN;
    steps = summary.steps;
    floors_s.push_back(floor_gemms.run_seconds(steps));
    wait_for_blas_threads_to_sleep();
  }
  const double epoch_s = *std::min_element(epochs_s.begin(), epochs_s.end());
  const double floor_s = *std::min_element(floors_s.begin(), floors_s.end());
  const double rss_peak = peak_rss_mib();
  const double vs_floor = epoch_s / floor_s;

  Row& row = ctx.add_row("mlp_epoch", epoch_s, "s",
                         fmt::format("{:.2f}x GEMM floor ({:.3f} s); peak RSS {:.0f} MiB", vs_floor,
                                     floor_s, rss_peak));
  Context::take_best_torch(row, torch_s);
  const TorchResult* t = ctx.torch ? ctx.torch->find("mlp_epoch") : nullptr;

  Section s;
  s.title = fmt::format(
      "mlp_epoch: one Trainer epoch on Fashion-MNIST (784-256-128-10 ReLU, Adam, batch 128, "
      "{} threads)",
      kernels::num_threads());
  s.header = {"what", "seconds", "x descent"};
  auto add = [&](const std::string& what, double seconds) {
    s.rows.push_back(
        {what, fmt::format("{:.3f}", seconds), fmt::format("{:.2f}", seconds / epoch_s)});
  };
  add(fmt::format("descent epoch (min of {})", reps), epoch_s);
  if (t)
    for (const auto& [threads, value] : t->by_threads)
      add(fmt::format("pytorch epoch, {} thread{}", threads, threads == 1 ? "" : "s"), value);
  add(fmt::format("GEMM floor: 8 cblas_sgemm per step x {} steps (min of {})", steps, reps),
      floor_s);
  std::string all;
  for (size_t r = 0; r < epochs_s.size(); ++r)
    all += fmt::format("{}{:.3f} / {:.3f}", r ? ", " : "", epochs_s[r], floors_s[r]);
  s.notes.push_back(fmt::format("descent epoch / floor, in the order run: {} s", all));
  if (!torch_s.empty()) {
    std::string alternated;
    for (double v : torch_s)
      alternated += fmt::format("{}{:.3f}", alternated.empty() ? "" : " ", v);
    s.notes.push_back(fmt::format("pytorch epochs alternated with descent's: {} s", alternated));
  }
  s.notes.push_back(fmt::format("train.loss after the epoch {:.4f}", final_loss));
  s.notes.push_back(fmt::format(
      "data: Fashion-MNIST train split loaded and standardized once in {:.2f} s (not timed)",
      load_s));
  s.notes.push_back(fmt::format(
      "peak RSS (getrusage ru_maxrss) of descent_bench: {:.0f} MiB before the data, {:.0f} MiB "
      "with it, {:.0f} MiB after the epochs{}",
      rss_before, rss_data, rss_peak,
      t && t->check.size() >= 2 ? fmt::format("; PyTorch's process: {:.0f} MiB (its load {:.2f} s)",
                                              t->check[0], t->check[1])
                                : std::string()));
  s.notes.push_back(
      "peak RSS is the whole process's: run `--only mlp_epoch` for this row alone (both sides)");
  ctx.report->sections.push_back(std::move(s));

  ctx.report->goals.push_back({fmt::format("mlp_epoch: ratio vs PyTorch <= {:.1f}", kGoalVsTorch),
                               fmt::format("ratio {:.3f}", row.ratio()),
                               std::isfinite(row.ratio()) && row.ratio() <= kGoalVsTorch});
  ctx.report->goals.push_back(
      {fmt::format("mlp_epoch: <= {:.1f}x the GEMM-only floor", kGoalVsFloor),
       fmt::format("{:.3f} s / {:.3f} s = {:.2f}x", epoch_s, floor_s, vs_floor),
       vs_floor <= kGoalVsFloor});
}

}  // namespace descent::bench
