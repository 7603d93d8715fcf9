// The trainer's diagnostics, each checked against an independent computation on a tiny model:
// activation statistics and gradient norms from a hand-written forward pass at the parameters
// before the step, update ratios from copies of the parameters, Adam's step sizes from its
// state, BatchNorm statistics from the layer input; and the run is bitwise the same with them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>

#include "app_test_util.h"
#include "descent/app/config.h"
#include "descent/app/experiment_data.h"
#include "descent/app/model_builder.h"
#include "descent/app/trainer.h"
#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/nn/batchnorm.h"
#include "descent/optim/adam.h"
#include "exact_sharpness.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using Values = std::map<std::string, double>;

using testing::data_for;

std::vector<double> doubles(const Tensor& t) {
  const Tensor c = contiguous(to(t.detach(), DType::Float64));
  return {c.data<double>(), c.data<double>() + c.numel()};
}

std::vector<Tensor> copies(nn::Module& m) {
  NoGradGuard no_grad;
  std::vector<Tensor> out;
  for (const Tensor& p : m.parameters()) out.push_back(clone(p.detach()));
  return out;
}

// Collects every diagnostics event and calls `check` with the parameters before the step.
struct Recorder : TrainingObserver {
  nn::Module* model = nullptr;
  std::vector<Tensor> before;  // parameters at the start of the step in progress
  std::map<int64_t, Values> events;
  std::function<void(const DiagnosticsEvent&, const std::vector<Tensor>&)> check;
  std::vector<double> losses;
  void on_step(const StepEvent& e) override {
    losses.push_back(e.loss);
    before = copies(*model);  // the next step starts here
  }
  void on_diagnostics(const DiagnosticsEvent& e) override {
    for (const auto& [k, v] : e.values) events[e.step][k] = v;
    if (check) check(e, before_step);
    before_step = before;
  }
  std::vector<Tensor> before_step;
};

// Full batch, no shuffling: every step sees the whole training split in order, so the batch of
// a step is known to the test.
json full_batch_config(json model, const std::string& optimizer) {
  return {{"data", {{"dataset", "spiral"}, {"samples", 20}, {"classes", 3}, {"noise", 0.1}}},
          {"model", model},
          {"optimizer", optimizer},
          {"epochs", 4},
          {"batch_size", 1000},
          {"shuffle", false},
          {"seed", 3},
          {"diagnostics", {{"every_steps", 1}}}};
}

Tensor affine(const Tensor& x, const Tensor& w, const Tensor& b) {
  return matmul(x, transpose(w, 0, 1)) + b;
}

TEST(TrainerDiagnostics, ActivationsGradientsUpdatesAndAdamAgreeWithIndependentComputation) {
  const ExperimentConfig c = parse_config(full_batch_config({{{"type", "linear"}, {"out", 8}},
                                                             "relu",
                                                             {{"type", "linear"}, {"out", 6}},
                                                             "tanh",
                                                             {{"type", "linear"}, {"out", 4}},
                                                             "sigmoid",
                                                             "linear"},
                                                            "adam:lr=0.01"));
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  {
    // Craft known states: ReLU units 0, 1 dead (bias −1000), tanh units 0–2 and sigmoid unit 0
    // saturated on every input (|bias| 50): zero or negligible gradients keep them so.
    NoGradGuard no_grad;
    auto params = trainer.model().named_parameters();
    auto bias = [&](const std::string& name) {
      for (auto& [n, p] : params)
        if (n == name) return p;
      return Tensor();
    };
    Tensor b0 = bias("0.bias"), b2 = bias("2.bias"), b4 = bias("4.bias");
    for (int i = 0; i < 2; ++i) b0.data<float>()[i] = -1000.0f;
    for (int i = 0; i < 3; ++i) b2.data<float>()[i] = 50.0f;
    b4.data<float>()[0] = -50.0f;
  }
  Recorder rec;
  rec.model = &trainer.model();
  rec.before_step = copies(trainer.model());
  const Tensor x = data.train.inputs, y = data.train.targets;
  int checked = 0;
  rec.check = [&](const DiagnosticsEvent& e, const std::vector<Tensor>& before) {
    const Values v(e.values.begin(), e.values.end());
    // The forward pass at the parameters before the step, written out by hand.
    std::vector<Tensor> p;
    for (const Tensor& t : before) p.push_back(clone(t).set_requires_grad(true));
    const Tensor h1 = relu(affine(x, p[0], p[1]));
    const Tensor h3 = tanh(affine(h1, p[2], p[3]));
    const Tensor h5 = sigmoid(affine(h3, p[4], p[5]));
    const Tensor out = affine(h5, p[6], p[7]);
    auto unit_fraction = [](const Tensor& h, std::function<bool(double)> pred, bool all) {
      const std::vector<double> d = doubles(h);
      const int64_t n = h.size(0), u = h.size(1);
      double count = 0;
      for (int64_t j = 0; j < u; ++j) {
        int64_t hits = 0;
        for (int64_t i = 0; i < n; ++i) hits += pred(d[i * u + j]) ? 1 : 0;
        count += all ? (hits == n ? 1 : 0) : static_cast<double>(hits) / static_cast<double>(n);
      }
      return count / static_cast<double>(u);
    };
    const double dead = unit_fraction(
        h1, [](double a) { return a == 0.0; }, true);
    EXPECT_GE(dead, 2.0 / 8.0);
    EXPECT_DOUBLE_EQ(v.at("dead_relu:1"), dead);
    EXPECT_NEAR(v.at("saturation:3"),
                unit_fraction(
                    h3, [](double a) { return std::abs(a) > 0.99; }, false),
                1e-15);
    EXPECT_GE(v.at("saturation:3"), 0.5);
    EXPECT_NEAR(v.at("saturation:5"),
                unit_fraction(
                    h5, [](double a) { return a < 0.01 || a > 0.99; }, false),
                1e-15);
    EXPECT_GE(v.at("saturation:5"), 0.25);
    // Gradient norms of the step's loss, by autograd on the hand-written forward.
    const Tensor loss = compute_loss(c.loss, out, y);
    const std::vector<Tensor> g = grad({loss}, p);
    const char* names[] = {"0.weight", "0.bias", "2.weight", "2.bias",
                           "4.weight", "4.bias", "6.weight", "6.bias"};
    const std::vector<Tensor> after = trainer.model().parameters();
    for (size_t i = 0; i < 8; ++i) {
      double g2 = 0, d2 = 0, b2 = 0;
      const auto gi = doubles(g[i]), bi = doubles(before[i]), ai = doubles(after[i]);
      for (size_t k = 0; k < gi.size(); ++k) {
        g2 += gi[k] * gi[k];
        d2 += (ai[k] - bi[k]) * (ai[k] - bi[k]);
        b2 += bi[k] * bi[k];
      }
      EXPECT_NEAR(v.at(std::string("grad_norm:") + names[i]), std::sqrt(g2),
                  1e-4 * std::sqrt(g2) + 1e-30)
          << names[i];
      EXPECT_NEAR(v.at(std::string("update_ratio:") + names[i]), std::sqrt(d2 / b2),
                  1e-9 * std::sqrt(d2 / b2))
          << names[i];
    }
    // Adam's step sizes from its state: η = lr/(√(v/(1 − β2ᵗ)) + ε).
    const auto& adam = dynamic_cast<const optim::Adam&>(trainer.optimizer());
    for (size_t i = 0; i < 8; ++i) {
      const optim::AdamState* st = adam.state(0, i);
      ASSERT_NE(st, nullptr);
      std::vector<double> eta;
      for (const double s : doubles(st->exp_avg_sq)) {
        eta.push_back(0.01 / (std::sqrt(s / (1 - std::pow(0.999, st->step))) + 1e-8));
      }
      std::sort(eta.begin(), eta.end());
      const size_t m = eta.size();
      const double median = m % 2 ? eta[m / 2] : 0.5 * (eta[m / 2 - 1] + eta[m / 2]);
      EXPECT_DOUBLE_EQ(v.at(std::string("adam_step_median:") + names[i]), median);
      EXPECT_DOUBLE_EQ(v.at(std::string("adam_step_max:") + names[i]), eta.back());
    }
    ++checked;
  };
  trainer.add_observer(&rec);
  trainer.run();
  EXPECT_EQ(checked, 4);
  // A never-updated coordinate of a dead unit keeps v = 0: its step size is lr/ε.
  EXPECT_DOUBLE_EQ(rec.events.at(4).at("adam_step_max:0.bias"), 0.01 / 1e-8);
}

TEST(TrainerDiagnostics, BatchNormStatisticsFromTheLayerInputAndBuffers) {
  const ExperimentConfig c = parse_config(full_batch_config(
      {{{"type", "linear"}, {"out", 5}}, "batchnorm", "relu", "linear"}, "sgd:lr=0.1"));
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  Recorder rec;
  rec.model = &trainer.model();
  rec.before_step = copies(trainer.model());
  int checked = 0;
  rec.check = [&](const DiagnosticsEvent& e, const std::vector<Tensor>& before) {
    const Values v(e.values.begin(), e.values.end());
    const std::vector<double> h = doubles(affine(data.train.inputs, before[0], before[1]));
    const int64_t n = data.train.size(), ch = 5;
    std::vector<double> means(ch), vars(ch);
    for (int64_t j = 0; j < ch; ++j) {
      for (int64_t i = 0; i < n; ++i) means[j] += h[i * ch + j] / static_cast<double>(n);
      for (int64_t i = 0; i < n; ++i) {
        vars[j] += std::pow(h[i * ch + j] - means[j], 2) / static_cast<double>(n);
      }
    }
    auto mean_std = [](const std::vector<double>& a) {
      double m = 0, s = 0;
      for (const double x : a) m += x / static_cast<double>(a.size());
      for (const double x : a) s += (x - m) * (x - m) / static_cast<double>(a.size());
      return std::make_pair(m, std::sqrt(s));
    };
    EXPECT_NEAR(v.at("bn_batch_mean_mean:1"), mean_std(means).first, 1e-5);
    EXPECT_NEAR(v.at("bn_batch_mean_std:1"), mean_std(means).second, 1e-5);
    EXPECT_NEAR(v.at("bn_batch_var_mean:1"), mean_std(vars).first, 1e-5);
    EXPECT_NEAR(v.at("bn_batch_var_std:1"), mean_std(vars).second, 1e-5);
    const auto bn = std::dynamic_pointer_cast<nn::BatchNorm1d>(trainer.model()[1]);
    EXPECT_NEAR(v.at("bn_running_mean_mean:1"), mean_std(doubles(bn->running_mean)).first, 1e-13);
    EXPECT_NEAR(v.at("bn_running_var_std:1"), mean_std(doubles(bn->running_var)).second, 1e-13);
    EXPECT_FALSE(v.contains("adam_step_max:0.weight"));  // SGD has no step-size state
    ++checked;
  };
  trainer.add_observer(&rec);
  trainer.run();
  EXPECT_EQ(checked, 4);
}

TEST(TrainerDiagnostics, SwitchedOffQuantitiesAreAbsentAndEveryStepsIsHonoured) {
  json j = full_batch_config({{{"type", "linear"}, {"out", 4}}, "relu", "linear"}, "adam");
  j["batch_size"] = 8;
  j["diagnostics"] = {{"every_steps", 3}, {"grad_norms", false}, {"adam_steps", false}};
  const ExperimentConfig c = parse_config(j);
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  Recorder rec;
  rec.model = &trainer.model();
  trainer.add_observer(&rec);
  const RunSummary s = trainer.run();
  ASSERT_FALSE(rec.events.empty());
  for (const auto& [step, values] : rec.events) {
    EXPECT_EQ(step % 3, 0);
    EXPECT_TRUE(values.contains("dead_relu:1"));
    EXPECT_TRUE(values.contains("update_ratio:0.weight"));
    for (const auto& [k, v] : values) {
      EXPECT_EQ(k.rfind("grad_norm:", 0), std::string::npos) << k;
      EXPECT_EQ(k.rfind("adam_step", 0), std::string::npos) << k;
    }
  }
  EXPECT_EQ(static_cast<int64_t>(rec.events.size()), s.steps / 3);
}

// Diagnostics (with sharpness) must read the run, never change it: same batches, same RNG
// draws (dropout), same BatchNorm running statistics, bitwise the same parameters.
TEST(TrainerDiagnostics, TrainingIsBitwiseTheSameWithDiagnosticsOnAndOff) {
  json j = {{"data", {{"dataset", "spiral"}, {"samples", 40}, {"classes", 3}}},
            {"model",
             {{{"type", "linear"}, {"out", 6}},
              "tanh",
              {{"type", "dropout"}, {"p", 0.2}},
              {{"type", "batchnorm"}},
              "relu",
              "linear"}},
            {"optimizer", "adamw:lr=0.02"},
            {"epochs", 3},
            {"batch_size", 16},
            {"seed", 11}};
  const ExperimentConfig off = parse_config(j);
  j["diagnostics"] = {{"every_steps", 1}, {"sharpness", {{"every_steps", 2}, {"samples", 40}}}};
  const ExperimentConfig on = parse_config(j);
  const data::Split data = data_for(off);
  Trainer a(off, data), b(on, data);
  b.set_sharpness_estimator(testing::exact_lambda_max);
  Recorder ra, rb;
  ra.model = &a.model();
  rb.model = &b.model();
  a.add_observer(&ra);
  b.add_observer(&rb);
  a.run();
  b.run();
  EXPECT_TRUE(ra.events.empty());
  ASSERT_FALSE(rb.events.empty());
  EXPECT_TRUE(rb.events.at(2).contains("sharpness"));
  EXPECT_EQ(ra.losses, rb.losses);
  testing::expect_same_state(a.model(), b.model());
}

}  // namespace
}  // namespace descent::app
