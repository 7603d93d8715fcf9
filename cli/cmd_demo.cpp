// `descent demo`: a three-class 2-D spiral, a 2 -> 32 -> 32 -> 3 tanh MLP, full-batch SGD with
// heavy-ball momentum (PyTorch's form: v <- mu v + g, w <- w - lr v). Prints step, loss and
// training accuracy so the loss can be seen falling.
#include <descent/descent.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "commands.h"

namespace descent::cli {
namespace {

struct DemoOptions {
  int64_t steps = 500;
  uint64_t seed = 0;
  double lr = 0.1;
  double momentum = 0.9;
  int64_t every = 50;
  int64_t points_per_class = 100;
};

constexpr int64_t kClasses = 3;

struct Dataset {
  Tensor x;                     // float32 [n, 2]
  Tensor y_col;                 // int64 [n, 1], the index tensor for gather
  std::vector<int64_t> labels;  // the same labels, for counting correct predictions
};

// The spiral of CS231n: class k's points follow (r sin t, r cos t) with r in [0, 1] and
// t = 4k + 4r + noise, so the three arms wind around each other and no line separates them.
Dataset demo_spiral(int64_t per_class, Generator& gen) {
  const int64_t n = per_class * kClasses;
  std::vector<float> xs;
  std::vector<int64_t> ys;
  xs.reserve(static_cast<size_t>(2 * n));
  ys.reserve(static_cast<size_t>(n));
  for (int64_t k = 0; k < kClasses; ++k) {
    for (int64_t i = 0; i < per_class; ++i) {
      const double r =
          per_class > 1 ? static_cast<double>(i) / static_cast<double>(per_class - 1) : 1.0;
      const double t = 4.0 * static_cast<double>(k) + 4.0 * r + 0.2 * gen.normal();
      xs.push_back(static_cast<float>(r * std::sin(t)));
      xs.push_back(static_cast<float>(r * std::cos(t)));
      ys.push_back(k);
    }
  }
  Dataset d;
  d.x = from_vector(std::span<const float>(xs), Shape{n, 2});
  d.y_col = from_vector(std::span<const int64_t>(ys), Shape{n, 1});
  d.labels = std::move(ys);
  return d;
}

// Weights N(0, 1/fan_in) (LeCun normal, suited to tanh); biases zero.
Tensor demo_weight(int64_t fan_in, int64_t fan_out, Generator& gen) {
  Tensor w = randn({fan_in, fan_out}, gen) * std::sqrt(1.0 / static_cast<double>(fan_in));
  w.set_requires_grad(true);
  return w;
}

Tensor demo_bias(int64_t size) {
  Tensor b = zeros({size});
  b.set_requires_grad(true);
  return b;
}

struct Mlp {
  Tensor w1, b1, w2, b2, w3, b3;

  Mlp(int64_t hidden, Generator& gen)
      : w1(demo_weight(2, hidden, gen)),
        b1(demo_bias(hidden)),
        w2(demo_weight(hidden, hidden, gen)),
        b2(demo_bias(hidden)),
        w3(demo_weight(hidden, kClasses, gen)),
        b3(demo_bias(kClasses)) {}

  std::vector<Tensor*> parameters() { return {&w1, &b1, &w2, &b2, &w3, &b3}; }

  Tensor forward(const Tensor& x) const {
    Tensor h = tanh(matmul(x, w1) + b1);
    h = tanh(matmul(h, w2) + b2);
    return matmul(h, w3) + b3;  // logits [n, 3]
  }
};

// Mean negative log-likelihood of the true class under softmax(logits).
Tensor demo_loss(const Tensor& logits, const Tensor& y_col) {
  return neg(mean(gather(log_softmax(logits, /*dim=*/1), /*dim=*/1, y_col)));
}

double demo_accuracy(const Tensor& logits, const std::vector<int64_t>& labels) {
  NoGradGuard ng;
  const std::vector<int64_t> pred = argmax(logits, /*dim=*/1).to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size() && i < pred.size(); ++i) correct += pred[i] == labels[i];
  return labels.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(labels.size());
}

int run_demo(const DemoOptions& opt) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();

  Generator gen(opt.seed);
  const Dataset data = demo_spiral(opt.points_per_class, gen);
  Mlp model(32, gen);
  std::vector<Tensor*> params = model.parameters();
  std::vector<Tensor> velocity;
  velocity.reserve(params.size());
  for (Tensor* p : params) velocity.push_back(zeros_like(*p));

  fmt::print("descent demo: {} points in {} spiral arms, MLP 2-32-32-3 (tanh), full-batch SGD\n",
             data.labels.size(), kClasses);
  fmt::print("lr {}, momentum {}, {} steps, seed {}\n\n", opt.lr, opt.momentum, opt.steps,
             opt.seed);
  fmt::print("{:>6}  {:>9}  {:>8}\n", "step", "loss", "accuracy");

  double first_loss = 0.0;
  double last_loss = 0.0;
  double last_acc = 0.0;
  for (int64_t step = 0;; ++step) {
    Tensor logits = model.forward(data.x);
    Tensor loss = demo_loss(logits, data.y_col);
    last_loss = loss.item();
    if (step == 0) first_loss = last_loss;
    if (!std::isfinite(last_loss)) {
      fmt::print(stderr, "step {}: loss is {}; stopping (try a smaller --lr)\n", step, last_loss);
      return 1;
    }
    const bool last = step >= opt.steps;
    if (step % opt.every == 0 || last) {
      last_acc = demo_accuracy(logits, data.labels);
      fmt::print("{:>6}  {:>9.4f}  {:>7.1f}%\n", step, last_loss, 100.0 * last_acc);
    }
    if (last) break;

    loss.backward();
    NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor& p = *params[i];
      Tensor g = p.grad();
      velocity[i].mul_(opt.momentum);
      velocity[i].add_(g);
      p.add_(velocity[i], -opt.lr);
      g.zero_();
    }
  }

  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  fmt::print("\nfinal: loss {:.4f} (from {:.4f}), accuracy {:.1f}% after {} steps in {:.0f} ms\n",
             last_loss, first_loss, 100.0 * last_acc, opt.steps, ms);
  return 0;
}

}  // namespace

void register_demo(CLI::App& app) {
  auto opt = std::make_shared<DemoOptions>();
  CLI::App* sub = app.add_subcommand("demo", "Train a tiny MLP on a 2-D spiral and print the loss");
  sub->add_option("--steps", opt->steps, "Number of SGD steps")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", opt->seed, "Seed for the data and the initial weights")
      ->capture_default_str();
  sub->add_option("--lr", opt->lr, "Learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--momentum", opt->momentum, "Heavy-ball momentum (0: plain SGD)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--every", opt->every, "Print every this many steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->callback([opt] {
    const int rc = run_demo(*opt);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace descent::cli
