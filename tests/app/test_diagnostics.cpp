// The diagnostic quantities on crafted tensors whose answers are known by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "descent/app/diagnostics.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/optim/adam.h"
#include "descent/optim/sgd.h"

namespace descent::app {
namespace {

Tensor matrix(std::vector<double> v, int64_t rows, int64_t cols) {
  return from_vector(std::span<const double>(v), Shape({rows, cols}), DType::Float64);
}

TEST(Diagnostics, DeadUnitsAreThoseZeroForEveryExample) {
  // Units 1 and 3 are 0 for all three examples; unit 2 is 0 for two of them (alive).
  const Tensor out = matrix({0.5, 0, 0, 0,  //
                             0.0, 0, 0, 0,  //
                             2.0, 0, 1, 0},
                            3, 4);
  EXPECT_DOUBLE_EQ(dead_unit_fraction(out), 0.5);
  EXPECT_DOUBLE_EQ(dead_unit_fraction(relu(matrix({-1, -2, 3, -4}, 1, 4))), 0.75);
  // Units are all trailing positions: [N, 2, 2] has 4 units.
  const Tensor three = reshape(out, Shape({3, 2, 2}));
  EXPECT_DOUBLE_EQ(dead_unit_fraction(three), 0.5);
  EXPECT_THROW(dead_unit_fraction(scalar_tensor(0.0)), ValueError);
}

TEST(Diagnostics, SaturationCountsElementsOutsideTheBand) {
  // tanh of these: 0.0, 0.76, 0.9951, -0.99999, 0.98661, -0.9993
  const Tensor y = tanh(matrix({0.0, 1.0, 3.0, -6.0, 2.5, -4.0}, 2, 3));
  EXPECT_DOUBLE_EQ(fraction_outside(y, -kTanhSaturation, kTanhSaturation), 3.0 / 6.0);
  // σ(±4.6) ≈ 0.0099/0.9901 are saturated, σ(±4.5) ≈ 0.011/0.989 are not.
  const Tensor s = sigmoid(matrix({4.6, -4.6, 4.5, -4.5}, 2, 2));
  EXPECT_DOUBLE_EQ(fraction_outside(s, kSigmoidSaturation, 1 - kSigmoidSaturation), 0.5);
}

TEST(Diagnostics, BatchChannelMomentsByHand) {
  // Channel 0: 1, 3 → μ 2, σ² 1;  channel 1: 0, 4 → μ 2, σ² 4;  channel 2: 5, 5 → μ 5, σ² 0.
  const ChannelMoments m = batch_channel_moments(matrix({1, 0, 5, 3, 4, 5}, 2, 3));
  EXPECT_DOUBLE_EQ(m.mean_of_means, 3.0);
  EXPECT_DOUBLE_EQ(m.std_of_means, std::sqrt(2.0));  // deviations −1, −1, 2
  EXPECT_DOUBLE_EQ(m.mean_of_vars, 5.0 / 3.0);
  const double d0 = 1 - 5.0 / 3, d1 = 4 - 5.0 / 3, d2 = -5.0 / 3;
  EXPECT_NEAR(m.std_of_vars, std::sqrt((d0 * d0 + d1 * d1 + d2 * d2) / 3), 1e-15);
  // [N, C, L]: the statistics run over examples and positions. Channel 0 sees 1, 3, 5, 7.
  const Tensor seq = reshape(matrix({1, 3, 0, 0, 5, 7, 0, 0}, 2, 4), Shape({2, 2, 2}));
  const ChannelMoments q = batch_channel_moments(seq);
  EXPECT_DOUBLE_EQ(q.mean_of_means, 2.0);  // channel means 4 and 0
  EXPECT_DOUBLE_EQ(q.mean_of_vars, 2.5);   // variances 5 and 0
  EXPECT_THROW(batch_channel_moments(zeros({4})), ValueError);
}

TEST(Diagnostics, RelativeChangeMedianAndMax) {
  const Tensor before = matrix({3, 4}, 1, 2);
  const Tensor after = matrix({3, 4 + 0.5}, 1, 2);
  EXPECT_DOUBLE_EQ(relative_change(before, after), 0.5 / 5.0);
  EXPECT_DOUBLE_EQ(relative_change(zeros({2}), zeros({2})), 0.0);
  EXPECT_TRUE(std::isinf(relative_change(zeros({2}), ones({2}))));
  EXPECT_THROW(relative_change(zeros({2}), zeros({3})), ShapeError);

  EXPECT_EQ(median_and_max(matrix({5, 1, 3}, 1, 3)), std::make_pair(3.0, 5.0));
  EXPECT_EQ(median_and_max(matrix({4, 1, 3, 10}, 2, 2)), std::make_pair(3.5, 10.0));
}

// v after two steps with gradients g1, g2 from the state equations v_t = β2 v_{t−1} + (1 − β2)
// g_t², then η = α/(√(v_t/(1 − β2ᵗ)) + ε).
TEST(Diagnostics, AdamStepSizeFollowsTheStateEquations) {
  Tensor w = from_vector(std::vector<double>{1.0, -2.0, 0.5}, Shape({3}), DType::Float64);
  w.set_requires_grad(true);
  const double lr = 0.01, b2 = 0.9, eps = 1e-3;
  optim::Adam opt({w}, {.lr = lr, .betas = {0.8, b2}, .eps = eps});
  const std::vector<std::vector<double>> grads = {{0.3, -1.0, 0.0}, {0.1, 2.0, 0.0}};
  for (const auto& g : grads) {
    w.set_grad(from_vector(std::span<const double>(g), Shape({3}), DType::Float64));
    opt.step();
  }
  std::vector<double> expected;
  for (int i = 0; i < 3; ++i) {
    double v = 0.0;
    for (const auto& g : grads) v = b2 * v + (1 - b2) * g[i] * g[i];
    expected.push_back(lr / (std::sqrt(v / (1 - b2 * b2)) + eps));
  }
  const Tensor eta = optim::adam_effective_step_size(*opt.state(0, 0), lr, {0.8, b2}, eps, false);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(eta.data<double>()[i], expected[i], 1e-15);
  EXPECT_DOUBLE_EQ(expected[2], lr / eps);  // a coordinate that never moved: the largest step

  const std::vector<StepSizeSummary> s = adam_step_sizes(opt, {{"w", w}});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "w");
  std::vector<double> sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NEAR(s[0].median, sorted[1], 1e-15);
  EXPECT_NEAR(s[0].max, sorted[2], 1e-15);

  optim::SGD sgd({w}, {.lr = 0.1});
  EXPECT_TRUE(adam_step_sizes(sgd, {{"w", w}}).empty());
  EXPECT_THROW(optim::adam_effective_step_size(optim::AdamState{}, lr, {0.9, 0.99}, eps, false),
               ValueError);
}

}  // namespace
}  // namespace descent::app
