// Training steps of networks built from nn modules (descent/nn.h), each against PyTorch's
// nn.Sequential doing the same step:
//   tiny_step_nn  tiny_step's network (tiny_net.h) as nn::Sequential of Linear and Tanh, with
//                 nn::cross_entropy and the same SGD-momentum update over model.parameters();
//                 also timed against the raw-op TinyNet, for the cost of the module layer.
//   mlp784_step   forward + backward of a 784-256-128-10 ReLU MLP at batch 128, then
//                 model.zero_grad() (no optimizer).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "bench.h"
#include "descent/descent.h"
#include "descent/nn.h"
#include "timing.h"
#include "tiny_net.h"

namespace descent::bench {
namespace {

constexpr int kCheckSteps = 5;
constexpr double kNnOverRawGoal = 1.2;

// TinyNet's network from nn modules. nn::Linear keeps its weight as [out, in] (PyTorch's
// layout) and computes x·Wᵀ + b, so it receives the transposes of TinyNet's [in, out] numbers.
class TinyNnNet {
 public:
  TinyNnNet() {
    Generator gen(0);  // the default init is overwritten below
    model_.push_back(nn::Linear(2, 16, true, gen));
    model_.push_back(nn::Tanh());
    model_.push_back(nn::Linear(16, 16, true, gen));
    model_.push_back(nn::Tanh());
    model_.push_back(nn::Linear(16, 3, true, gen));
    {
      NoGradGuard no_grad;
      for (int layer = 0; layer < 3; ++layer) {
        auto lin = model_.at<nn::Linear>(static_cast<size_t>(2 * layer));
        const double scale = 1.0 / std::sqrt(static_cast<double>(lin->in_features));
        const Tensor w = det_tensor({lin->in_features, lin->out_features}, 1.0 + layer, scale);
        lin->weight.copy_(contiguous(transpose(w, 0, 1)));
        lin->bias.copy_(det_tensor({lin->out_features}, 10.0 + layer, 0.1));
      }
    }
    params_ = model_.parameters();
    for (const Tensor& p : params_) velocity_.push_back(zeros_like(p));
    x_ = det_tensor({TinyNet::kBatch, 2}, 20.0, 1.0);
    std::vector<int64_t> labels(TinyNet::kBatch);
    for (int64_t i = 0; i < TinyNet::kBatch; ++i) labels[static_cast<size_t>(i)] = (7 * i) % 3;
    y_ = from_vector(labels, {TinyNet::kBatch});
  }

  // Forward, backward and TinyNet's update; returns the loss (before the update).
  Tensor step() {
    Tensor l = nn::cross_entropy(model_(x_), y_);
    l.backward();
    NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      Tensor g = params_[i].grad();
      velocity_[i].mul_(TinyNet::kMomentum).add_(g);
      params_[i].add_(velocity_[i], -TinyNet::kLr);
      g.zero_();
    }
    return l;
  }

 private:
  nn::Sequential model_;
  std::vector<Tensor> params_;
  std::vector<Tensor> velocity_;
  Tensor x_, y_;
};

std::string join_losses(const std::vector<double>& losses) {
  std::string out;
  for (double l : losses) out += fmt::format("{}{:.6f}", out.empty() ? "" : " ", l);
  return out;
}

}  // namespace

void run_tiny_step_nn(Context& ctx) {
  // The first losses must be the raw-op version's (same numbers, same math) and PyTorch's.
  std::vector<double> nn_losses, raw_losses;
  {
    TinyNnNet nn_net;
    TinyNet raw_net;
    for (int i = 0; i < kCheckSteps; ++i) {
      nn_losses.push_back(nn_net.step().item());
      raw_losses.push_back(raw_net.step().item());
    }
  }
  double vs_raw = 0;
  for (size_t i = 0; i < nn_losses.size(); ++i)
    vs_raw = std::max(vs_raw, std::fabs(nn_losses[i] - raw_losses[i]));
  std::vector<std::string> problems;
  if (!(vs_raw <= 1e-5))
    problems.push_back(fmt::format("LOSSES DIFFER FROM RAW OPS by {:.2g}", vs_raw));
  const TorchResult* t = ctx.torch ? ctx.torch->find("tiny_step_nn") : nullptr;
  const bool torch_checked = t && t->check.size() == nn_losses.size();
  if (torch_checked) {
    double worst = 0;
    for (size_t i = 0; i < nn_losses.size(); ++i)
      worst = std::max(worst, std::fabs(nn_losses[i] - t->check[i]));
    if (!(worst <= 1e-4))
      problems.push_back(fmt::format("LOSSES DIFFER FROM PYTORCH by {:.2g}", worst));
  }

  // Modules and raw ops in two interleaved rounds; the better median of each counts, so that
  // the nn / raw ratio compares like with like.
  double nn_us = kNaN, raw_us = kNaN;
  for (int round = 0; round < 2; ++round) {
    TinyNnNet nn_net;
    TinyNet raw_net;
    const double n = measure([&] { keep(nn_net.step()); }).median_s * 1e6;
    const double r = measure([&] { keep(raw_net.step()); }).median_s * 1e6;
    nn_us = round == 0 ? n : std::min(nn_us, n);
    raw_us = round == 0 ? r : std::min(raw_us, r);
  }
  const double over_raw = nn_us / raw_us;
  std::string note = fmt::format("nn / raw ops {:.2f}x (raw {} us)", over_raw, fmt_value(raw_us));
  for (const std::string& p : problems) note += "; " + p;
  ctx.add_row("tiny_step_nn", nn_us, "us", note);

  Section s;
  s.title = "tiny_step_nn: nn modules vs raw ops (tiny_step), same network and numbers";
  s.header = {"version", "us per step"};
  s.rows.push_back({"raw ops (TinyNet)", fmt_value(raw_us)});
  s.rows.push_back({"nn::Sequential + nn::cross_entropy", fmt_value(nn_us)});
  s.rows.push_back({"nn / raw", fmt::format("{:.3f}", over_raw)});
  s.notes.push_back("each time is the better median of two interleaved rounds");
  s.notes.push_back("first losses (nn): " + join_losses(nn_losses));
  s.notes.push_back(
      fmt::format("max |nn - raw ops| over them: {:.2g} (must be <= 1e-5){}", vs_raw,
                  torch_checked && problems.empty() ? "; match PyTorch within 1e-4" : ""));
  ctx.report->sections.push_back(std::move(s));
  ctx.report->goals.push_back({fmt::format("tiny_step_nn: nn / raw ops <= {:.1f}", kNnOverRawGoal),
                               fmt::format("{:.3f}", over_raw), over_raw <= kNnOverRawGoal});
}

void run_mlp784_step(Context& ctx) {
  Generator gen(0);
  nn::Sequential model(nn::Linear(784, 256, true, gen), nn::ReLU(), nn::Linear(256, 128, true, gen),
                       nn::ReLU(), nn::Linear(128, 10, true, gen));
  const Tensor x = randn({128, 784}, gen);
  const Tensor y = randint(0, 10, {128}, gen);
  const Measurement m = measure([&] {
    Tensor loss = nn::cross_entropy(model(x), y);
    loss.backward();
    model.zero_grad();
    keep(loss);
  });
  ctx.add_row("mlp784_step", m.median_s * 1e6, "us");
}

}  // namespace descent::bench
