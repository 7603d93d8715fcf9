// Damped Newton: exact steps on quadratics and by hand, Rosenbrock, indefinite Hessians,
// Levenberg–Marquardt damping, limits, errors and bitwise resume.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "descent/descent.h"
#include "descent/optim/newton.h"
#include "descent/optim/spec.h"
#include "optim_test_util.h"

namespace descent::optim {
namespace {

using optim_test::param;

Tensor rosenbrock(const Tensor& p) {
  Tensor x = select(p, 0, 0), y = select(p, 0, 1);
  return pow(1.0 - x, 2.0) + 100.0 * pow(y - x * x, 2.0);
}

using optim_test::error_of;

TEST(Newton, OneStepSolvesAQuadraticExactly) {
  // L = ½θᵀAθ − bᵀθ over two parameter tensors; θ* = A⁻¹b.
  const Tensor A =
      tensor({4.0, 1.0, 0.5, 1.0, 3.0, -0.2, 0.5, -0.2, 2.0}, Shape{3, 3}, DType::Float64);
  const Tensor b = tensor({1.0, -2.0, 0.5}, DType::Float64);
  Tensor u = param({5.0, -3.0}), v = param({7.0});
  Newton opt({u, v});
  const Closure closure = make_closure(opt, [&] {
    Tensor theta = concat({u, v}, 0);
    return 0.5 * sum(theta * matmul(A, theta)) - sum(b * theta);
  });
  opt.step(closure);
  // A⁻¹b by Cramer's rule / adjugate, computed independently here.
  const double a[3][3] = {{4, 1, 0.5}, {1, 3, -0.2}, {0.5, -0.2, 2}};
  const double rhs[3] = {1, -2, 0.5};
  auto det3 = [](const double m[3][3]) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  };
  const double d = det3(a);
  double want[3];
  for (int c = 0; c < 3; ++c) {
    double m[3][3];
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m[i][j] = j == c ? rhs[i] : a[i][j];
    want[c] = det3(m) / d;
  }
  EXPECT_NEAR(u.at({0}), want[0], 1e-13);
  EXPECT_NEAR(u.at({1}), want[1], 1e-13);
  EXPECT_NEAR(v.at({0}), want[2], 1e-13);
  EXPECT_EQ(opt.state().shift, 0.0);
  EXPECT_EQ(opt.state().func_evals, 1);
}

TEST(Newton, MatchesAHandComputedDampedStep) {
  // f = x⁴ + xy + (1 + y)² at (1, 0): g = (4x³ + y, x + 2(1 + y)) = (4, 3),
  // H = [[12x², 1], [1, 2]] = [[12, 1], [1, 2]]. With λ = 1: (H + I)⁻¹ = [[3, −1], [−1, 13]]/38,
  // Δ = −(H + I)⁻¹ g = −(9, 35)/38; with lr = 0.5, θ = (1 − 4.5/38, −17.5/38).
  Tensor p = param({1.0, 0.0});
  Newton opt({p}, {.lr = 0.5, .damping = 1.0});
  opt.step(make_closure(opt, [&] {
    Tensor x = select(p, 0, 0), y = select(p, 0, 1);
    return pow(x, 4.0) + x * y + pow(1.0 + y, 2.0);
  }));
  EXPECT_NEAR(p.at({0}), 1.0 - 4.5 / 38, 1e-15);
  EXPECT_NEAR(p.at({1}), -17.5 / 38, 1e-15);
  // The gradient left in .grad is detached from its graph.
  EXPECT_FALSE(p.grad().requires_grad());
}

TEST(Newton, ConvergesOnRosenbrock) {
  for (const char* spec : {"newton", "newton:adaptive=true,damping=1"}) {
    SCOPED_TRACE(spec);
    Tensor p = param({-1.2, 1.0});
    auto opt = make_optimizer(spec, {p});
    const Closure closure = make_closure(*opt, [&] { return rosenbrock(p); });
    for (int s = 0; s < 100; ++s) opt->step(closure);
    EXPECT_NEAR(p.at({0}), 1.0, 1e-10);
    EXPECT_NEAR(p.at({1}), 1.0, 1e-10);
  }
}

TEST(Newton, IndefiniteHessianIsShiftedOrRefused) {
  // Saddle x² − y² at (1, 1): H = diag(2, −2). β = 1e-3·max(1, 2) = 2e-3, τ = β + 2 makes
  // H + τI = diag(4.002, 0.002): the step goes down the negative-curvature direction.
  auto saddle = [](const Tensor& p) {
    return pow(select(p, 0, 0), 2.0) - pow(select(p, 0, 1), 2.0);
  };
  Tensor p = param({1.0, 1.0});
  Newton opt({p});
  opt.step(make_closure(opt, [&] { return saddle(p); }));
  EXPECT_NEAR(opt.state().shift, 2.002, 1e-12);
  EXPECT_NEAR(p.at({0}), 1.0 - 2.0 / 4.002, 1e-12);
  EXPECT_NEAR(p.at({1}), 1.0 + 2.0 / 0.002, 1e-6);

  Tensor q = param({1.0, 1.0});
  Newton strict({q}, {.on_indefinite = "error"});
  const std::string msg =
      error_of([&] { strict.step(make_closure(strict, [&] { return saddle(q); })); });
  EXPECT_NE(msg.find("not positive definite"), std::string::npos) << msg;
  EXPECT_EQ(q.at({1}), 1.0);  // unchanged
  // Enough damping makes it positive definite: H + 3I = diag(5, 1).
  Newton damped({q}, {.damping = 3.0, .on_indefinite = "error"});
  damped.step(make_closure(damped, [&] { return saddle(q); }));
  EXPECT_NEAR(q.at({0}), 1.0 - 2.0 / 5.0, 1e-14);
  EXPECT_NEAR(q.at({1}), 1.0 + 2.0 / 1.0, 1e-14);
}

TEST(Newton, AdaptiveDampingRejectsAStepThatIncreasesTheLoss) {
  // f = √(1 + x²): the Newton step from x is −x(1 + x²), landing on −x³; from x = 2, f grows.
  Tensor x = param({2.0});
  Newton opt({x}, {.adaptive = true});
  const Closure closure = make_closure(opt, [&] { return sum(pow(1.0 + x * x, 0.5)); });
  opt.step(closure);
  EXPECT_EQ(x.at({0}), 2.0);  // restored exactly
  EXPECT_EQ(opt.state().rejected, 1);
  EXPECT_EQ(opt.state().func_evals, 2);
  EXPECT_DOUBLE_EQ(opt.state().damping, 1e-3);  // β = 1e-3·max(1, h), h = 5^{-3/2} < 1
  for (int s = 0; s < 60; ++s) opt.step(closure);
  EXPECT_NEAR(x.at({0}), 0.0, 1e-8);
}

TEST(Newton, RefusesTooManyParametersAndMissingGraphs) {
  Tensor big = zeros(Shape{Newton::kMaxParams + 1}, DType::Float64);
  big.set_requires_grad();
  const std::string msg = error_of([&] { Newton opt({big}); });
  EXPECT_NE(msg.find("2001 parameters exceed the limit of 2000"), std::string::npos) << msg;

  Tensor p = param({1.0, 2.0});
  Newton opt({p});
  EXPECT_TRUE(opt.needs_graph());
  EXPECT_NE(error_of([&] { opt.step(); }).find("needs a closure"), std::string::npos);
  // A closure that calls backward() without create_graph.
  const Closure plain = [&] {
    opt.zero_grad();
    Tensor l = sum(pow(p, 4.0));
    l.backward();
    return l;
  };
  EXPECT_NE(error_of([&] { opt.step(plain); }).find("create_graph"), std::string::npos);
  EXPECT_NE(error_of([] { parse_optimizer_spec("newton:damping=-1"); }).find("invalid damping"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_optimizer_spec("newton:on_indefinite=abs");
            }).find("valid: shift, error"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_optimizer_spec("newton:damping_increase=1"); }).find("> 1"),
            std::string::npos);
}

TEST(Newton, ResumeFromStateDictIsBitwiseIdentical) {
  const char* spec = "newton:adaptive=true,damping=0.5,lr=0.8";
  Tensor ref = param({-1.2, 1.0});
  auto opt_ref = make_optimizer(spec, {ref});
  const Closure c_ref = make_closure(*opt_ref, [&] { return rosenbrock(ref); });
  for (int s = 0; s < 9; ++s) opt_ref->step(c_ref);

  Tensor a = param({-1.2, 1.0});
  auto opt_a = make_optimizer(spec, {a});
  const Closure c_a = make_closure(*opt_a, [&] { return rosenbrock(a); });
  for (int s = 0; s < 4; ++s) opt_a->step(c_a);
  Tensor b = clone(a.detach()).set_requires_grad();
  auto opt_b = make_optimizer("newton", {b});
  opt_b->load_state_dict(opt_a->state_dict());
  const Closure c_b = make_closure(*opt_b, [&] { return rosenbrock(b); });
  for (int s = 0; s < 5; ++s) opt_b->step(c_b);
  const auto x = ref.to_vector<double>(), y = b.to_vector<double>();
  EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * sizeof(double)));
  OptimizerState bad = opt_a->state_dict();
  bad.scalars.erase("damping");
  EXPECT_THROW(opt_b->load_state_dict(bad), ValueError);
}

TEST(Newton, CholeskySolvesAndDetectsIndefinite) {
  std::vector<double> a = {4, 2, 2, 3};  // L = [[2, 0], [1, √2]]
  ASSERT_EQ(cholesky(a, 2), -1);
  EXPECT_DOUBLE_EQ(a[0], 2.0);
  EXPECT_DOUBLE_EQ(a[2], 1.0);
  EXPECT_DOUBLE_EQ(a[3], std::sqrt(2.0));
  const auto x = cholesky_solve(a, 2, {2.0, 1.0});  // [[4,2],[2,3]] x = (2, 1) → (0.5, 0)
  EXPECT_NEAR(x[0], 0.5, 1e-15);
  EXPECT_NEAR(x[1], 0.0, 1e-15);
  std::vector<double> indefinite = {1, 2, 2, 1};
  EXPECT_EQ(cholesky(indefinite, 2), 1);
}

}  // namespace
}  // namespace descent::optim
