// The schedule spec: every name builds the scheduler it names (checked against the class
// built directly), total_steps fills the run length, plateau needs a metric, errors list
// what is valid, and state dicts round-trip.
#include <gtest/gtest.h>

#include "descent/optim/one_cycle.h"
#include "descent/optim/scheduler_spec.h"
#include "descent/optim/schedulers.h"
#include "optim_test_util.h"

namespace descent::optim {
namespace {

// The lrs of `steps` steps of a schedule made from `spec` on a fresh target.
std::vector<double> run_spec(const std::string& spec, int steps,
                             std::optional<int64_t> total = std::nullopt) {
  LrValues target({0.1}, {0.9});
  auto s = make_scheduler(spec, target, total);
  std::vector<double> out;
  for (int i = 0; i < steps; ++i) {
    out.push_back(target.lr(0));
    s->step(1.0);  // the metric is ignored except by plateau
  }
  return out;
}

template <typename S, typename O>
std::vector<double> run_direct(O options, int steps) {
  LrValues target({0.1}, {0.9});
  S s(target, options);
  std::vector<double> out;
  for (int i = 0; i < steps; ++i) {
    out.push_back(target.lr(0));
    s.step();
  }
  return out;
}

TEST(SchedulerSpec, BuildsTheSchedulerItNames) {
  EXPECT_EQ(run_spec("step:step_size=3,gamma=0.5", 10),
            (run_direct<StepLR>(StepLROptions{.step_size = 3, .gamma = 0.5}, 10)));
  EXPECT_EQ(run_spec("multistep:milestones=2/5,gamma=0.3", 10),
            (run_direct<MultiStepLR>(MultiStepLROptions{.milestones = {2, 5}, .gamma = 0.3}, 10)));
  EXPECT_EQ(run_spec("exponential:gamma=0.9", 10),
            (run_direct<ExponentialLR>(ExponentialLROptions{.gamma = 0.9}, 10)));
  EXPECT_EQ(run_spec("constant:factor=0.5,total_iters=3", 6),
            (run_direct<ConstantLR>(ConstantLROptions{.factor = 0.5, .total_iters = 3}, 6)));
  EXPECT_EQ(run_spec("constant", 7), (run_direct<ConstantLR>(ConstantLROptions{}, 7)));
  EXPECT_EQ(run_spec("linear:start_factor=0.1,total_iters=5", 8),
            (run_direct<LinearLR>(LinearLROptions{.start_factor = 0.1, .total_iters = 5}, 8)));
  EXPECT_EQ(
      run_spec("CosineAnnealingLR:t_max=10,eta_min=0.001", 12),
      (run_direct<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 10, .eta_min = 0.001}, 12)));
  EXPECT_EQ(run_spec("cosine_restarts:T_0=3,T_mult=2", 12),
            (run_direct<CosineAnnealingWarmRestarts>(
                CosineAnnealingWarmRestartsOptions{.T_0 = 3, .T_mult = 2}, 12)));
  EXPECT_EQ(
      run_spec("onecycle:max_lr=1,total_steps=20,pct_start=0.25,anneal_strategy=linear", 20),
      (run_direct<OneCycleLR>(
          OneCycleLROptions{
              .max_lr = {1.0}, .total_steps = 20, .pct_start = 0.25, .anneal_strategy = "linear"},
          20)));
  EXPECT_EQ(run_spec("none", 5), std::vector<double>(5, 0.1));
}

TEST(SchedulerSpec, TotalStepsFillsTheRunLength) {
  EXPECT_EQ(run_spec("cosine", 12, 10),
            (run_direct<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 10}, 12)));
  EXPECT_EQ(run_spec("onecycle:max_lr=0.5", 30, 30),
            (run_direct<OneCycleLR>(OneCycleLROptions{.max_lr = {0.5}, .total_steps = 30}, 30)));
  // The spec's own value wins.
  EXPECT_EQ(run_spec("cosine:T_max=4", 6, 100),
            (run_direct<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 4}, 6)));
  LrValues target({0.1});
  EXPECT_NE(optim_test::error_of<ValueError>([&] {
              make_scheduler("cosine", target);
            }).find("needs T_max"),
            std::string::npos);
  EXPECT_NE(optim_test::error_of<ValueError>([&] {
              make_scheduler("onecycle:max_lr=1", target);
            }).find("total_steps"),
            std::string::npos);
}

TEST(SchedulerSpec, PlateauNeedsTheMetric) {
  LrValues target({0.1, 0.2});
  auto s = make_scheduler("plateau:patience=1,factor=0.5,min_lr=0.01/0.09", target);
  EXPECT_TRUE(s->needs_metric());
  EXPECT_NE(optim_test::error_of<ValueError>([&] { s->step(); }).find("needs the metric"),
            std::string::npos);
  for (double metric : {1.0, 1.0, 1.0}) s->step(metric);
  EXPECT_DOUBLE_EQ(target.lr(0), 0.05);
  EXPECT_DOUBLE_EQ(target.lr(1), 0.1);
  s->step(1.0);
  s->step(1.0);
  EXPECT_DOUBLE_EQ(target.lr(1), 0.09);  // its own min_lr
  EXPECT_EQ(s->last_lr(), target.lrs());
  ASSERT_NE(s->plateau(), nullptr);
  EXPECT_EQ(s->scheduler(), nullptr);
}

TEST(SchedulerSpec, ParsesAndPrintsCanonically) {
  const SchedulerSpec s = parse_scheduler_spec(" CosineAnnealingWarmRestarts : t_0=10 , T_MULT=2");
  EXPECT_EQ(s.name, "cosine_restarts");
  EXPECT_EQ(s.str(), "cosine_restarts:T_0=10,T_mult=2");
  EXPECT_EQ(parse_scheduler_spec("none").str(), "none");
  EXPECT_EQ(scheduler_names(), (std::vector<std::string>{
                                   "none", "step", "multistep", "exponential", "constant", "linear",
                                   "cosine", "cosine_restarts", "onecycle", "plateau"}));
  // Every listed default parses back (required keys get a value).
  for (const std::string& name : scheduler_names()) {
    std::string spec = name;
    char sep = ':';
    for (const OptionInfo& k : scheduler_options(name)) {
      std::string value = k.default_value;
      if (value.empty()) value = k.key == "max_lr" ? "0.1" : k.key == "milestones" ? "3/5" : "10";
      if (k.key == "gamma" && value == "10") value = "0.9";
      spec += sep + k.key + "=" + value;
      sep = ',';
    }
    EXPECT_NO_THROW(parse_scheduler_spec(spec)) << spec;
  }
}

TEST(SchedulerSpec, ErrorsListWhatIsValid) {
  auto message = [](const std::string& spec) {
    return optim_test::error_of<ValueError>([&] { parse_scheduler_spec(spec); });
  };
  EXPECT_NE(message("cosinus:T_max=3").find("valid schedulers: none, step, multistep"),
            std::string::npos);
  EXPECT_NE(message("step:step_size=3,gama=0.1").find("valid keys: step_size, gamma"),
            std::string::npos);
  EXPECT_NE(message("none:gamma=1").find("none has no option 'gamma'"), std::string::npos);
  EXPECT_NE(message("step:gamma=0.5").find("step needs step_size"), std::string::npos);
  EXPECT_NE(message("step:step_size=2.5").find("step_size=2.5 is not an integer"),
            std::string::npos);
  EXPECT_NE(message("step:step_size=0").find("StepLR"), std::string::npos);
  EXPECT_NE(message("multistep:gamma=0.1").find("milestones"), std::string::npos);
  EXPECT_NE(message("multistep:milestones=3/x").find("not an integer"), std::string::npos);
  EXPECT_NE(message("exponential").find("exponential needs gamma"), std::string::npos);
  EXPECT_NE(message("onecycle:total_steps=10").find("max_lr"), std::string::npos);
  EXPECT_NE(message("onecycle:max_lr=1,total_steps=10,pct_start=2").find("pct_start"),
            std::string::npos);
  EXPECT_NE(message("plateau:mode=median").find("mode"), std::string::npos);
  EXPECT_NE(message("plateau:cooldown=true").find("not an integer"), std::string::npos);
  EXPECT_NE(message("step:step_size=3,step_size=4").find("given twice"), std::string::npos);
  EXPECT_NE(message("step:step_size").find("expected key=value"), std::string::npos);
  EXPECT_NE(message(":gamma=1").find("no scheduler name"), std::string::npos);
  EXPECT_THROW(scheduler_options("nope"), ValueError);
}

TEST(SchedulerSpec, StateDictRoundTrips) {
  LrValues a({0.1});
  auto sa = make_scheduler("cosine_restarts:T_0=3,T_mult=2", a);
  for (int i = 0; i < 5; ++i) sa->step();
  LrValues b({0.1});
  auto sb = make_scheduler("cosine_restarts:T_0=3,T_mult=2", b);
  sb->load_state_dict(sa->state_dict());
  for (int i = 0; i < 6; ++i) {
    sa->step();
    sb->step();
    EXPECT_EQ(a.lr(0), b.lr(0)) << i;
  }
  auto other = make_scheduler("step:step_size=2", b);
  EXPECT_NE(optim_test::error_of<ValueError>([&] {
              other->load_state_dict(sa->state_dict());
            }).find("saved by schedule"),
            std::string::npos);
}

}  // namespace
}  // namespace descent::optim
