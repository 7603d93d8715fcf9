// Every scheduler against the lr sequences PyTorch 1.13 produced for the same options
// (tests/data/optim/schedules.json, written by tools/make_schedule_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "descent/optim/one_cycle.h"
#include "descent/optim/plateau.h"
#include "descent/optim/schedulers.h"
#include "descent/optim/sequential.h"

namespace descent::optim {
namespace {

using nlohmann::json;

const json& schedule_fixtures() {
  static const json data = [] {
    std::ifstream in(std::string(DESCENT_TEST_DATA_DIR) + "/optim/schedules.json");
    return json::parse(in);
  }();
  return data;
}

template <typename T>
T get_or(const json& o, const char* key, T fallback) {
  return o.contains(key) ? o.at(key).get<T>() : fallback;
}

// Builds the named scheduler from the fixture's PyTorch keyword arguments.
std::unique_ptr<LRScheduler> make(const std::string& name, const json& o, LrTarget& target) {
  if (name == "StepLR") {
    return std::make_unique<StepLR>(
        target, StepLROptions{.step_size = o.at("step_size"), .gamma = get_or(o, "gamma", 0.1)});
  }
  if (name == "MultiStepLR") {
    return std::make_unique<MultiStepLR>(
        target,
        MultiStepLROptions{.milestones = o.at("milestones"), .gamma = get_or(o, "gamma", 0.1)});
  }
  if (name == "ExponentialLR") {
    return std::make_unique<ExponentialLR>(target, ExponentialLROptions{.gamma = o.at("gamma")});
  }
  if (name == "ConstantLR") {
    return std::make_unique<ConstantLR>(
        target, ConstantLROptions{.factor = get_or(o, "factor", 1.0 / 3),
                                  .total_iters = get_or<int64_t>(o, "total_iters", 5)});
  }
  if (name == "LinearLR") {
    return std::make_unique<LinearLR>(
        target, LinearLROptions{.start_factor = get_or(o, "start_factor", 1.0 / 3),
                                .end_factor = get_or(o, "end_factor", 1.0),
                                .total_iters = get_or<int64_t>(o, "total_iters", 5)});
  }
  if (name == "CosineAnnealingLR") {
    return std::make_unique<CosineAnnealingLR>(
        target,
        CosineAnnealingLROptions{.T_max = o.at("T_max"), .eta_min = get_or(o, "eta_min", 0.0)});
  }
  if (name == "CosineAnnealingWarmRestarts") {
    return std::make_unique<CosineAnnealingWarmRestarts>(
        target, CosineAnnealingWarmRestartsOptions{.T_0 = o.at("T_0"),
                                                   .T_mult = get_or<int64_t>(o, "T_mult", 1),
                                                   .eta_min = get_or(o, "eta_min", 0.0)});
  }
  if (name == "OneCycleLR") {
    return std::make_unique<OneCycleLR>(
        target,
        OneCycleLROptions{.max_lr = o.at("max_lr").get<std::vector<double>>(),
                          .total_steps = get_or<int64_t>(o, "total_steps", 0),
                          .epochs = get_or<int64_t>(o, "epochs", 0),
                          .steps_per_epoch = get_or<int64_t>(o, "steps_per_epoch", 0),
                          .pct_start = get_or(o, "pct_start", 0.3),
                          .anneal_strategy = get_or<std::string>(o, "anneal_strategy", "cos"),
                          .cycle_momentum = get_or(o, "cycle_momentum", true),
                          .base_momentum = get_or(o, "base_momentum", 0.85),
                          .max_momentum = get_or(o, "max_momentum", 0.95),
                          .div_factor = get_or(o, "div_factor", 25.0),
                          .final_div_factor = get_or(o, "final_div_factor", 1e4),
                          .three_phase = get_or(o, "three_phase", false)});
  }
  ADD_FAILURE() << "unknown scheduler " << name;
  return nullptr;
}

ReduceLROnPlateauOptions plateau_options(const json& o) {
  ReduceLROnPlateauOptions p{.mode = get_or<std::string>(o, "mode", "min"),
                             .factor = get_or(o, "factor", 0.1),
                             .patience = get_or<int64_t>(o, "patience", 10),
                             .threshold = get_or(o, "threshold", 1e-4),
                             .threshold_mode = get_or<std::string>(o, "threshold_mode", "rel"),
                             .cooldown = get_or<int64_t>(o, "cooldown", 0)};
  if (o.contains("min_lr")) p.min_lr = o.at("min_lr").get<std::vector<double>>();
  return p;
}

std::unique_ptr<LRScheduler> make_case(const json& c, LrTarget& target) {
  const std::string name = c.at("scheduler");
  if (name != "SequentialLR") return make(name, c.at("options"), target);
  std::vector<std::unique_ptr<LRScheduler>> subs;
  for (const json& s : c.at("schedulers"))
    subs.push_back(make(s.at("scheduler"), s.at("options"), target));
  return std::make_unique<SequentialLR>(
      target, std::move(subs), SequentialLROptions{.milestones = c.at("options").at("milestones")});
}

void expect_close(const std::vector<double>& got, const json& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t g = 0; g < got.size(); ++g) {
    const double w = want[g].get<double>();
    EXPECT_NEAR(got[g], w, 1e-10 * std::abs(w) + 1e-300) << what << " group " << g;
  }
}

class ScheduleReference : public testing::TestWithParam<std::string> {};

const json& find_case(const std::string& name) {
  for (const json& c : schedule_fixtures().at("cases")) {
    if (c.at("name") == name) return c;
  }
  throw std::runtime_error("no fixture " + name);
}

TEST_P(ScheduleReference, MatchesPyTorch) {
  const json& c = find_case(GetParam());
  const std::string name = c.at("scheduler");
  const json& lrs = c.at("lrs");
  const int64_t steps = c.at("steps");
  LrValues target(c.at("lrs0").get<std::vector<double>>(), {0.9, 0.9});
  if (name == "ReduceLROnPlateau") {
    ReduceLROnPlateau s(target, plateau_options(c.at("options")));
    expect_close(s.last_lr(), lrs[0], "step 0");
    for (int64_t t = 1; t <= steps; ++t) {
      s.step(c.at("metrics")[static_cast<size_t>(t - 1)].get<double>());
      expect_close(s.last_lr(), lrs[static_cast<size_t>(t)], "step " + std::to_string(t));
    }
    return;
  }
  std::unique_ptr<LRScheduler> s = make_case(c, target);
  ASSERT_TRUE(s);
  for (int64_t t = 0; t <= steps; ++t) {
    if (t > 0) s->step();
    const auto i = static_cast<size_t>(t);
    expect_close(s->last_lr(), lrs[i],
                 c.at("name").get<std::string>() + " step " + std::to_string(t));
    expect_close(target.lrs(), lrs[i], "target at step " + std::to_string(t));
    if (c.contains("momenta")) {
      const std::vector<double> m = {target.momentum(0), target.momentum(1)};
      expect_close(m, c.at("momenta")[i], "momentum at step " + std::to_string(t));
    }
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const json& c : schedule_fixtures().at("cases")) names.push_back(c.at("name"));
  return names;
}

INSTANTIATE_TEST_SUITE_P(PyTorch, ScheduleReference, testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// Save at step k, restore into a fresh scheduler on a fresh target, continue: the same lrs.
TEST(ScheduleStateDict, RoundTripContinuesIdentically) {
  for (const json& c : schedule_fixtures().at("cases")) {
    const std::string name = c.at("scheduler");
    if (name == "ReduceLROnPlateau") continue;
    const int64_t steps = c.at("steps");
    const int64_t k = steps / 3;
    LrValues a(c.at("lrs0").get<std::vector<double>>(), {0.9, 0.9});
    auto sa = make_case(c, a);
    for (int64_t t = 0; t < k; ++t) sa->step();
    const json saved = json::parse(sa->state_dict().dump());  // through text, as on disk
    LrValues b(c.at("lrs0").get<std::vector<double>>(), {0.9, 0.9});
    auto sb = make_case(c, b);
    sb->load_state_dict(saved);
    EXPECT_EQ(sb->last_lr(), sa->last_lr()) << c.at("name");
    for (int64_t t = k; t < steps; ++t) {
      sa->step();
      sb->step();
      ASSERT_EQ(sa->last_lr(), sb->last_lr()) << c.at("name") << " step " << t + 1;
      ASSERT_EQ(a.lrs(), b.lrs()) << c.at("name") << " step " << t + 1;
    }
  }
}

TEST(ScheduleStateDict, PlateauRoundTrip) {
  const json& c = find_case("plateau_abs_cooldown");
  const json& metrics = c.at("metrics");
  LrValues a(c.at("lrs0").get<std::vector<double>>());
  ReduceLROnPlateau sa(a, plateau_options(c.at("options")));
  for (size_t t = 0; t < 30; ++t) sa.step(metrics[t].get<double>());
  LrValues b(c.at("lrs0").get<std::vector<double>>());
  ReduceLROnPlateau sb(b, plateau_options(c.at("options")));
  sb.load_state_dict(json::parse(sa.state_dict().dump()));
  for (size_t t = 30; t < metrics.size(); ++t) {
    sa.step(metrics[t].get<double>());
    sb.step(metrics[t].get<double>());
    ASSERT_EQ(sa.last_lr(), sb.last_lr()) << "step " << t + 1;
  }
}

}  // namespace
}  // namespace descent::optim
