// Transforms: statistics fitted on the training split, application, JSON round trips.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.h"
#include "descent/core/rng.h"
#include "descent/data/synthetic.h"
#include "descent/data/transforms.h"

namespace descent::data {
namespace {

// Per-column mean and population standard deviation of a [N, d] float32 tensor, in double.
std::pair<std::vector<double>, std::vector<double>> column_stats(const Tensor& x) {
  const int64_t n = x.size(0), d = x.size(1);
  std::vector<double> mean(static_cast<size_t>(d), 0), sd(static_cast<size_t>(d), 0);
  for (int64_t j = 0; j < d; ++j) {
    for (int64_t i = 0; i < n; ++i) mean[j] += x.at({i, j}) / static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i)
      sd[j] += std::pow(x.at({i, j}) - mean[j], 2) / static_cast<double>(n);
    sd[j] = std::sqrt(sd[j]);
  }
  return {mean, sd};
}

Split regression_split() {
  Generator g(5);
  LinearRegressionOptions o{.samples = 500, .scales = {1.0, 50.0, 0.01}, .offsets = {100, -3, 7}};
  return {linear_regression(o, g), linear_regression(o, g)};
}

TEST(Transforms, StandardizeFittedOnTrainGivesZeroMeanUnitStdOnTrain) {
  Split s = regression_split();
  const Tensor test_before = s.test.inputs;
  Pipeline p;
  p.add<Standardize>();
  p.fit_apply(s);
  const auto [mean, sd] = column_stats(s.train.inputs);
  for (size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(mean[j], 0.0, 1e-5);
    EXPECT_NEAR(sd[j], 1.0, 1e-5);
  }
  // The test split used the training statistics, not its own.
  const auto& st = static_cast<const Standardize&>(p[0]);
  EXPECT_NEAR(s.test.inputs.at({3, 1}), (test_before.at({3, 1}) - st.mean()[1]) / st.std()[1],
              1e-4);
  const auto [test_mean, test_sd] = column_stats(s.test.inputs);
  EXPECT_NE(test_mean[0], mean[0]);
}

TEST(Transforms, GlobalStatisticsAndConstantFeatures) {
  const Tensor x = tensor({1, 5, 3, 5, 5, 5}, {3, 2});  // column 1 is constant
  Standardize per_feature;
  per_feature.fit(x);
  EXPECT_DOUBLE_EQ(per_feature.mean()[0], 3.0);
  EXPECT_DOUBLE_EQ(per_feature.std()[0], std::sqrt(8.0 / 3.0));
  EXPECT_DOUBLE_EQ(per_feature.std()[1], 1.0);  // σ = 0 → divide by 1
  EXPECT_FLOAT_EQ(per_feature.apply(x).at({2, 1}), 0.0f);
  Standardize global({.per_feature = false});
  global.fit(x);
  ASSERT_EQ(global.mean().size(), 1u);
  EXPECT_DOUBLE_EQ(global.mean()[0], 4.0);
  MinMax mm;
  mm.fit(x);
  const Tensor y = mm.apply(x);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 0, 0.5f, 0, 1, 0}));
}

TEST(Transforms, ShiftScaleAndFlatten) {
  const Tensor x = tensor({0.1307, 0.4388, 1.0, 0.0}, {1, 2, 2});
  const Tensor y = ShiftScale(0.1307, 0.3081).apply(x);
  EXPECT_NEAR(y.at({0, 0, 1}), 1.0, 1e-6);
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2}));
  const Tensor f = Flatten().apply(x);
  EXPECT_EQ(f.shape(), (Shape{1, 4}));
  EXPECT_TRUE(f.shares_storage(x));
  EXPECT_THROW(ShiftScale(0, 0), ValueError);
}

TEST(Transforms, JsonRoundTripReproducesThePipeline) {
  Split s = regression_split();
  Pipeline p;
  p.add<ShiftScale>(1.0, 2.0).add<Standardize>().add<MinMax>(StatsOptions{.per_feature = false});
  p.add<Flatten>();
  p.fit(s.train.inputs);
  const nlohmann::json j = nlohmann::json::parse(p.to_json().dump());
  const Pipeline q = Pipeline::from_json(j);
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(p.apply(s.test.inputs).to_vector<float>(), q.apply(s.test.inputs).to_vector<float>());
  EXPECT_EQ(q.to_json(), p.to_json());
}

TEST(Transforms, AnEmptySplitKeepsItsFeatures) {
  // A test split with no rows (a small CSV, test_fraction 0) still has its features: the
  // transforms fitted on the training split apply to it, and flatten keeps the row size.
  Generator gen(5);
  const Tensor train = randn({6, 2, 3}, gen);
  Pipeline p;
  p.add(std::make_unique<Flatten>()).add(std::make_unique<Standardize>());
  p.add(std::make_unique<MinMax>()).add(std::make_unique<ShiftScale>(1.0, 2.0));
  p.fit(train);
  EXPECT_EQ(p.apply(zeros({0, 2, 3})).shape(), (Shape{0, 6}));
  EXPECT_EQ(p.apply(train).shape(), (Shape{6, 6}));
  EXPECT_THROW(p.apply(zeros({0, 2, 2})), ShapeError);  // the wrong features, rows or not
}

TEST(Transforms, ErrorsNameWhatIsWrong) {
  Standardize st;
  EXPECT_THROW(st.apply(zeros({2, 2})), ValueError);  // not fitted
  st.fit(zeros({2, 3}));
  EXPECT_THROW(st.apply(zeros({2, 2})), ShapeError);
  EXPECT_THROW(st.fit(zeros({2, 2}, DType::Int64)), DTypeError);
  EXPECT_THROW(st.fit(zeros({0, 2})), ValueError);
  using nlohmann::json;
  EXPECT_THROW(transform_from_json(json{{"kind", "rotate"}}), ValueError);
  EXPECT_THROW(transform_from_json(json::array()), ValueError);
  EXPECT_THROW(transform_from_json(json{{"kind", "standardize"}, {"per_feature", true}}),
               ValueError);
  EXPECT_THROW(transform_from_json(json{{"kind", "standardize"},
                                        {"per_feature", true},
                                        {"mean", {0.0, 1.0}},
                                        {"std", {1.0, 0.0}}}),
               ValueError);
  EXPECT_THROW(transform_from_json(json{{"kind", "shift_scale"}, {"shift", "a"}, {"scale", 1}}),
               ValueError);
  EXPECT_THROW(Pipeline::from_json(json{{"kind", "flatten"}}), ValueError);
}

}  // namespace
}  // namespace descent::data
