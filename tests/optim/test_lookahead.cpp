// Lookahead: against a direct recomputation with the inner optimizer, the spec syntax, the
// forwarded LrTarget, closures, and bitwise resume.
#include <gtest/gtest.h>

#include <cstring>

#include "descent/descent.h"
#include "descent/optim/lbfgs.h"
#include "descent/optim/lookahead.h"
#include "descent/optim/schedulers.h"
#include "descent/optim/spec.h"
#include "optim_test_util.h"

namespace descent::optim {
namespace {

using optim_test::param;

// A valley: ½(x² + 30 y²) + 0.1 x y³, with gradient computed by autograd.
Tensor valley(const Tensor& p) {
  Tensor x = select(p, 0, 0), y = select(p, 0, 1);
  return 0.5 * (x * x + 30.0 * y * y) + 0.1 * x * pow(y, 3.0);
}

void grad_of(const Tensor& p) {
  p.impl()->grad.reset();
  valley(p).backward();
}

std::string error_of(const std::string& spec) {
  try {
    parse_optimizer_spec(spec);
  } catch (const ValueError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Lookahead, MatchesADirectRecomputation) {
  for (const char* inner : {"sgd:lr=0.02,momentum=0.9", "adam:lr=0.05"}) {
    SCOPED_TRACE(inner);
    const int64_t k = 3;
    const double alpha = 0.4;
    Tensor p = param({2.0, 1.0});
    Lookahead look(make_optimizer(inner, {p}), {.k = k, .alpha = alpha});

    // The reference: the inner optimizer alone on q, with the slow weights kept by hand.
    Tensor q = param({2.0, 1.0});
    auto fast = make_optimizer(inner, {q});
    std::vector<double> slow = q.to_vector<double>();
    for (int64_t step = 1; step <= 11; ++step) {
      grad_of(p);
      look.step();
      grad_of(q);
      fast->step();
      if (step % k == 0) {
        std::vector<double> theta = q.to_vector<double>();
        for (size_t i = 0; i < slow.size(); ++i) {
          // volatile: the product is rounded on its own, as in the library, which is compiled
          // without floating-point contraction (no fused multiply-add behind the source's back).
          const volatile double step_toward = alpha * (theta[i] - slow[i]);
          slow[i] = slow[i] + step_toward;
          theta[i] = slow[i];
        }
        NoGradGuard no_grad;
        q.detach().copy_(from_vector(theta, q.shape(), DType::Float64));
      }
      const auto got = p.to_vector<double>(), want = q.to_vector<double>();
      ASSERT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * sizeof(double)))
          << "step " << step;
      EXPECT_EQ(look.step_count(), step);
    }
    const auto phi = look.slow_weights()[0].to_vector<double>();
    EXPECT_EQ(0, std::memcmp(phi.data(), slow.data(), slow.size() * sizeof(double)));
  }
}

TEST(Lookahead, SpecNamesTheInnerOptimizerInParentheses) {
  const OptimizerSpec s = parse_optimizer_spec(" Lookahead( Adam:lr=0.01,betas=0.8/0.9 ):K=6");
  EXPECT_EQ(s.name, "lookahead");
  ASSERT_EQ(s.inner.size(), 1u);
  EXPECT_EQ(s.inner[0].name, "adam");
  EXPECT_EQ(s.str(), "lookahead(adam:lr=0.01,betas=0.8/0.9):k=6");
  EXPECT_EQ(parse_optimizer_spec(s.str()).str(), s.str());
  auto opt = make_optimizer(s, {param({1.0})});
  auto& look = dynamic_cast<Lookahead&>(*opt);
  EXPECT_EQ(look.options().k, 6);
  EXPECT_EQ(look.options().alpha, 0.5);
  EXPECT_EQ(look.inner().name(), "Adam");
  EXPECT_DOUBLE_EQ(look.lr(), 0.01);

  const OptimizerSpec nested = parse_optimizer_spec("lookahead(lookahead(sgd:lr=0.1):k=3):k=2");
  EXPECT_EQ(nested.str(), "lookahead(lookahead(sgd:lr=0.1):k=3):k=2");
  auto n = make_optimizer(nested, {param({1.0})});
  EXPECT_EQ(dynamic_cast<Lookahead&>(dynamic_cast<Lookahead&>(*n).inner()).options().k, 3);

  EXPECT_NE(error_of("lookahead").find("needs an inner optimizer"), std::string::npos);
  EXPECT_NE(error_of("lookahead:k=5").find("needs an inner optimizer"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adam:lr=0.1").find("never closed"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adam)k=5").find("expected ':'"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adam):k=0").find("Lookahead: invalid k 0"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adam):alpha=1.5").find("invalid alpha"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adam):kk=2").find("valid keys: k, alpha"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adamm)").find("unknown optimizer 'adamm'"), std::string::npos);
  EXPECT_NE(error_of("sgd(adam)").find("takes no inner optimizer"), std::string::npos);
  EXPECT_NE(error_of("lookahead(adam:lr=-1)").find("Adam: invalid lr"), std::string::npos);
  const auto keys = optimizer_options("lookahead");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].key, "k");
  EXPECT_EQ(keys[0].default_value, "5");
}

TEST(Lookahead, ForwardsLrAndMomentumToTheInnerOptimizer) {
  Tensor p = param({1.0, 2.0});
  Lookahead look(make_optimizer("sgd:lr=0.1,momentum=0.9", {p}));
  EXPECT_TRUE(look.has_momentum());
  look.set_lr(0.05);
  EXPECT_DOUBLE_EQ(look.inner().lr(), 0.05);
  StepLR sched(look, {.step_size = 1, .gamma = 0.5});
  sched.step();
  EXPECT_DOUBLE_EQ(look.inner().lr(), 0.025);
  EXPECT_THROW(Lookahead(nullptr), ValueError);
}

TEST(Lookahead, WrapsClosureOptimizers) {
  Tensor p = param({-1.0, 0.5});
  auto opt = make_optimizer("lookahead(lbfgs:max_iter=1):k=2,alpha=0.5", {p});
  EXPECT_TRUE(opt->requires_closure());
  EXPECT_THROW(opt->step(), ValueError);
  const Closure closure = make_closure(*opt, [&] { return valley(p); });
  const double first = opt->step(closure);
  double last = first;
  for (int s = 0; s < 30; ++s) last = opt->step(closure);
  EXPECT_LT(last, 1e-6 * first);
}

TEST(Lookahead, ResumeFromStateDictIsBitwiseIdentical) {
  const char* spec = "lookahead(sgd:lr=0.02,momentum=0.9):k=4,alpha=0.3";
  Tensor ref = param({2.0, 1.0});
  auto opt_ref = make_optimizer(spec, {ref});
  for (int s = 0; s < 13; ++s) {
    grad_of(ref);
    opt_ref->step();
  }
  Tensor a = param({2.0, 1.0});
  auto opt_a = make_optimizer(spec, {a});
  for (int s = 0; s < 6; ++s) {  // mid-cycle: 6 = 4 + 2
    grad_of(a);
    opt_a->step();
  }
  const OptimizerState saved = opt_a->state_dict();
  EXPECT_EQ(saved.tensors.count("slow.0"), 1u);
  EXPECT_EQ(saved.tensors.count("inner.state.0.0.momentum_buffer"), 1u);
  Tensor b = clone(a.detach()).set_requires_grad();
  auto opt_b = make_optimizer("lookahead(sgd:lr=0.5,momentum=0.1)", {b});
  opt_b->load_state_dict(saved);
  for (int s = 0; s < 7; ++s) {
    grad_of(b);
    opt_b->step();
  }
  const auto x = ref.to_vector<double>(), y = b.to_vector<double>();
  EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(double)));

  OptimizerState bad = saved;
  bad.tensors.erase("slow.0");
  EXPECT_THROW(opt_b->load_state_dict(bad), ValueError);
  bad = saved;
  bad.param_groups[0]["inner_optimizer"] = "Adam";
  EXPECT_THROW(opt_b->load_state_dict(bad), ValueError);
}

}  // namespace
}  // namespace descent::optim
