// The 2-D test problems: values at known minima, zero gradients there (autograd), a few
// hand-checked values and Hessians.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "descent/analysis/problems.h"
#include "descent/autograd/engine.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

// ∇f at (x, y) by autograd.
std::vector<double> gradient(const Problem& p, double x, double y) {
  Tensor xy = tensor({x, y}, DType::Float64);
  xy.set_requires_grad(true);
  return grad(p.value(xy), xy).to_vector<double>();
}

// The Hessian at (x, y): grad of each gradient component (create_graph).
std::vector<double> hessian(const Problem& p, double x, double y) {
  Tensor xy = tensor({x, y}, DType::Float64);
  xy.set_requires_grad(true);
  const Tensor g = grad(p.value(xy), xy, {.create_graph = true});
  std::vector<double> h;
  for (int64_t i = 0; i < 2; ++i) {
    const auto row = grad(select(g, 0, i), xy, {.retain_graph = true}).to_vector<double>();
    h.insert(h.end(), row.begin(), row.end());
  }
  return h;
}

TEST(Problems, MinimaHaveTheirValuesAndZeroGradient) {
  for (const std::string& name : problem_names()) {
    const Problem p = problem_by_name(name);
    EXPECT_EQ(p.name, name);
    EXPECT_LT(p.range.x_min, p.range.x_max);
    EXPECT_LT(p.range.y_min, p.range.y_max);
    for (const Point2& m : p.minima) {
      const double expect = name == "goldstein_price" ? 3.0 : 0.0;
      EXPECT_NEAR(m.value, expect, 1e-12) << name;
      for (double g : gradient(p, m.x, m.y)) EXPECT_NEAR(g, 0.0, 1e-10) << name;
    }
    for (const Point2& s : p.saddle_points) {
      for (double g : gradient(p, s.x, s.y)) EXPECT_NEAR(g, 0.0, 1e-12) << name;
    }
    EXPECT_TRUE(std::isfinite(p.start.value)) << name;
  }
}

TEST(Problems, HandCheckedValues) {
  EXPECT_DOUBLE_EQ(rosenbrock()(0.0, 0.0), 1.0);
  EXPECT_NEAR(rosenbrock()(-1.2, 1.0), 24.2, 1e-12);
  EXPECT_DOUBLE_EQ(booth()(0.0, 0.0), 74.0);
  EXPECT_DOUBLE_EQ(himmelblau()(0.0, 0.0), 170.0);
  EXPECT_DOUBLE_EQ(beale()(0.0, 0.0), 1.5 * 1.5 + 2.25 * 2.25 + 2.625 * 2.625);
  EXPECT_DOUBLE_EQ(saddle()(2.0, 3.0), -5.0);
  EXPECT_DOUBLE_EQ(monkey_saddle()(2.0, 1.0), 8.0 - 6.0);
  EXPECT_DOUBLE_EQ(goldstein_price()(0.0, 0.0), 600.0);
  EXPECT_NEAR(rastrigin()(0.5, 0.0), 20.25, 1e-12);  // 20 + 0.25 − 10 cos π − 10
  EXPECT_NEAR(ill_conditioned_quadratic(10.0)(1.0, 1.0), 5.5, 1e-15);
  // Rotated by 90°: the stiff axis is x.
  EXPECT_NEAR(ill_conditioned_quadratic(10.0, 90.0)(1.0, 0.0), 5.0, 1e-12);
}

TEST(Problems, GradientsAndHessiansByAutograd) {
  // Rosenbrock at (0, 0): ∇ = (−2, 0); H = [[2 − 400(y − 3x²), −400x], [−400x, 200]].
  EXPECT_EQ(gradient(rosenbrock(), 0.0, 0.0), (std::vector<double>{-2.0, 0.0}));
  const auto h = hessian(rosenbrock(), 1.0, 1.0);
  EXPECT_NEAR(h[0], 802.0, 1e-9);
  EXPECT_NEAR(h[1], -400.0, 1e-9);
  EXPECT_NEAR(h[2], -400.0, 1e-9);
  EXPECT_NEAR(h[3], 200.0, 1e-9);
  // The quadratic's Hessian is R diag(1, κ) Rᵀ: trace 1 + κ, determinant κ.
  const auto q = hessian(ill_conditioned_quadratic(25.0, 30.0), 0.3, -0.7);
  EXPECT_NEAR(q[0] + q[3], 26.0, 1e-12);
  EXPECT_NEAR(q[0] * q[3] - q[1] * q[2], 25.0, 1e-10);
  // Saddle: H = diag(2, −2).
  EXPECT_EQ(hessian(saddle(), 0.0, 0.0), (std::vector<double>{2.0, 0.0, 0.0, -2.0}));
}

TEST(Problems, CosCompositeMatchesStdCos) {
  for (double z = -40.0; z <= 40.0; z += 0.37) {
    Tensor t = scalar_tensor(z, DType::Float64);
    t.set_requires_grad(true);
    const Tensor c = cos_composite(t);
    EXPECT_NEAR(c.item(), std::cos(z), 1e-14) << z;
    EXPECT_NEAR(grad(c, t).item(), -std::sin(z), 1e-13) << z;
  }
}

TEST(Problems, BatchedValues) {
  const Problem p = booth();
  const Tensor pts = tensor({0.0, 0.0, 1.0, 3.0, 2.0, 1.0}, {3, 2}, DType::Float64);
  EXPECT_EQ(p.value(pts).to_vector<double>(), (std::vector<double>{74.0, 0.0, 9.0 + 0.0}));
}

TEST(Problems, UnknownNameListsTheValidOnes) {
  try {
    problem_by_name("rosenbrok");
    FAIL();
  } catch (const ValueError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("rosenbrok"), std::string::npos);
    EXPECT_NE(msg.find("goldstein_price"), std::string::npos);
    EXPECT_NE(msg.find("himmelblau"), std::string::npos);
  }
  EXPECT_EQ(problem_by_name("goldstein-price").name, "goldstein_price");
  EXPECT_THROW(ill_conditioned_quadratic(0.5), ValueError);
}

}  // namespace
}  // namespace descent::analysis
