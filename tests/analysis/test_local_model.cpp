// First- and second-order models along a direction: closed forms on a quadratic, error slopes
// 2 and 3 on a log–log plot for a smooth MLP loss and for Rosenbrock, and the 2-D model grid.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/analysis/local_model.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/core/rng.h"
#include "descent/nn/losses.h"

namespace descent::analysis {
namespace {

Tensor gaussian(const Shape& shape, Generator& gen, double scale = 1.0) {
  return randn(shape, gen, DType::Float64) * scale;
}

std::vector<double> log_steps(double lo, double hi, int n) {
  std::vector<double> t;
  for (int i = 0; i < n; ++i) t.push_back(lo * std::pow(hi / lo, static_cast<double>(i) / (n - 1)));
  return t;
}

void expect_slopes(const ParamLoss& loss, const std::vector<Tensor>& theta,
                   const std::vector<Tensor>& d, const char* what) {
  const std::vector<double> t = log_steps(1e-3, 3e-2, 9);
  const auto rows = model_errors(loss, theta, d, t);
  std::vector<double> e1, e2;
  for (const auto& r : rows) {
    e1.push_back(r.error1);
    e2.push_back(r.error2);
  }
  const double s1 = loglog_slope(t, e1), s2 = loglog_slope(t, e2);
  EXPECT_NEAR(s1, 2.0, 0.15) << what;
  EXPECT_NEAR(s2, 3.0, 0.15) << what;
  // The second-order model is the better one at small steps.
  EXPECT_LT(rows.front().error2, rows.front().error1) << what;
}

TEST(LocalModel, QuadraticHasExactSlopeAndCurvature) {
  // L(θ) = ½ θᵀAθ with A = diag(1, 4): ∇Lᵀd = θᵀAd, dᵀHd = dᵀAd, and m2 is exact.
  const ParamLoss loss = [](const std::vector<Tensor>& p) {
    const Tensor a = tensor({1.0, 4.0}, DType::Float64);
    return 0.5 * sum(a * p[0] * p[0]);
  };
  const std::vector<Tensor> theta = {tensor({1.0, -2.0}, DType::Float64)};
  const std::vector<Tensor> d = {tensor({0.5, 1.0}, DType::Float64)};
  const DirectionalModel m = directional_model(loss, theta, d);
  EXPECT_DOUBLE_EQ(m.loss, 0.5 * (1 + 16));
  EXPECT_DOUBLE_EQ(m.slope, 1 * 0.5 + 4 * -2.0 * 1.0);
  EXPECT_DOUBLE_EQ(m.curvature, 0.25 + 4.0);
  for (const auto& r : model_errors(loss, theta, d, {-1.0, 0.1, 2.0})) {
    EXPECT_NEAR(r.error2, 0.0, 1e-12) << r.t;
  }
}

TEST(LocalModel, TanhMlpCrossEntropyErrorsHaveSlopesTwoAndThree) {
  Generator gen(7);
  const Tensor x = gaussian({20, 2}, gen);
  std::vector<double> labels;
  for (int i = 0; i < 20; ++i) labels.push_back(static_cast<double>(i % 3));
  std::vector<int64_t> y_values(labels.begin(), labels.end());
  const Tensor y = from_vector(y_values, Shape{20});
  const ParamLoss loss = [x, y](const std::vector<Tensor>& p) {
    return nn::cross_entropy(linear(tanh(linear(x, p[0], p[1])), p[2], p[3]), y);
  };
  const std::vector<Tensor> theta = {gaussian({8, 2}, gen, 0.8), gaussian({8}, gen, 0.1),
                                     gaussian({3, 8}, gen, 0.5), gaussian({3}, gen, 0.1)};
  const std::vector<Tensor> d = {gaussian({8, 2}, gen), gaussian({8}, gen), gaussian({3, 8}, gen),
                                 gaussian({3}, gen)};
  expect_slopes(loss, theta, d, "tanh MLP");
}

TEST(LocalModel, RosenbrockErrorsHaveSlopesTwoAndThree) {
  const Problem p = rosenbrock();
  const ParamLoss loss = [&p](const std::vector<Tensor>& q) { return p.value(q[0]); };
  expect_slopes(loss, {tensor({-1.2, 1.0}, DType::Float64)}, {tensor({0.6, 0.8}, DType::Float64)},
                "rosenbrock");
}

TEST(LocalModel, LoglogSlopeOfAPowerLaw) {
  const std::vector<double> x = {0.1, 0.2, 0.4, 0.8};
  std::vector<double> y;
  for (double v : x) y.push_back(3.0 * std::pow(v, 2.5));
  EXPECT_NEAR(loglog_slope(x, y), 2.5, 1e-12);
  EXPECT_THROW(loglog_slope({1.0}, {1.0}), ValueError);
  EXPECT_THROW(loglog_slope({1.0, 1.0}, {1.0, 2.0}), ValueError);
}

TEST(LocalModel, MismatchedDirectionIsAShapeError) {
  const ParamLoss loss = [](const std::vector<Tensor>& p) { return sum(p[0] * p[0]); };
  EXPECT_THROW(directional_model(loss, {zeros({2}, DType::Float64)}, {zeros({3}, DType::Float64)}),
               ShapeError);
  EXPECT_THROW(directional_model(loss, {zeros({2}, DType::Float64)}, {}), ShapeError);
}

TEST(LocalModel, GridOfA2DProblemMatchesGradientAndHessian) {
  // Rosenbrock at (−1.2, 1): ∇f = (−215.6, −88), H = [[1330, 480], [480, 200]].
  const Problem p = rosenbrock();
  const LocalModelGrid2 g = local_model_grid(p, -1.2, 1.0, {-2.0, 0.0, 0.0, 2.0}, 5);
  EXPECT_NEAR(g.value, 24.2, 1e-12);
  EXPECT_NEAR(g.gradient[0], -215.6, 1e-10);
  EXPECT_NEAR(g.gradient[1], -88.0, 1e-10);
  EXPECT_NEAR(g.hessian[0][0], 1330.0, 1e-9);
  EXPECT_NEAR(g.hessian[0][1], 480.0, 1e-9);
  EXPECT_NEAR(g.hessian[1][0], 480.0, 1e-9);
  EXPECT_NEAR(g.hessian[1][1], 200.0, 1e-9);
  ASSERT_EQ(g.f.size(), 25u);
  for (size_t j = 0; j < 5; ++j) {
    for (size_t i = 0; i < 5; ++i) {
      const double x = g.x[i], y = g.y[j];
      EXPECT_NEAR(g.f[j * 5 + i], p(x, y), 1e-12);
      const double dx = x + 1.2, dy = y - 1.0;
      EXPECT_NEAR(g.m1[j * 5 + i], 24.2 - 215.6 * dx - 88.0 * dy, 1e-9);
      EXPECT_NEAR(g.m2[j * 5 + i] - g.m1[j * 5 + i],
                  0.5 * (1330 * dx * dx + 960 * dx * dy + 200 * dy * dy), 1e-9);
    }
  }
  // A quadratic problem is its own second-order model.
  const LocalModelGrid2 q = local_model_grid(booth(), 0.5, 0.5, booth().range, 7);
  for (size_t k = 0; k < q.f.size(); ++k) EXPECT_NEAR(q.m2[k], q.f[k], 1e-9);
  EXPECT_THROW(local_model_grid(p, 0, 0, {1, 0, 0, 1}, 5), ValueError);
}

}  // namespace
}  // namespace descent::analysis
