// `descent race` end to end: runs the built binary (DESCENT_CLI_PATH) and reads its output.
#include <gtest/gtest.h>

#include "cli_test_util.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

using descent::cli_test::lines;
using descent::cli_test::Result;
using descent::cli_test::run_cli;

TEST(CliRace, CsvHasOneRowPerStepStartingAtTheStart) {
  const Result r = run_cli(
      "race --function booth --optimizer sgd:lr=0.01 --optimizer "
      "'sgd:lr=0.001,momentum=0.9,nesterov=true' --steps 5 --start=-8,8");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 1u + 2u * 6u);
  EXPECT_EQ(rows[0], "optimizer,step,x,y,loss");
  // Step 0 is the start: booth(-8, 8) = (−8 + 16 − 7)² + (−16 + 8 − 5)² = 1 + 169.
  EXPECT_EQ(rows[1], "sgd:lr=0.01,0,-8,8,170");
  // One plain SGD step: ∇ = (2·1 + 4·(−13), 4·1 + 2·(−13)) = (−50, −22).
  EXPECT_EQ(rows[2].substr(0, rows[2].find(",", rows[2].find(",") + 1)), "sgd:lr=0.01,1");
  EXPECT_NE(rows[2].find(",-7.5,8.22,"), std::string::npos) << rows[2];
  EXPECT_EQ(rows[7].rfind("\"sgd:", 0), 0u) << rows[7];  // spec with commas is quoted
}

TEST(CliRace, JsonHasEveryRun) {
  const Result r = run_cli(
      "race --function rosenbrock --optimizer adam:lr=0.05 --optimizer "
      "'rmsprop:lr=0.005,alpha=0.9,centered=true,momentum=0.5' --steps 20 --format json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["function"], "rosenbrock");
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["x"].size(), 21u);
  EXPECT_DOUBLE_EQ(j["runs"][1]["loss"][0].get<double>(), 24.2);
  EXPECT_LT(j["runs"][0]["loss"][20].get<double>(), 24.2);
  EXPECT_EQ(j["runs"][0]["evals"][20].get<int64_t>(), 20);  // one gradient per step
}

TEST(CliRace, RunsClosureOptimizersAndCountsEvaluations) {
  const Result r = run_cli(
      "race --function rosenbrock --optimizer lbfgs:line_search_fn=strong_wolfe --optimizer "
      "'lookahead(sgd:lr=0.001,momentum=0.9):k=5,alpha=0.5' --optimizer "
      "newton --steps 30 --format json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 3u);
  EXPECT_EQ(j["runs"][1]["optimizer"], "lookahead(sgd:lr=0.001,momentum=0.9):k=5,alpha=0.5");
  // L-BFGS with a line search reaches the minimum (1, 1) of Rosenbrock within 30 steps,
  // spending several evaluations per step.
  EXPECT_NEAR(j["runs"][0]["x"][30].get<double>(), 1.0, 1e-4);
  EXPECT_GT(j["runs"][0]["evals"][1].get<int64_t>(), 1);
  // Newton's method gets there too (one evaluation per step).
  EXPECT_NEAR(j["runs"][2]["y"][30].get<double>(), 1.0, 1e-6);
  EXPECT_EQ(j["runs"][1]["evals"][30].get<int64_t>(), 30);
  EXPECT_EQ(j["runs"][2]["evals"][30].get<int64_t>(), 30);
}

TEST(CliRace, BadInputFailsWithAClearMessage) {
  Result r = run_cli("race --function booth --optimizer sgdd:lr=0.1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("sgdd"), std::string::npos) << r.out;
  r = run_cli("race --function booth --optimizer sgd:lr=0.1,momentun=0.9", true);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("momentun"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("momentum"), std::string::npos) << r.out;  // lists the valid keys
  r = run_cli("race --function booth --optimizer sgd:lr=abc", true);
  EXPECT_NE(r.status, 0);
  r = run_cli("race --function nope --optimizer sgd:lr=0.1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("himmelblau"), std::string::npos) << r.out;
  r = run_cli("race --function booth --optimizer sgd:lr=0.1 --start 1", true);
  EXPECT_NE(r.status, 0);
}

}  // namespace
