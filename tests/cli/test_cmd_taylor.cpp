// `descent taylor` end to end: the lecture's sin table, JSON output, and clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"

namespace {

using descent::cli_test::run_cli;
using ::testing::HasSubstr;

TEST(CliTaylor, PrintsCoefficientsErrorsAndTable) {
  const auto r = run_cli(
      "taylor --function sin --degrees 1,3,5,7,9,11,13 --around 0 "
      "--range=-6,6 --points 13",
      true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("sin(x)"));
  EXPECT_THAT(r.out, HasSubstr("c_3"));
  EXPECT_THAT(r.out, HasSubstr("-0.16666666666666"));  // −1/3!
  EXPECT_THAT(r.out, HasSubstr("degree 13"));
  EXPECT_THAT(r.out, HasSubstr("T13(x)"));
  // The table has one row per point.
  int rows = 0;
  for (const std::string& line : descent::cli_test::lines(r.out)) {
    if (line.find("   -6.0000") == 0 || line.find("    6.0000") == 0) ++rows;
  }
  EXPECT_EQ(rows, 2);
}

TEST(CliTaylor, JsonHasTheSameNumbers) {
  const auto r = run_cli(
      "taylor --function exp --degrees 2,4 --around 0.5 --range -1,2 "
      "--points 7 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["function"], "exp");
  EXPECT_EQ(j["degrees"], nlohmann::json::array({2, 4}));
  ASSERT_EQ(j["coefficients"].size(), 5u);
  EXPECT_NEAR(j["coefficients"][4].get<double>(), std::exp(0.5) / 24, 1e-12);
  ASSERT_EQ(j["x"].size(), 7u);
  EXPECT_EQ(j["x"][0].get<double>(), -1.0);
  EXPECT_EQ(j["x"][6].get<double>(), 2.0);
  EXPECT_NEAR(j["f"][6].get<double>(), std::exp(2.0), 1e-12);
  EXPECT_LT(j["max_error"]["4"].get<double>(), j["max_error"]["2"].get<double>());
  ASSERT_EQ(j["polynomials"]["2"].size(), 7u);
}

TEST(CliTaylor, BadInputIsAClearErrorWithNonZeroExit) {
  auto r = run_cli("taylor --function sinh", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("unknown function 'sinh'"));
  EXPECT_THAT(r.out, HasSubstr("sigmoid"));
  r = run_cli("taylor --degrees 1,x", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--degrees"));
  r = run_cli("taylor --degrees 1.5", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--degrees"));
  r = run_cli("taylor --range=3,1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("range"));
  r = run_cli("taylor --range=1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--range"));
  r = run_cli("taylor --function log1p --range=-2,1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("domain"));
}

}  // namespace
