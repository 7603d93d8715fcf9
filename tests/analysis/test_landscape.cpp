// Loss landscapes: interpolation end points, filter normalization, the 2-D grid's centre,
// determinism for a seed.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/analysis/landscape.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/losses.h"

namespace descent::analysis {
namespace {

// A small classifier: tanh MLP 2 → 6 → 3 on fixed random data, parameters [W1, b1, W2, b2].
struct Fixture {
  Generator gen{11};
  Tensor x = randn({30, 2}, gen);
  Tensor y;
  std::vector<Tensor> theta_a, theta_b;
  int evaluations = 0;

  Fixture() {
    std::vector<int64_t> labels;
    for (int i = 0; i < 30; ++i) labels.push_back(i % 3);
    y = from_vector(labels, Shape{30});
    theta_a = {randn({6, 2}, gen), randn({6}, gen), randn({3, 6}, gen), randn({3}, gen)};
    theta_b = {randn({6, 2}, gen), randn({6}, gen), randn({3, 6}, gen), randn({3}, gen)};
  }
  LossAccuracy operator()(const std::vector<Tensor>& p) {
    ++evaluations;
    const Tensor logits = linear(tanh(linear(x, p[0], p[1])), p[2], p[3]);
    const double acc = mean(to(eq(argmax(logits, 1), y), DType::Float64)).item();
    return {.loss = nn::cross_entropy(logits, y).item(), .accuracy = acc};
  }
};

TEST(Landscape, InterpolationEndPointsAreTheLossesOfAAndB) {
  Fixture f;
  const ParamEvaluator eval = [&f](const std::vector<Tensor>& p) { return f(p); };
  const Interpolation line = interpolate(f.theta_a, f.theta_b, {-0.5, 0.0, 0.3, 1.0, 1.5}, eval);
  ASSERT_EQ(line.loss.size(), 5u);
  EXPECT_EQ(line.loss[1], f(f.theta_a).loss);
  EXPECT_EQ(line.loss[3], f(f.theta_b).loss);
  EXPECT_EQ(line.accuracy[3], f(f.theta_b).accuracy);
  // An interior point is the loss of the mixed parameters.
  std::vector<Tensor> mid;
  for (size_t i = 0; i < 4; ++i) mid.push_back(f.theta_a[i] * 0.7 + f.theta_b[i] * 0.3);
  EXPECT_NEAR(line.loss[2], f(mid).loss, 1e-6);
  EXPECT_NE(line.loss[2], line.loss[1]);
}

TEST(Landscape, FilterNormalizedRowsHaveTheNormsOfTheParameterRows) {
  Fixture f;
  Generator gen(3);
  const std::vector<Tensor> d = filter_normalized_direction(f.theta_a, gen);
  ASSERT_EQ(d.size(), 4u);
  for (size_t i : {0u, 2u}) {  // the weight matrices: row by row
    const auto dn = sqrt(sum(d[i] * d[i], {1})).to_vector<float>();
    const auto tn = sqrt(sum(f.theta_a[i] * f.theta_a[i], {1})).to_vector<float>();
    ASSERT_EQ(dn.size(), tn.size());
    for (size_t r = 0; r < dn.size(); ++r) EXPECT_NEAR(dn[r], tn[r], 1e-6) << i << " row " << r;
    EXPECT_EQ(d[i].dtype(), DType::Float32);
  }
  // Biases get no direction by default ...
  for (size_t i : {1u, 3u}) EXPECT_EQ(sum(abs(d[i])).item(), 0.0);
  // ... and one normalized as a whole with include_vectors.
  const auto dv = filter_normalized_direction(f.theta_a, gen, {.include_vectors = true});
  for (size_t i : {1u, 3u}) {
    EXPECT_NEAR(std::sqrt(sum(dv[i] * dv[i]).item()),
                std::sqrt(sum(f.theta_a[i] * f.theta_a[i]).item()), 1e-5);
  }
  // A zero row of θ0 gets a zero row.
  const Tensor w = tensor({1, 1, 1, 0, 0, 0}, Shape{2, 3});
  const auto dz = filter_normalized_direction({w}, gen);
  EXPECT_EQ(sum(abs(select(dz[0], 0, 1))).item(), 0.0);
  EXPECT_NEAR(std::sqrt(sum(select(dz[0], 0, 0) * select(dz[0], 0, 0)).item()), std::sqrt(3.0),
              1e-6);
}

TEST(Landscape, DirectionsAreDeterministicForASeed) {
  Fixture f;
  const Directions a = random_filter_normalized_directions(f.theta_a, 5);
  const Directions b = random_filter_normalized_directions(f.theta_a, 5);
  const Directions c = random_filter_normalized_directions(f.theta_a, 6);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.d1[i].to_vector<float>(), b.d1[i].to_vector<float>());
    EXPECT_EQ(a.d2[i].to_vector<float>(), b.d2[i].to_vector<float>());
  }
  EXPECT_NE(a.d1[0].to_vector<float>(), c.d1[0].to_vector<float>());
  EXPECT_NE(a.d1[0].to_vector<float>(), a.d2[0].to_vector<float>());
}

TEST(Landscape, GridCentreIsTheLossAtTheta0AndTheSliceIsDeterministic) {
  Fixture f;
  const ParamEvaluator eval = [&f](const std::vector<Tensor>& p) { return f(p); };
  const std::vector<double> axis = grid_axis(-1.0, 1.0, 7);
  ASSERT_EQ(axis.size(), 7u);
  EXPECT_EQ(axis[3], 0.0);
  EXPECT_EQ(axis.front(), -1.0);
  EXPECT_EQ(axis.back(), 1.0);
  const Directions dirs = random_filter_normalized_directions(f.theta_a, 1);
  f.evaluations = 0;
  const Slice2 s = slice_2d(f.theta_a, dirs, axis, axis, eval);
  EXPECT_EQ(f.evaluations, 49);
  ASSERT_EQ(s.loss.size(), 49u);
  EXPECT_EQ(s.loss[3 * 7 + 3], f(f.theta_a).loss);
  // Point (a[i], b[j]) is θ0 + a d1 + b d2.
  std::vector<Tensor> p;
  for (size_t k = 0; k < 4; ++k)
    p.push_back(f.theta_a[k] + dirs.d1[k] * axis[5] + dirs.d2[k] * axis[1]);
  EXPECT_NEAR(s.loss[1 * 7 + 5], f(p).loss, 1e-5);
  const Slice2 again =
      slice_2d(f.theta_a, random_filter_normalized_directions(f.theta_a, 1), axis, axis, eval);
  EXPECT_EQ(s.loss, again.loss);
}

TEST(Landscape, ClampedTensorsDoNotExtrapolate) {
  // Two tensors: the first extrapolates, the second (a running variance, say) stops at A and B.
  const std::vector<Tensor> a = {tensor({1.0}, DType::Float64), tensor({1.0}, DType::Float64)};
  const std::vector<Tensor> b = {tensor({3.0}, DType::Float64), tensor({3.0}, DType::Float64)};
  std::vector<std::pair<double, double>> seen;
  const ParamEvaluator eval = [&seen](const std::vector<Tensor>& p) {
    seen.emplace_back(p[0].item(), p[1].item());
    return LossAccuracy{.loss = 0.0, .accuracy = 0.0};
  };
  interpolate(a, b, {-1.0, 0.5, 2.0}, eval, {.clamp_alpha = {false, true}});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(-1.0, 1.0));
  EXPECT_EQ(seen[1], std::make_pair(2.0, 2.0));
  EXPECT_EQ(seen[2], std::make_pair(5.0, 3.0));
  EXPECT_THROW(interpolate(a, b, {0.5}, eval, {.clamp_alpha = {true}}), ValueError);
}

TEST(Landscape, MismatchedInputsAreClearErrors) {
  Fixture f;
  const ParamEvaluator eval = [&f](const std::vector<Tensor>& p) { return f(p); };
  std::vector<Tensor> short_b(f.theta_b.begin(), f.theta_b.begin() + 3);
  EXPECT_THROW(interpolate(f.theta_a, short_b, {0.5}, eval), ShapeError);
  Directions bad = random_filter_normalized_directions(f.theta_a, 0);
  bad.d2[0] = zeros({2, 6});
  EXPECT_THROW(slice_2d(f.theta_a, bad, {0.0}, {0.0}, eval), ShapeError);
  EXPECT_THROW(grid_axis(1.0, -1.0, 5), ValueError);
  EXPECT_THROW(grid_axis(-1.0, 1.0, 0), ValueError);
}

}  // namespace
}  // namespace descent::analysis
