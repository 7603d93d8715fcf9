// The configs in examples/: every one parses, and the lecture's pathologies, run for a few steps
// with `descent train`, record the numbers that show them (saturation, dead ReLUs, sharpness,
// the loss).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../app/app_test_util.h"
#include "cli_test_util.h"
#include "descent/app/config.h"
#include "descent/app/metrics_log.h"

namespace {

namespace fs = std::filesystem;
using descent::app::MetricRecord;
using descent::app::testing::ScratchDir;
using descent::cli_test::run_cli;

const fs::path kExamples = fs::path(DESCENT_TEST_DATA_DIR).parent_path().parent_path() / "examples";

bool have_fashion_mnist() {
  return fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

TEST(Examples, EveryConfigParsesAndHasItsOwnName) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kExamples)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  ASSERT_GE(files.size(), 8u) << kExamples;
  std::set<std::string> names;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    const descent::app::ExperimentConfig c = descent::app::load_config(f.string(), {});
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate name " << c.name;
  }
}

// Trains examples/<file> with overrides into `runs` and returns its metrics.
std::vector<MetricRecord> train_example(const std::string& file, const fs::path& runs,
                                        const std::string& sets) {
  const auto r = run_cli("train " + (kExamples / file).string() +
                             " --progress none --set runs_dir=" + runs.string() + " " + sets,
                         true);
  EXPECT_EQ(r.status, 0) << r.out;
  const descent::app::ExperimentConfig c =
      descent::app::load_config((kExamples / file).string(), {});
  return descent::app::read_metrics_jsonl(runs / c.name / "v0" / "metrics.jsonl");
}

// value of (split, metric) at each step it was logged.
std::map<int64_t, double> series(const std::vector<MetricRecord>& records, const std::string& split,
                                 const std::string& metric) {
  std::map<int64_t, double> out;
  for (const MetricRecord& r : records) {
    if (r.split == split && r.metric == metric) out[r.step] = r.value;
  }
  return out;
}

// Mean over the hidden layers of a diagnostic at its first recorded step.
double first_mean(const std::vector<MetricRecord>& records, const std::string& prefix) {
  int64_t first = -1;
  double sum = 0.0;
  int n = 0;
  for (const MetricRecord& r : records) {
    if (r.split != "diag" || !r.metric.starts_with(prefix)) continue;
    if (first < 0) first = r.step;
    if (r.step != first) continue;
    sum += r.value;
    ++n;
  }
  EXPECT_GT(n, 0) << prefix;
  return n == 0 ? -1.0 : sum / n;
}

TEST(Examples, PlateauSigmoidWithPoorInitSaturatesWhereReluWithHeLearns) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "Fashion-MNIST is not installed";
  ScratchDir scratch;
  const std::string sets = "--set epochs=30 --set diagnostics.sharpness.every_steps=30";
  const auto sigmoid = train_example("plateau_sigmoid_normal_init.json", scratch.path(), sets);
  const auto relu = train_example("plateau_relu_he.json", scratch.path(), sets);
  // Two sigmoid layers with N(0, 4²) weights: most outputs sit in the flat tails from step 10.
  const double saturated = first_mean(sigmoid, "saturation:");
  EXPECT_GT(saturated, 0.7);
  // ReLU with He initialization: hardly any unit is dead, no saturation to speak of.
  const double dead = first_mean(relu, "dead_relu:");
  EXPECT_LT(dead, 0.1);
  EXPECT_GT(saturated, dead + 0.5);
  // And the loss shows it: after 30 steps the ReLU net is far below the sigmoid one.
  const auto sig_loss = series(sigmoid, "train", "loss");
  const auto relu_loss = series(relu, "train", "loss");
  ASSERT_FALSE(sig_loss.empty());
  ASSERT_FALSE(relu_loss.empty());
  EXPECT_GT(sig_loss.rbegin()->second, 4.0 * relu_loss.rbegin()->second);
  EXPECT_LT(relu_loss.rbegin()->second, 0.8);
  // Sharpness was measured for both, with its 2/lr line.
  EXPECT_EQ(series(sigmoid, "diag", "sharpness").size(), 1u);
  const auto edge = series(relu, "diag", "edge_of_stability");
  ASSERT_EQ(edge.size(), 1u);
  EXPECT_DOUBLE_EQ(edge.begin()->second, 2.0 / 0.1);
}

TEST(Examples, CurvatureRawInputsCrawlWhereStandardizedAndBatchNormConverge) {
  ScratchDir scratch;
  const std::string sets = "--set epochs=40";
  const auto raw = train_example("curvature_scaling.json", scratch.path(), sets);
  const auto standardized =
      train_example("curvature_scaling_standardized.json", scratch.path(), sets);
  const auto batchnorm = train_example("curvature_scaling_batchnorm.json", scratch.path(), sets);
  // Progress after 40 full-batch steps: loss at the end over loss at the first step.
  auto progress = [](const std::vector<MetricRecord>& records) {
    const auto loss = series(records, "train", "loss");
    EXPECT_GE(loss.size(), 40u);
    return loss.rbegin()->second / loss.begin()->second;
  };
  const double p_raw = progress(raw), p_std = progress(standardized), p_bn = progress(batchnorm);
  EXPECT_LT(p_std, 1e-10);
  EXPECT_LT(p_bn, 1e-10);
  EXPECT_GT(p_raw, 1e6 * std::max(p_std, p_bn));
  // The raw run crawls: once the steep direction is solved, the flat one contracts the loss by
  // only (1 − lr·λmin)² ≈ 0.999 a step, so the last ten steps gain almost nothing.
  const auto raw_loss = series(raw, "train", "loss");
  EXPECT_GT(raw_loss.at(40) / raw_loss.at(30), 0.9);
  // The cause, measured: λmax of the raw problem is ~100 times that of the standardized one, so
  // its step must be ~100 times smaller; both configs sit below their 2/lr bound.
  const auto s_raw = series(raw, "diag", "sharpness");
  const auto s_std = series(standardized, "diag", "sharpness");
  ASSERT_FALSE(s_raw.empty());
  ASSERT_FALSE(s_std.empty());
  EXPECT_GT(s_raw.rbegin()->second, 50.0 * s_std.rbegin()->second);
  EXPECT_LT(s_raw.rbegin()->second, 2.0 / 0.006);
  EXPECT_LT(s_std.rbegin()->second, 2.0 / 0.5);
}

}  // namespace
