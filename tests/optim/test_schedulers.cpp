// Scheduler behaviour that the PyTorch fixtures do not cover: option validation, closed forms,
// and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "descent/core/error.h"
#include "descent/optim/one_cycle.h"
#include "descent/optim/plateau.h"
#include "descent/optim/schedulers.h"
#include "descent/optim/sequential.h"

namespace descent::optim {
namespace {

// Runs `f` and checks it throws ValueError with both words in its message.
template <typename F>
void expect_value_error(F f, const std::string& a, const std::string& b) {
  try {
    f();
    FAIL() << "no error; expected one naming " << a << " and " << b;
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(a), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(b), std::string::npos) << e.what();
  }
}

TEST(Schedulers, BadOptionsNameSchedulerAndOption) {
  LrValues t({0.1});
  expect_value_error([&] { StepLR s(t, {}); }, "StepLR", "step_size");
  expect_value_error(
      [&] {
        MultiStepLR s(t, {.milestones = {3, -1}});
      },
      "MultiStepLR", "milestones");
  expect_value_error([&] { ExponentialLR s(t, {}); }, "ExponentialLR", "gamma");
  expect_value_error([&] { LinearLR s(t, {.start_factor = 0.0}); }, "LinearLR", "start_factor");
  expect_value_error([&] { LinearLR s(t, {.end_factor = 2.0}); }, "LinearLR", "end_factor");
  expect_value_error([&] { ConstantLR s(t, {.factor = 1.5}); }, "ConstantLR", "factor");
  expect_value_error([&] { CosineAnnealingLR s(t, {}); }, "CosineAnnealingLR", "T_max");
  expect_value_error([&] { CosineAnnealingWarmRestarts s(t, {.T_0 = 3, .T_mult = 0}); },
                     "CosineAnnealingWarmRestarts", "T_mult");
  expect_value_error([&] { OneCycleLR s(t, {.max_lr = {1.0}}); }, "OneCycleLR", "total_steps");
  expect_value_error([&] { OneCycleLR s(t, {.max_lr = {1.0}, .total_steps = 10}); }, "OneCycleLR",
                     "cycle_momentum");
  expect_value_error(
      [&] {
        OneCycleLR s(t, {.max_lr = {1.0},
                         .total_steps = 10,
                         .anneal_strategy = "exp",
                         .cycle_momentum = false});
      },
      "OneCycleLR", "anneal_strategy");
  expect_value_error([&] { ReduceLROnPlateau s(t, {.mode = "lowest"}); }, "ReduceLROnPlateau",
                     "mode");
  expect_value_error([&] { ReduceLROnPlateau s(t, {.factor = 1.0}); }, "ReduceLROnPlateau",
                     "factor");
  expect_value_error([&] { ReduceLROnPlateau s(t, {.threshold_mode = "pct"}); },
                     "ReduceLROnPlateau", "threshold_mode");
  expect_value_error(
      [&] {
        ReduceLROnPlateau s(t, {.min_lr = {0.0, 0.1, 0.2}});
      },
      "ReduceLROnPlateau", "min_lr");
}

TEST(Schedulers, SequentialNeedsOneMilestoneFewer) {
  LrValues t({0.1});
  std::vector<std::unique_ptr<LRScheduler>> subs;
  subs.push_back(std::make_unique<ExponentialLR>(t, ExponentialLROptions{.gamma = 0.9}));
  subs.push_back(std::make_unique<StepLR>(t, StepLROptions{.step_size = 2}));
  expect_value_error([&] { SequentialLR s(t, std::move(subs), {}); }, "SequentialLR", "milestones");
}

TEST(Schedulers, OneCycleRefusesStepsPastTheCycle) {
  LrValues t({0.1});
  OneCycleLR s(t, {.max_lr = {1.0}, .total_steps = 4, .cycle_momentum = false});
  for (int i = 0; i < 4; ++i) s.step();  // PyTorch allows last_epoch == total_steps
  expect_value_error([&] { s.step(); }, "OneCycleLR", "total_steps");
}

TEST(Schedulers, StepToUsesTheClosedForm) {
  LrValues t({0.2});
  CosineAnnealingLR s(t, {.T_max = 10, .eta_min = 0.02});
  s.step_to(5);
  EXPECT_DOUBLE_EQ(s.last_lr()[0], 0.02 + 0.5 * 0.18 * (1 + std::cos(std::numbers::pi / 2)));
  StepLR st(t, {.step_size = 3, .gamma = 0.5});
  st.step_to(7);
  EXPECT_DOUBLE_EQ(st.last_lr()[0], 0.2 * 0.25);  // base lr is the first scheduler's
  CosineAnnealingWarmRestarts w(t, {.T_0 = 2, .T_mult = 2});
  w.step_to(7);  // cycles of 2, 4, 8: epoch 7 is step 1 of the third
  EXPECT_EQ(w.T_i(), 8);
  EXPECT_EQ(w.T_cur(), 1);
}

TEST(Schedulers, StateDictFromAnotherSchedulerIsRefused) {
  LrValues t({0.1});
  StepLR a(t, {.step_size = 3});
  LrValues u({0.1});
  ExponentialLR b(u, {.gamma = 0.5});
  expect_value_error([&] { b.load_state_dict(a.state_dict()); }, "ExponentialLR", "StepLR");
}

}  // namespace
}  // namespace descent::optim
