// Layer options of experiment configs used by the pathology examples: the "normal" init with
// its std, and BatchNorm without affine parameters.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "app_test_util.h"
#include "descent/app/model_builder.h"
#include "descent/core/rng.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using testing::config_error_of;
using ::testing::HasSubstr;

TEST(ModelBuilderOptions, NormalInitDrawsEveryWeightFromNZeroStdSquared) {
  Generator gen(7);
  const auto model = build_model(
      {normalize_layer({{"type", "linear"}, {"out", 300}, {"init", "normal"}, {"std", 4.0}},
                       "model[0]")},
      200, 300, DType::Float32, gen);
  const auto params = model->named_parameters();
  ASSERT_EQ(params.size(), 2u);
  const std::vector<double> w = params[0].second.to_vector<double>();
  ASSERT_EQ(w.size(), 60000u);
  double sum = 0.0, sq = 0.0;
  for (double v : w) {
    sum += v;
    sq += v * v;
  }
  const double mean = sum / w.size(), sd = std::sqrt(sq / w.size() - mean * mean);
  // Sample mean and std of 60000 draws: standard errors 4/√n = 0.016 and 4/√(2n) = 0.012.
  EXPECT_NEAR(mean, 0.0, 0.08);
  EXPECT_NEAR(sd, 4.0, 0.06);
  for (double b : params[1].second.to_vector<double>()) EXPECT_EQ(b, 0.0);
}

TEST(ModelBuilderOptions, StdMustBePositive) {
  EXPECT_THAT(
      config_error_of({{"model", {{{"type", "linear"}, {"init", "normal"}, {"std", 0.0}}}}}),
      HasSubstr("model[0].std: must be a finite number > 0"));
  EXPECT_THAT(config_error_of({{"model", {{{"type", "linear"}, {"std", "big"}}}}}),
              HasSubstr("model[0].std: expected a number"));
}

TEST(ModelBuilderOptions, BatchNormWithoutAffineHasNoParameters) {
  Generator gen(0);
  for (const bool affine : {true, false}) {
    const auto model =
        build_model({normalize_layer({{"type", "batchnorm"}, {"affine", affine}}, "model[0]")}, 3,
                    3, DType::Float32, gen);
    EXPECT_EQ(model->named_parameters().size(), affine ? 2u : 0u);
    EXPECT_FALSE(model->named_buffers().empty());  // running statistics either way
  }
  EXPECT_THAT(config_error_of({{"model", {{{"type", "batchnorm"}, {"affine", 1}}}}}),
              HasSubstr("model[0].affine: expected a boolean"));
}

}  // namespace
}  // namespace descent::app
