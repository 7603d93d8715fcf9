// `descent train` with "dtype": "float64": the data is converted once when prepared, the run
// trains end to end, and its losses match those of the same run in float32.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "../app/app_test_util.h"
#include "cli_test_util.h"
#include "descent/app/metrics_log.h"

namespace {

namespace fs = std::filesystem;
using descent::app::testing::ScratchDir;
using descent::cli_test::run_cli;

// A small regression (linear data, MSE) and classification (spiral, cross-entropy) experiment
// in the given dtype; no dropout, so both dtypes see the same random numbers.
std::string write_config(const fs::path& dir, const std::string& name, const std::string& dtype,
                         const std::string& body) {
  const fs::path path = dir / (name + "_" + dtype + ".json");
  std::ofstream(path) << R"({"name": ")" << name << "_" << dtype << R"(", "runs_dir": ")"
                      << (dir / "runs").string() << R"(", "dtype": ")" << dtype << R"(", )" << body
                      << "}";
  return path.string();
}

// (split, step) -> loss of a finished run.
std::map<std::pair<std::string, int64_t>, double> losses(const fs::path& run) {
  std::map<std::pair<std::string, int64_t>, double> out;
  for (const auto& r : descent::app::read_metrics_jsonl(run / "metrics.jsonl")) {
    if (r.metric == "loss") out[{r.split, r.step}] = r.value;
  }
  return out;
}

void expect_float64_matches_float32(const std::string& name, const std::string& body) {
  ScratchDir scratch;
  for (const char* dtype : {"float32", "float64"}) {
    const auto r = run_cli(
        "train " + write_config(scratch.path(), name, dtype, body) + " --progress none", true);
    ASSERT_EQ(r.status, 0) << dtype << ": " << r.out;
  }
  const auto single = losses(scratch.path() / "runs" / (name + "_float32") / "v0");
  const auto dbl = losses(scratch.path() / "runs" / (name + "_float64") / "v0");
  ASSERT_FALSE(single.empty());
  ASSERT_EQ(single.size(), dbl.size());
  for (const auto& [key, loss32] : single) {
    ASSERT_TRUE(dbl.contains(key)) << key.first << " step " << key.second;
    const double loss64 = dbl.at(key);
    EXPECT_TRUE(std::isfinite(loss64));
    EXPECT_NEAR(loss64, loss32, 1e-4 * std::max(1.0, std::abs(loss32)))
        << key.first << " loss at step " << key.second;
  }
}

TEST(CliTrainFloat64, RegressionRunMatchesFloat32) {
  expect_float64_matches_float32(
      "linreg", R"("data": {"dataset": "linear-regression", "samples": 200, "features": 3},
        "model": ["linear"], "loss": "mse", "optimizer": "sgd:lr=0.05", "epochs": 3,
        "batch_size": 20, "seed": 5)");
}

TEST(CliTrainFloat64, ClassificationRunMatchesFloat32) {
  expect_float64_matches_float32("spiral",
                                 R"("data": {"dataset": "spiral", "samples": 60, "classes": 3},
        "model": [{"type": "linear", "out": 16}, "tanh", "linear"],
        "optimizer": "sgd:lr=0.1,momentum=0.9", "epochs": 3, "batch_size": 16, "seed": 3)");
}

}  // namespace
