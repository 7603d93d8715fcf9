// `descent pathology plateau|curvature` end to end: the table, the JSON and bad arguments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace {

using descent::cli_test::run_cli;
using ::testing::HasSubstr;

TEST(CliPathology, CurvaturePrintsATableAndJson) {
  const auto text = run_cli("pathology curvature", true);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_THAT(text.out, HasSubstr("cond(H)"));
  for (const char* name : {"raw", "standardized", "batchnorm"}) {
    EXPECT_THAT(text.out, HasSubstr(name));
  }
  const auto r = run_cli("pathology curvature --lr-rule stable --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["lr_rule"], "stable");
  ASSERT_EQ(j["cases"].size(), 3u);
  const auto& raw = j["cases"][0];
  const auto& standardized = j["cases"][1];
  EXPECT_EQ(raw["name"], "raw");
  EXPECT_NEAR(raw["lr"].get<double>(), 1.0 / raw["lambda_max"].get<double>(), 1e-15);
  // Two routes to the same condition number, and the cure.
  EXPECT_NEAR(raw["cond_hessian"].get<double>(), raw["cond_design"].get<double>(),
              1e-4 * raw["cond_design"].get<double>());
  EXPECT_LT(standardized["cond_hessian"].get<double>(), raw["cond_hessian"].get<double>());
  EXPECT_LT(standardized["steps"].get<int64_t>(), raw["steps"].get<int64_t>());
}

TEST(CliPathology, PlateauPrintsSaturationAndSteps) {
  // A synthetic set keeps it quick and independent of installed data.
  const std::string args =
      "pathology plateau --dataset circles --samples 100 --std 8 --steps 40 --every 20";
  const auto text = run_cli(args, true);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_THAT(text.out, HasSubstr("sigmoid, N(0, 8^2)"));
  EXPECT_THAT(text.out, HasSubstr("relu, He"));
  EXPECT_THAT(text.out, HasSubstr("saturated"));
  const auto r = run_cli(args + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["cases"].size(), 3u);
  EXPECT_EQ(j["dataset"], "circles");
  EXPECT_EQ(j["cases"][0]["step"].size(), 3u);  // 0, 20, 40
  EXPECT_GT(j["cases"][0]["saturated"][0].get<double>(), 0.5);
  EXPECT_TRUE(j["cases"][2].contains("dead"));
}

TEST(CliPathology, BadArgumentsAreClearErrors) {
  auto r = run_cli("pathology", true);
  EXPECT_NE(r.status, 0);
  r = run_cli("pathology curvature --lr-rule fast", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--lr-rule"));
  r = run_cli("pathology curvature --scales 1 10 --offsets 1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("offsets"));
  r = run_cli("pathology plateau --lr -1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("lr"));
}

}  // namespace
