// L-BFGS beyond the PyTorch fixtures: the closure interface, options, bitwise resume, the
// strong-Wolfe line search and cubic interpolation against closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "descent/descent.h"
#include "descent/optim/lbfgs.h"
#include "descent/optim/sgd.h"
#include "descent/optim/spec.h"
#include "descent/optim/strong_wolfe.h"
#include "optim_test_util.h"

namespace descent::optim {
namespace {

using optim_test::param;

// f(x) = Σ_i (i + 1) (x_i − 1)² + ¼ Σ x_i⁴: smooth, convex, minimum not at a round number.
Tensor objective(const Tensor& x) {
  Tensor w = arange(1.0, 1.0 + static_cast<double>(x.numel()), 1.0, DType::Float64);
  return sum(w * pow(x - 1.0, 2.0) + 0.25 * pow(x, 4.0));
}

TEST(LBFGS, NeedsAClosure) {
  Tensor x = param({1.0, 2.0});
  LBFGS opt({x});
  EXPECT_TRUE(opt.requires_closure());
  EXPECT_FALSE(opt.needs_graph());
  try {
    opt.step();
    FAIL() << "step() without a closure must throw";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("needs a closure"), std::string::npos) << e.what();
  }
  EXPECT_THROW(opt.step(Closure{}), ValueError);
  EXPECT_THROW(opt.step([] { return Tensor(); }), ValueError);
  EXPECT_THROW(opt.step([&] { return x * 2.0; }), ValueError);  // two elements
  SGD sgd({x});
  EXPECT_THROW(sgd.step([] { return Tensor(); }), ValueError);
}

TEST(LBFGS, InvalidOptionsAreClearErrors) {
  auto message = [](const LBFGSOptions& o) -> std::string {
    try {
      LBFGS opt({param({1.0})}, o);
    } catch (const ValueError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message({.max_iter = 0}).find("LBFGS: invalid max_iter 0"), std::string::npos);
  EXPECT_NE(message({.history_size = 0}).find("history_size"), std::string::npos);
  EXPECT_NE(message({.max_eval = -1}).find("max_eval"), std::string::npos);
  EXPECT_NE(message({.line_search_fn = "wolfe"}).find("valid: none, strong_wolfe"),
            std::string::npos);
  EXPECT_NE(message({.lr = -1}).find("invalid lr"), std::string::npos);
  EXPECT_THROW(LBFGS(std::vector<Tensor>{}), ValueError);
  EXPECT_EQ(LBFGSOptions{}.effective_max_eval(), 25);
  EXPECT_EQ(LBFGSOptions{.max_iter = 7}.effective_max_eval(), 8);
  EXPECT_EQ((LBFGSOptions{.max_iter = 7, .max_eval = 3}.effective_max_eval()), 3);
}

TEST(LBFGS, SpecParsesStringOptions) {
  const OptimizerSpec s = parse_optimizer_spec("LBFGS:line_search_fn=Strong_Wolfe,history_size=5");
  auto opt = make_optimizer(s, {param({1.0})});
  const auto& o = dynamic_cast<LBFGS&>(*opt).options();
  EXPECT_EQ(o.line_search_fn, "strong_wolfe");
  EXPECT_EQ(o.history_size, 5);
  EXPECT_THROW(parse_optimizer_spec("lbfgs:line_search_fn=armijo"), ValueError);
  EXPECT_THROW(parse_optimizer_spec("lbfgs:max_iter=2.5"), ValueError);
}

TEST(LBFGS, ConvergesWithAndWithoutLineSearch) {
  // tolerance_change=0: PyTorch's default 1e-9 on |ΔL| stops at |Δθ| ~ 1e-5 near a minimum.
  for (const char* spec : {"lbfgs:lr=0.5,tolerance_change=0",
                           "lbfgs:line_search_fn=strong_wolfe,tolerance_change=0"}) {
    SCOPED_TRACE(spec);
    Tensor x = param({3.0, -2.0, 0.5, 4.0});
    auto opt = make_optimizer(spec, {x});
    const Closure closure = make_closure(*opt, [&] { return objective(x); });
    for (int s = 0; s < 10; ++s) opt->step(closure);
    // Stationarity: 2(i+1)(x_i − 1) + x_i³ = 0, solved per coordinate by Newton's method.
    const auto got = x.to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i) {
      double z = 1.0;
      for (int k = 0; k < 50; ++k) {
        const double w = static_cast<double>(i + 1);
        z -= (2 * w * (z - 1) + z * z * z) / (2 * w + 3 * z * z);
      }
      EXPECT_NEAR(got[i], z, 1e-7) << i;
    }
  }
}

TEST(LBFGS, ResumeFromStateDictIsBitwiseIdentical) {
  for (const char* spec :
       {"lbfgs:lr=0.3,max_iter=3,history_size=2", "lbfgs:max_iter=2,line_search_fn=strong_wolfe"}) {
    SCOPED_TRACE(spec);
    Tensor ref = param({3.0, -2.0, 0.5});
    auto opt_ref = make_optimizer(spec, {ref});
    const Closure c_ref = make_closure(*opt_ref, [&] { return objective(ref); });
    for (int s = 0; s < 8; ++s) opt_ref->step(c_ref);

    Tensor a = param({3.0, -2.0, 0.5});
    auto opt_a = make_optimizer(spec, {a});
    const Closure c_a = make_closure(*opt_a, [&] { return objective(a); });
    for (int s = 0; s < 3; ++s) opt_a->step(c_a);
    const OptimizerState saved = opt_a->state_dict();
    EXPECT_GT(saved.tensors.count("old_dirs.0"), 0u);

    Tensor b = clone(a.detach()).set_requires_grad();
    auto opt_b = make_optimizer("lbfgs", {b});
    opt_b->load_state_dict(saved);
    opt_a->step(c_a);  // stepping the saved optimizer further must not change `saved`
    const Closure c_b = make_closure(*opt_b, [&] { return objective(b); });
    for (int s = 0; s < 5; ++s) opt_b->step(c_b);
    const auto x = ref.to_vector<double>(), y = b.to_vector<double>();
    EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(double)));
    EXPECT_EQ(dynamic_cast<LBFGS&>(*opt_b).state().func_evals,
              dynamic_cast<LBFGS&>(*opt_ref).state().func_evals);
  }
}

TEST(LBFGS, LoadStateDictRejectsMismatches) {
  Tensor a = param({1.0, 2.0});
  LBFGS opt({a});
  opt.step(make_closure(opt, [&] { return objective(a); }));
  OptimizerState s = opt.state_dict();
  LBFGS other({param({1.0, 2.0, 3.0})});
  EXPECT_THROW(other.load_state_dict(s), ValueError);  // vectors of the wrong length
  OptimizerState bad = s;
  bad.optimizer = "Adam";
  EXPECT_THROW(opt.load_state_dict(bad), ValueError);
  bad = s;
  bad.scalars.erase("H_diag");
  EXPECT_THROW(opt.load_state_dict(bad), ValueError);
  bad = s;
  bad.tensors["extra"] = tensor({1.0, 2.0}, DType::Float64);
  EXPECT_THROW(opt.load_state_dict(bad), ValueError);
}

TEST(LBFGS, Float32ParametersWork) {
  Tensor x = tensor({3.0, -2.0}, DType::Float32);
  x.set_requires_grad();
  LBFGS opt({x}, {.line_search_fn = "strong_wolfe"});
  const Closure closure = make_closure(opt, [&] { return sum(pow(x - 1.0, 2.0)); });
  opt.step(closure);
  EXPECT_NEAR(x.at({0}), 1.0, 1e-5);
  EXPECT_NEAR(x.at({1}), 1.0, 1e-5);
}

TEST(StrongWolfe, CubicInterpolationFindsTheMinimumOfACubic) {
  // φ(t) = t³ − 3t (local minimum at t = 1): two points with values and slopes determine it.
  auto f = [](double t) { return t * t * t - 3 * t; };
  auto g = [](double t) { return 3 * t * t - 3; };
  EXPECT_NEAR(cubic_interpolate(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0)), 1.0, 1e-14);
  EXPECT_NEAR(cubic_interpolate(2.0, f(2.0), g(2.0), 0.5, f(0.5), g(0.5)), 1.0, 1e-14);
  // Clamped to the bounds.
  EXPECT_DOUBLE_EQ(cubic_interpolate(0.0, f(0.0), g(0.0), 2.0, f(2.0), g(2.0), std::pair{1.5, 3.0}),
                   1.5);
  // A quadratic is a cubic too: φ = (t − 0.3)².
  auto q = [](double t) { return (t - 0.3) * (t - 0.3); };
  auto dq = [](double t) { return 2 * (t - 0.3); };
  EXPECT_NEAR(cubic_interpolate(0.0, q(0.0), dq(0.0), 1.0, q(1.0), dq(1.0)), 0.3, 1e-14);
}

TEST(StrongWolfe, ReturnsAStepSatisfyingTheWolfeConditions) {
  // f(x) = x⁴/4 − x along d = 1 from x = −1: φ(t) = (t − 1)⁴/4 − (t − 1).
  const std::vector<double> d = {1.0};
  auto point = [](double x) { return LinePoint{x * x * x * x / 4 - x, {x * x * x - 1}}; };
  int calls = 0;
  const double x0 = -1.0;
  const LinePoint p0 = point(x0);
  const double gtd = p0.g[0];
  for (double t0 : {1e-3, 0.1, 1.0, 10.0}) {
    SCOPED_TRACE(t0);
    calls = 0;
    const LineSearchResult r = strong_wolfe(
        [&](double t) {
          ++calls;
          return point(x0 + t);
        },
        t0, d, p0.f, p0.g, gtd);
    EXPECT_EQ(r.func_evals, calls);
    EXPECT_LE(r.f, p0.f + 1e-4 * r.t * gtd);         // sufficient decrease
    EXPECT_LE(std::abs(r.g[0] * d[0]), -0.9 * gtd);  // curvature
    EXPECT_DOUBLE_EQ(r.f, point(x0 + r.t).f);
  }
}

}  // namespace
}  // namespace descent::optim
