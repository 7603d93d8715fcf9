// Synthetic datasets: shapes, determinism per seed, class balance and the geometry of each set.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "descent/core/error.h"
#include "descent/data/synthetic.h"

namespace descent::data {
namespace {

using Maker = std::function<Dataset(Generator&)>;

struct Case {
  const char* name;
  Maker make;
  int64_t n, dim, classes;
};

std::vector<Case> cases() {
  return {
      {"spiral", [](Generator& g) { return spiral({.points_per_class = 50, .classes = 4}, g); },
       200, 2, 4},
      {"circles", [](Generator& g) { return circles({.points_per_class = 30}, g); }, 60, 2, 2},
      {"moons", [](Generator& g) { return moons({.points_per_class = 30}, g); }, 60, 2, 2},
      {"xor", [](Generator& g) { return xor_dataset({.points_per_class = 30}, g); }, 60, 2, 2},
      {"blobs",
       [](Generator& g) { return blobs({.points_per_class = 20, .classes = 5, .dim = 3}, g); }, 100,
       3, 5},
  };
}

TEST(SyntheticData, ShapesBalanceAndDeterminism) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Generator g1(7), g2(7), g3(8);
    const Dataset a = c.make(g1), b = c.make(g2), other = c.make(g3);
    validate(a);
    EXPECT_EQ(a.inputs.shape(), (Shape{c.n, c.dim}));
    EXPECT_EQ(a.num_classes, c.classes);
    EXPECT_EQ(a.inputs.to_vector<float>(), b.inputs.to_vector<float>());
    EXPECT_EQ(a.targets.to_vector<int64_t>(), b.targets.to_vector<int64_t>());
    EXPECT_NE(a.inputs.to_vector<float>(), other.inputs.to_vector<float>());
    std::vector<int64_t> counts(static_cast<size_t>(c.classes), 0);
    for (int64_t y : a.targets.to_vector<int64_t>()) ++counts[static_cast<size_t>(y)];
    EXPECT_EQ(counts, std::vector<int64_t>(static_cast<size_t>(c.classes), c.n / c.classes));
  }
}

TEST(SyntheticData, NoiselessGeometry) {
  Generator g(1);
  const Dataset s = spiral({.points_per_class = 5, .classes = 2, .noise = 0.0}, g);
  // Point 4 of class 1: r = 1, t = 4 + 4 = 8.
  EXPECT_FLOAT_EQ(s.inputs.at({9, 0}), static_cast<float>(std::sin(8.0)));
  EXPECT_FLOAT_EQ(s.inputs.at({9, 1}), static_cast<float>(std::cos(8.0)));
  const Dataset c = circles({.points_per_class = 8, .noise = 0.0, .factor = 0.25}, g);
  for (int64_t i = 0; i < 16; ++i)
    EXPECT_NEAR(std::hypot(c.inputs.at({i, 0}), c.inputs.at({i, 1})), i < 8 ? 1.0 : 0.25, 1e-6);
  const Dataset m = moons({.points_per_class = 3, .noise = 0.0}, g);
  EXPECT_FLOAT_EQ(m.inputs.at({4, 0}), 1.0f);  // class 1, t = π/2: (1 − 0, 0.5 − 1)
  EXPECT_FLOAT_EQ(m.inputs.at({4, 1}), -0.5f);
  const Dataset x = xor_dataset({.points_per_class = 50}, g);
  for (int64_t i = 0; i < 100; ++i)
    EXPECT_EQ((x.inputs.at({i, 0}) > 0) != (x.inputs.at({i, 1}) > 0), x.targets.at({i}) == 1);
}

TEST(SyntheticData, BlobsClusterAroundTheirCentres) {
  Generator g(3);
  const Dataset d = blobs({.points_per_class = 2000, .classes = 2, .dim = 2, .std = 0.5}, g);
  // Sample standard deviation of each class and coordinate ≈ 0.5.
  for (int64_t k = 0; k < 2; ++k)
    for (int64_t j = 0; j < 2; ++j) {
      double s = 0, sq = 0;
      for (int64_t i = k * 2000; i < (k + 1) * 2000; ++i) {
        const double v = d.inputs.at({i, j});
        s += v;
        sq += v * v;
      }
      const double mean = s / 2000;
      EXPECT_NEAR(std::sqrt(sq / 2000 - mean * mean), 0.5, 0.03);
      EXPECT_LE(std::fabs(mean), 10.5);
    }
}

TEST(SyntheticData, NinePointsAreTheLectureTable) {
  const Dataset d = nine_points();
  validate(d);
  EXPECT_EQ(d.inputs.shape(), (Shape{9, 2}));
  EXPECT_EQ(d.targets.to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 0, 1, 1, 1, 2, 2, 2}));
  EXPECT_FLOAT_EQ(d.inputs.at({6, 0}), 0.7f);
  EXPECT_FLOAT_EQ(d.inputs.at({8, 1}), -0.5f);
}

TEST(SyntheticData, LinearRegressionScalesOffsetsAndTargets) {
  Generator g(11);
  const Dataset d = linear_regression({.samples = 20000,
                                       .scales = {1.0, 100.0},
                                       .offsets = {5.0, 0.0},
                                       .weights = {2.0, -0.5},
                                       .bias = 3.0,
                                       .noise = 0.0},
                                      g);
  validate(d);
  EXPECT_EQ(d.targets.shape(), (Shape{20000, 1}));
  double mean[2] = {0, 0}, sq[2] = {0, 0};
  for (int64_t i = 0; i < 20000; ++i) {
    const double x0 = d.inputs.at({i, 0}), x1 = d.inputs.at({i, 1});
    EXPECT_NEAR(d.targets.at({i, 0}), 2.0 * x0 - 0.5 * x1 + 3.0, 1e-4 * (1 + std::fabs(x1)));
    mean[0] += x0 / 20000;
    mean[1] += x1 / 20000;
    sq[0] += x0 * x0 / 20000;
    sq[1] += x1 * x1 / 20000;
  }
  EXPECT_NEAR(mean[0], 5.0, 0.05);
  EXPECT_NEAR(std::sqrt(sq[0] - mean[0] * mean[0]), 1.0, 0.03);
  EXPECT_NEAR(std::sqrt(sq[1] - mean[1] * mean[1]), 100.0, 3.0);
}

TEST(SyntheticData, InvalidOptionsAreValueErrors) {
  Generator g;
  EXPECT_THROW(spiral({.points_per_class = 0}, g), ValueError);
  EXPECT_THROW(spiral({.noise = -1}, g), ValueError);
  EXPECT_THROW(circles({.factor = 1.5}, g), ValueError);
  EXPECT_THROW(blobs({.classes = 0}, g), ValueError);
  EXPECT_THROW(blobs({.points_per_class = int64_t{1} << 40}, g), ValueError);
  EXPECT_THROW(linear_regression({.scales = {}}, g), ValueError);
  EXPECT_THROW(linear_regression({.scales = {1, 2}, .offsets = {1}}, g), ValueError);
  EXPECT_THROW(linear_regression({.scales = {1e300}}, g), ValueError);
}

}  // namespace
}  // namespace descent::data
