// Optimizers: options validation, the common interface, parameter groups, state dicts
// (bitwise resume), the spec parser, and the update kernels' threading.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "descent/descent.h"
#include "descent/kernels/parallel.h"
#include "descent/optim/adam.h"
#include "descent/optim/rmsprop.h"
#include "descent/optim/sgd.h"
#include "descent/optim/spec.h"
#include "optim_test_util.h"

namespace descent::optim {
namespace {

using optim_test::param;

// loss = Σ w (p − 0.3)² + Σ p⁴ / 4, with per-element weights so coordinates differ.
void compute_grad(const std::vector<Tensor>& ps) {
  Tensor loss;
  for (const Tensor& p : ps) {
    Tensor w = arange(1.0, 1.0 + static_cast<double>(p.numel()), 1.0, p.dtype());
    Tensor term = sum(pow(p - 0.3, 2.0) * w + pow(p, 4.0) * 0.25);
    loss = loss.defined() ? loss + term : term;
  }
  loss.backward();
}

std::vector<Tensor> fresh_params() {
  return {param({0.5, -1.0, 2.0}), param({1.5, -0.25}), param({0.1, 0.2, 0.3, 0.4})};
}

// One spec per optimizer, with options that exercise all of its state.
const std::vector<std::string>& all_specs() {
  static const std::vector<std::string> specs = {"sgd:lr=0.01,momentum=0.9,nesterov=true",
                                                 "rmsprop:lr=0.01,momentum=0.5,centered=true",
                                                 "adam:lr=0.01,amsgrad=true",
                                                 "adamw:lr=0.01,amsgrad=true",
                                                 "adagrad:lr=0.1,lr_decay=0.01",
                                                 "adadelta",
                                                 "adamax:lr=0.01",
                                                 "nadam:lr=0.01",
                                                 "radam:lr=0.01"};
  return specs;
}

TEST(Optimizers, ResumeFromStateDictIsBitwiseIdentical) {
  for (const std::string& spec : all_specs()) {
    SCOPED_TRACE(spec);
    // Reference: 12 uninterrupted steps.
    std::vector<Tensor> ref = fresh_params();
    auto opt_ref = make_optimizer(spec, ref);
    for (int s = 0; s < 12; ++s) {
      opt_ref->zero_grad();
      compute_grad(ref);
      opt_ref->step();
    }
    // 5 steps, save, load into a fresh optimizer over copies of the parameters, 7 more steps.
    std::vector<Tensor> a = fresh_params();
    auto opt_a = make_optimizer(spec, a);
    for (int s = 0; s < 5; ++s) {
      opt_a->zero_grad();
      compute_grad(a);
      opt_a->step();
    }
    const OptimizerState saved = opt_a->state_dict();
    std::vector<Tensor> b;
    for (const Tensor& p : a) b.push_back(clone(p.detach()).set_requires_grad());
    auto opt_b = make_optimizer(parse_optimizer_spec(spec).name, b);  // default options
    opt_b->load_state_dict(saved);
    // Stepping the saved optimizer further must not change the saved state.
    compute_grad(a);
    opt_a->step();
    for (int s = 0; s < 7; ++s) {
      opt_b->zero_grad();
      compute_grad(b);
      opt_b->step();
    }
    for (size_t i = 0; i < ref.size(); ++i) {
      const auto x = ref[i].to_vector<double>(), y = b[i].to_vector<double>();
      ASSERT_EQ(x.size(), y.size());
      EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(double))) << "param " << i;
    }
  }
}

TEST(Optimizers, LoadStateDictChecksEverythingFirst) {
  std::vector<Tensor> ps = fresh_params();
  Adam adam(ps, {.lr = 0.01});
  compute_grad(ps);
  adam.step();
  OptimizerState s = adam.state_dict();
  EXPECT_THROW(SGD(ps).load_state_dict(s), ValueError);  // another optimizer
  OptimizerState bad = s;
  bad.tensors["state.0.1.exp_avg"] = zeros({5}, DType::Float64);
  Adam other(fresh_params(), {.lr = 0.5});
  EXPECT_THROW(other.load_state_dict(bad), ShapeError);
  EXPECT_DOUBLE_EQ(other.lr(), 0.5);  // untouched by the failed load
  bad = s;
  bad.scalars["state.0.9.step"] = 1;
  EXPECT_THROW(other.load_state_dict(bad), ValueError);
  other.load_state_dict(s);
  EXPECT_DOUBLE_EQ(other.lr(), 0.01);
  ASSERT_NE(other.state(0, 0), nullptr);
  EXPECT_EQ(other.state(0, 0)->step, 1);
  EXPECT_FALSE(other.state(0, 0)->exp_avg.shares_storage(adam.state(0, 0)->exp_avg));
}

TEST(Optimizers, InvalidOptionsAreClearErrors) {
  std::vector<Tensor> ps = fresh_params();
  auto message = [](auto&& make) -> std::string {
    try {
      make();
    } catch (const ValueError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message([&] { SGD(ps, {.lr = -1.0}); }).find("SGD: invalid lr -1"), std::string::npos);
  EXPECT_NE(message([&] { SGD(ps, {.nesterov = true}); }).find("nesterov"), std::string::npos);
  EXPECT_NE(message([&] {
              SGD(ps, {.momentum = 0.9, .dampening = 0.1, .nesterov = true});
            }).find("dampening"),
            std::string::npos);
  EXPECT_NE(message([&] {
              Adam(ps, {.betas = {0.9, 1.0}});
            }).find("Adam: invalid betas[1]"),
            std::string::npos);
  EXPECT_NE(message([&] { AdamW(ps, {.eps = -1e-8}); }).find("AdamW: invalid eps"),
            std::string::npos);
  EXPECT_NE(message([&] { RMSprop(ps, {.alpha = -0.5}); }).find("RMSprop: invalid alpha"),
            std::string::npos);
  EXPECT_NE(message([&] { Adam(ps, {.weight_decay = -0.1}); }).find("weight_decay"),
            std::string::npos);
  EXPECT_THROW(SGD({ps[0], ps[0]}), ValueError);  // duplicate parameter
  EXPECT_THROW(SGD({tensor({1.0, 2.0}) * 2.0 + param({1.0, 1.0})}), ValueError);  // non-leaf
  EXPECT_THROW(SGD({arange(3)}), DTypeError);
}

TEST(Optimizers, StepSkipsParamsWithoutGradAndZeroGradSetsNone) {
  Tensor a = param({1.0, 2.0}), b = param({3.0});
  Adam opt({a, b}, {.lr = 0.1});
  compute_grad({a});
  opt.step();
  EXPECT_NE(opt.state(0, 0), nullptr);
  EXPECT_EQ(opt.state(0, 1), nullptr);  // no grad: no state, no change
  EXPECT_EQ(b.to_vector<double>(), std::vector<double>{3.0});
  EXPECT_NE(a.to_vector<double>()[0], 1.0);
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
}

TEST(Optimizers, ParamGroupsHaveTheirOwnOptionsAndLr) {
  Tensor a = param({1.0}), b = param({1.0});
  SGD opt({a}, {.lr = 0.1});
  opt.add_param_group({b}, {.lr = 0.01, .momentum = 0.9});
  EXPECT_THROW(opt.add_param_group({a}, {}), ValueError);  // already in group 0
  EXPECT_EQ(opt.num_groups(), 2u);
  EXPECT_DOUBLE_EQ(opt.lr(1), 0.01);
  EXPECT_TRUE(opt.has_momentum());
  EXPECT_DOUBLE_EQ(opt.momentum(1), 0.9);
  compute_grad({a, b});  // grad = 2(1 − 0.3) + 1 = 2.4
  opt.step();
  EXPECT_DOUBLE_EQ(a.to_vector<double>()[0], 1.0 - 0.1 * 2.4);
  EXPECT_DOUBLE_EQ(b.to_vector<double>()[0], 1.0 - 0.01 * 2.4);
  opt.set_lr(0.5);
  EXPECT_DOUBLE_EQ(opt.lr(0), 0.5);
  EXPECT_DOUBLE_EQ(opt.lr(1), 0.5);
  Adam adam({param({1.0})});
  adam.set_momentum(0, 0.8);
  EXPECT_DOUBLE_EQ(adam.param_groups()[0].options.betas[0], 0.8);
}

TEST(Optimizers, Float32ParametersWork) {
  for (const std::string& spec : all_specs()) {
    SCOPED_TRACE(spec);
    Tensor p32 = param({0.5, -1.0, 2.0}, DType::Float32);
    Tensor p64 = param({0.5, -1.0, 2.0});
    auto o32 = make_optimizer(spec, {p32});
    auto o64 = make_optimizer(spec, {p64});
    for (int s = 0; s < 20; ++s) {
      for (auto [p, o] : {std::pair{p32, o32.get()}, std::pair{p64, o64.get()}}) {
        o->zero_grad();
        compute_grad({p});
        o->step();
      }
    }
    const auto x = p32.to_vector<double>(), y = p64.to_vector<double>();
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], y[i], 1e-4 * (1 + std::abs(y[i])));
  }
}

TEST(Optimizers, UpdateKernelDoesNotDependOnTheSplit) {
  // Above the grain the loop runs on several threads; each element must get exactly the value
  // a serial call gives.
  const int64_t n = 300000;
  std::vector<double> p(n), g(n), m(n, 0.0), v(n, 0.0), vmax(n, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    p[i] = std::sin(0.001 * static_cast<double>(i));
    g[i] = std::cos(0.003 * static_cast<double>(i));
  }
  std::vector<double> p2 = p, m2 = m, v2 = v, vmax2 = vmax;
  const AdamStep h{.lr = 0.01,
                   .beta1 = 0.9,
                   .beta2 = 0.999,
                   .eps = 1e-8,
                   .weight_decay = 0.1,
                   .amsgrad = true,
                   .maximize = false,
                   .decoupled_weight_decay = true,
                   .step = 3};
  adam_update<double>(p.data(), g.data(), m.data(), v.data(), vmax.data(), n, h);
  for (int64_t i = 0; i < n; i += 1000) {
    adam_update<double>(p2.data() + i, g.data() + i, m2.data() + i, v2.data() + i, vmax2.data() + i,
                        std::min<int64_t>(1000, n - i), h);
  }
  EXPECT_EQ(0, std::memcmp(p.data(), p2.data(), n * sizeof(double)));
  EXPECT_EQ(0, std::memcmp(m.data(), m2.data(), n * sizeof(double)));
}

TEST(OptimizerSpec, ParsesAndPrints) {
  OptimizerSpec s = parse_optimizer_spec(" SGD : lr=0.001, momentum=0.9 ,nesterov=true");
  EXPECT_EQ(s.name, "sgd");
  EXPECT_EQ(s.str(), "sgd:lr=0.001,momentum=0.9,nesterov=true");
  auto opt = make_optimizer(s, {param({1.0})});
  EXPECT_EQ(opt->name(), "SGD");
  EXPECT_DOUBLE_EQ(opt->lr(), 0.001);
  auto* sgd = dynamic_cast<SGD*>(opt.get());
  ASSERT_NE(sgd, nullptr);
  EXPECT_TRUE(sgd->param_groups()[0].options.nesterov);

  auto adam = make_optimizer("adam:betas=0.8/0.99", {param({1.0})});
  EXPECT_EQ(dynamic_cast<Adam&>(*adam).param_groups()[0].options.betas, (Betas{0.8, 0.99}));
  auto adamw = make_optimizer("AdamW:beta2=0.95", {param({1.0})});
  const auto& o = dynamic_cast<AdamW&>(*adamw).param_groups()[0].options;
  EXPECT_EQ(o.betas, (Betas{0.9, 0.95}));
  EXPECT_DOUBLE_EQ(o.weight_decay, 1e-2);
  EXPECT_EQ(parse_optimizer_spec("adam").str(), "adam");
}

TEST(OptimizerSpec, ErrorsListWhatIsValid) {
  auto message = [](const std::string& spec) -> std::string {
    try {
      parse_optimizer_spec(spec);
    } catch (const ValueError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message("sgdd:lr=1").find("valid optimizers: sgd, rmsprop, adam"), std::string::npos);
  EXPECT_NE(message("adam:lrr=1").find("valid keys: lr, betas, beta1, beta2, eps"),
            std::string::npos);
  EXPECT_NE(message("adam:lr=abc").find("lr=abc is not a finite number"), std::string::npos);
  EXPECT_NE(message("sgd:nesterov=maybe").find("not a boolean"), std::string::npos);
  EXPECT_NE(message("sgd:lr=-1").find("SGD: invalid lr"), std::string::npos);
  EXPECT_NE(message("sgd:lr=1,lr=2").find("given twice"), std::string::npos);
  EXPECT_NE(message("adam:betas=0.9/0.99,beta1=0.8").find("given twice"), std::string::npos);
  EXPECT_NE(message("adam:betas=0.9").find("beta1/beta2"), std::string::npos);
  EXPECT_NE(message("adam:lr").find("expected key=value"), std::string::npos);
  EXPECT_NE(message(":lr=1").find("no optimizer name"), std::string::npos);
  EXPECT_NE(message("sgd:lr=inf").find("finite"), std::string::npos);
}

TEST(OptimizerSpec, ListsNamesAndKeysWithDefaults) {
  EXPECT_EQ(
      optimizer_names(),
      (std::vector<std::string>{"sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax",
                                "nadam", "radam", "lbfgs", "newton", "lookahead(...)"}));
  for (const std::string& name : optimizer_names()) {
    if (name == "lookahead(...)") continue;  // a wrapper: see test_lookahead.cpp
    const auto keys = optimizer_options(name);
    ASSERT_FALSE(keys.empty());
    EXPECT_EQ(keys[0].key, "lr");
    // Every listed default parses back.
    std::string spec = name;
    char sep = ':';
    for (const OptionInfo& k : keys) {
      if (k.key == "beta1" || k.key == "beta2") continue;
      spec += sep + k.key + "=" + k.default_value;
      sep = ',';
    }
    EXPECT_NO_THROW(parse_optimizer_spec(spec)) << spec;
  }
  const auto rms = optimizer_options("rmsprop");
  EXPECT_EQ(rms[1].key, "alpha");
  EXPECT_EQ(rms[1].default_value, "0.99");
  EXPECT_THROW(optimizer_options("nope"), ValueError);
}

}  // namespace
}  // namespace descent::optim
