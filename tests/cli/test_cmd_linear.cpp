// `descent linear` end to end: runs the built binary (DESCENT_CLI_PATH) and reads its output.
#include <gtest/gtest.h>

#include "cli_test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using descent::cli_test::Result;
using descent::cli_test::run_cli_merged;
using descent::cli_test::temp_file;

double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

TEST(CliLinear, JsonReproducesTheLecture) {
  const Result r = run_cli_merged("linear --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("rows").size(), 9u);
  const nlohmann::json& row0 = j.at("rows")[0];
  EXPECT_EQ(row0.at("x"), nlohmann::json({0.5, 0.4}));
  EXPECT_EQ(row0.at("y"), 0);
  EXPECT_EQ(round2(row0.at("scores")[0].get<double>()), 1.30);
  EXPECT_EQ(round2(row0.at("scores")[1].get<double>()), -0.10);
  EXPECT_EQ(round2(row0.at("scores")[2].get<double>()), 0.60);
  EXPECT_EQ(round2(row0.at("loss").get<double>()), 0.30);
  EXPECT_EQ(round2(j.at("rows")[4].at("loss").get<double>()), 6.80);
  EXPECT_EQ(round2(j.at("data_loss").get<double>()), 2.77);
  EXPECT_EQ(round2(j.at("reg_loss").get<double>()), 3.50);
  EXPECT_EQ(round2(j.at("total_loss").get<double>()), 6.27);
  EXPECT_EQ(j.at("grad").at("W").size(), 3u);
  EXPECT_EQ(round2(j.at("grad").at("W")[1][1].get<double>()), -1.18);
  EXPECT_EQ(round2(j.at("grad").at("b")[0].get<double>()), 0.11);
  EXPECT_TRUE(j.at("history").empty());
}

TEST(CliLinear, StepsFillTheHistory) {
  const Result r = run_cli_merged("linear --json --steps 3 --lr 0.05 --loss softmax --reg 0.01");
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("history").size(), 3u);
  EXPECT_LT(j.at("history")[2].get<double>(), j.at("history")[0].get<double>());
  EXPECT_EQ(j.at("history")[2].get<double>(), j.at("total_loss").get<double>());
  EXPECT_EQ(j.at("loss_function"), "softmax");
}

TEST(CliLinear, TablePrintsTheSlidesNumbers) {
  const Result r = run_cli_merged("linear");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* s : {"1.30", "-2.90", "6.80", "4.70", "2.77", "3.50", "6.27", "W[1,1]"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " missing from:\n" << r.out;
  const Result steps = run_cli_merged("linear --steps 2");
  ASSERT_EQ(steps.status, 0) << steps.out;
  EXPECT_NE(steps.out.find("After 2 gradient steps"), std::string::npos) << steps.out;
}

TEST(CliLinear, ReadsPointsFiles) {
  const std::string path = temp_file("ok.csv", "x0,x1,y\n0.5,0.4,0\n-0.4,0.3,1\n");
  const Result r = run_cli_merged("linear --json --points '" + path + "'");
  std::filesystem::remove(path);
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.at("rows").size(), 2u);
  EXPECT_EQ(round2(j.at("rows")[1].at("loss").get<double>()), 3.20);
}

TEST(CliLinear, MalformedPointsFilesAreClearErrors) {
  const struct {
    const char* name;
    const char* text;
    const char* expect;
  } cases[] = {
      {"ragged.csv", "x0,x1,y\n1,2,0\n1,2\n", ":3: expected 3 fields"},
      {"text.csv", "1,2,0\n1,two,0\n", ":2: x1 'two' is not a finite number"},
      {"label.csv", "1,2,0.5\n", ":1: label '0.5'"},
      {"negative.csv", "1,2,0\n\n1,2,-2\n", ":3: label '-2'"},
      {"classes.csv", "1,2,0\n1,2,7\n", "point 2 (1, 2) has label 7"},
  };
  for (const auto& c : cases) {
    const std::string path = temp_file(c.name, c.text);
    const Result r = run_cli_merged("linear --points '" + path + "'");
    std::filesystem::remove(path);
    EXPECT_EQ(r.status, 1) << c.name << ": " << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.name << ": " << r.out;
  }
  const Result missing = run_cli_merged("linear --points /nonexistent/p.csv");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("/nonexistent/p.csv"), std::string::npos) << missing.out;
}

TEST(CliLinear, RejectsUnknownLossAndNegativeReg) {
  EXPECT_NE(run_cli_merged("linear --loss hinge").status, 0);
  EXPECT_NE(run_cli_merged("linear --reg -1").status, 0);
  EXPECT_NE(run_cli_merged("linear --lr 0").status, 0);
}

}  // namespace
