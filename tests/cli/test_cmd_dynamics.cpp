// `descent dynamics` end to end: runs the built binary (DESCENT_CLI_PATH) and reads its output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_test_util.h"

namespace {

using descent::cli_test::Result;
using descent::cli_test::run_cli_merged;
using descent::cli_test::temp_file;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(CliDynamics, TextReportsRegimesBoundsAndDeviation) {
  const Result r = run_cli_merged("dynamics --eigenvalues 1,10,100 --lr 0.015");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "monotone decay")) << r.out;
  EXPECT_TRUE(contains(r.out, "oscillating decay")) << r.out;  // αλ = 1.5
  EXPECT_TRUE(contains(r.out, "2/lambda_max = 0.02")) << r.out;
  EXPECT_TRUE(contains(r.out, "optimal GD step 2/(lambda_min + lambda_max) = 0.019802")) << r.out;
  const size_t at = r.out.find("(relative): ");
  ASSERT_NE(at, std::string::npos) << r.out;
  EXPECT_LE(std::stod(r.out.substr(at + 12)), 1e-12) << r.out;
}

TEST(CliDynamics, JsonWithMomentum) {
  for (const std::string flags : {"--momentum 0.9", "--momentum 0.9 --nesterov"}) {
    const Result r = run_cli_merged("dynamics --eigenvalues 1,10,100 --lr 0.015 --steps 200 " +
                                    flags + " --start=1,-2,3 --json");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["steps"], 200);
    ASSERT_EQ(j["directions"].size(), 3u);
    EXPECT_EQ(j["directions"][2]["lr_lambda"].get<double>(), 1.5);
    EXPECT_LE(j["max_deviation"].get<double>(), 1e-12);
    EXPECT_NEAR(j["bounds"]["optimal_momentum"].get<double>(), 81.0 / 121.0, 1e-15);
    EXPECT_DOUBLE_EQ(j["directions"][1]["x0"].get<double>(), -2.0);
    for (const auto& d : j["directions"]) {
      // Nesterov diverges here (αλ = 1.5 > 2(1 + μ)/(1 + 2μ)): compare relatively.
      const double closed = d["closed_form_final"].get<double>();
      const double iterated = d["iterated_final"].get<double>();
      EXPECT_LE(std::abs(closed - iterated), 1e-12 * std::max(1.0, std::abs(iterated)));
    }
    // Heavy ball: every direction is a complex pair of modulus √0.9.
    if (flags == "--momentum 0.9") {
      EXPECT_NEAR(j["directions"][0]["spectral_radius"].get<double>(), std::sqrt(0.9), 1e-12);
    } else {
      EXPECT_EQ(j["directions"][2]["regime"], "divergence");
    }
  }
}

TEST(CliDynamics, MatrixAndDesignFiles) {
  const std::string m = temp_file("m.csv", "2,1,0\n1,2,1\n0,1,2\n");
  Result r = run_cli_merged("dynamics --matrix " + m + " --lr 0.3 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["directions"][0]["lambda"].get<double>(), 2 - std::sqrt(2.0), 1e-14);
  EXPECT_LE(j["max_deviation"].get<double>(), 1e-12);
  const std::string x = temp_file("x.csv", "1,2\n3,4\n5,6\n");
  r = run_cli_merged("dynamics --design " + x + " --lr 0.01 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["directions"][1]["lambda"].get<double>(), (91 + std::sqrt(8185.0)) / 2, 1e-12);
  std::filesystem::remove(m);
  std::filesystem::remove(x);
}

TEST(CliDynamics, BadInputIsAClearError) {
  const std::string asym = temp_file("asym.csv", "1,2\n3,1\n");
  const std::string ragged = temp_file("ragged.csv", "1,2\n3\n");
  const std::string wide = temp_file("wide.csv", "1,2,3\n4,5,6\n");
  const std::pair<std::string, std::string> cases[] = {
      {"dynamics --eigenvalues 1,10 --lr 0", "lr must be a finite number > 0"},
      {"dynamics --eigenvalues 1,10 --lr -1", "lr must be"},
      {"dynamics --eigenvalues 1,x --lr 0.1", "--eigenvalues: item 2 is not a finite number"},
      {"dynamics --eigenvalues 1,10 --lr 0.1 --start 1,2,3", "start has 3 values"},
      {"dynamics --eigenvalues 1,10 --lr 0.1 --nesterov", "Nesterov momentum requires"},
      {"dynamics --lr 0.1", "give one of --eigenvalues, --matrix or --design"},
      {"dynamics --matrix " + asym + " --lr 0.1", "not symmetric"},
      {"dynamics --matrix " + ragged + " --lr 0.1", ragged + ":2: row has 1 fields"},
      {"dynamics --matrix " + wide + " --lr 0.1", "matrix must be square, got 2x3"},
      {"dynamics --design /nonexistent/x.csv --lr 0.1", "/nonexistent/x.csv: cannot open"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = run_cli_merged(args);
    EXPECT_EQ(r.status, 1) << args << "\n" << r.out;
    EXPECT_TRUE(contains(r.out, message)) << args << "\n" << r.out;
  }
  EXPECT_NE(run_cli_merged("dynamics --eigenvalues 1 --matrix " + asym + " --lr 0.1").status, 0);
  for (const auto& p : {asym, ragged, wide}) std::filesystem::remove(p);
}

}  // namespace
