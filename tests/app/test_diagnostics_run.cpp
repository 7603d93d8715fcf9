// Diagnostics in a run directory: config validation, metrics.jsonl holding the diagnostics keys
// only when enabled, and the report's diagnostics charts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "app_test_util.h"
#include "descent/app/config.h"
#include "descent/app/diagnostics_charts.h"
#include "descent/app/run.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"
#include "exact_sharpness.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using testing::config_error_of;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(DiagnosticsConfig, OffByDefaultResolvedAndValidatedWithPaths) {
  const ExperimentConfig c = parse_config(json::object());
  EXPECT_EQ(c.diagnostics.every_steps, 0);
  EXPECT_EQ(c.diagnostics.sharpness.every_steps, 0);
  const ExperimentConfig d = parse_config(
      {{"diagnostics",
        {{"every_steps", 5},
         {"saturation", false},
         {"sharpness", {{"every_steps", 50}, {"iterations", 30}, {"samples", 128}}}}}});
  EXPECT_EQ(d.diagnostics.every_steps, 5);
  EXPECT_FALSE(d.diagnostics.saturation);
  EXPECT_TRUE(d.diagnostics.dead_relu);
  EXPECT_EQ(d.diagnostics.sharpness.iterations, 30);
  EXPECT_EQ(d.diagnostics.sharpness.samples, 128);
  const auto resolved = resolved_json(d);
  EXPECT_EQ(resolved["diagnostics"]["sharpness"]["every_steps"], 50);
  EXPECT_EQ(resolved_json(parse_config(json::parse(resolved.dump()))), resolved);

  EXPECT_THAT(config_error_of({{"diagnostics", {{"every", 5}}}}),
              HasSubstr("config: diagnostics.every: unknown key"));
  EXPECT_THAT(config_error_of({{"diagnostics", {{"every_steps", -1}}}}),
              HasSubstr("diagnostics.every_steps: must be at least 0"));
  EXPECT_THAT(config_error_of({{"diagnostics", {{"grad_norms", "yes"}}}}),
              HasSubstr("diagnostics.grad_norms:"));
  EXPECT_THAT(config_error_of({{"diagnostics", {{"sharpness", {{"iterations", 0}}}}}}),
              HasSubstr("diagnostics.sharpness.iterations: must be at least 1"));
  EXPECT_THAT(config_error_of({{"diagnostics", {{"sharpness", {{"sample", 10}}}}}}),
              HasSubstr("diagnostics.sharpness.sample: unknown key"));
  EXPECT_THAT(config_error_of({{"diagnostics", {{"sharpness", 10}}}}),
              HasSubstr("diagnostics.sharpness: expected an object"));
}

json small_run(const std::filesystem::path& runs, json diagnostics) {
  return {{"name", "diag"},
          {"runs_dir", runs.string()},
          {"data", {{"dataset", "spiral"}, {"samples", 30}, {"classes", 3}}},
          {"model", {{{"type", "linear"}, {"out", 6}}, "relu", "linear"}},
          {"optimizer", "adam:lr=0.01"},
          {"epochs", 2},
          {"batch_size", 24},
          {"diagnostics", diagnostics}};
}

std::set<std::string> diag_metrics(const std::vector<MetricRecord>& records) {
  std::set<std::string> out;
  for (const MetricRecord& r : records) {
    if (r.split == "diag") out.insert(r.metric);
  }
  return out;
}

TEST(DiagnosticsRun, MetricsAndReportHoldDiagnosticsOnlyWhenEnabled) {
  testing::ScratchDir scratch;
  const RunOptions quiet{.progress = "none", .sharpness_estimator = {}};
  const TrainResult off = train_experiment(parse_config(small_run(scratch.path(), {})), quiet);
  EXPECT_TRUE(diag_metrics(read_metrics_jsonl(off.dir.path / "metrics.jsonl")).empty());
  const std::string off_report = read_text_file(off.dir.report_path());
  EXPECT_THAT(off_report, Not(HasSubstr("Training diagnostics")));

  const RunOptions with_estimator{.progress = "none",
                                  .sharpness_estimator = testing::exact_lambda_max};
  const TrainResult on = train_experiment(
      parse_config(
          small_run(scratch.path(), {{"every_steps", 2}, {"sharpness", {{"every_steps", 3}}}})),
      with_estimator);
  const auto records = read_metrics_jsonl(on.dir.path / "metrics.jsonl");
  const std::set<std::string> keys = diag_metrics(records);
  for (const char* k :
       {"grad_norm:0.weight", "update_ratio:2.bias", "dead_relu:1", "adam_step_median:0.weight",
        "adam_step_max:2.weight", "sharpness", "edge_of_stability"}) {
    EXPECT_TRUE(keys.contains(k)) << k;
  }
  const std::string csv = read_text_file(on.dir.path / "metrics.csv");
  EXPECT_THAT(csv, HasSubstr(",diag,grad_norm:0.weight,"));
  const std::string report = read_text_file(on.dir.report_path());
  EXPECT_THAT(report, HasSubstr("Training diagnostics"));
  EXPECT_THAT(report, HasSubstr("sharpness λmax and the edge of stability 2/lr"));
  EXPECT_THAT(report, HasSubstr("gradient norm ‖∇θ L‖ per parameter"));
  EXPECT_THAT(report, HasSubstr("dead ReLU fraction per layer"));
  // The generic per-(split, metric) charts leave the diagnostics to their section.
  EXPECT_THAT(report, Not(HasSubstr("diag grad_norm:0.weight")));

  // Without an estimator, a config asking for sharpness is refused before a directory exists.
  const ExperimentConfig needs =
      parse_config(small_run(scratch.path() / "none", {{"sharpness", {{"every_steps", 3}}}}));
  EXPECT_THROW(train_experiment(needs, quiet), ValueError);
  EXPECT_FALSE(std::filesystem::exists(scratch.path() / "none"));
}

TEST(DiagnosticsCharts, OneChartPerQuantityOneSeriesPerLayerAndTheTwoOverLrLine) {
  std::vector<MetricRecord> records;
  for (int64_t step = 2; step <= 6; step += 2) {
    records.push_back({"a", step, 0, 0.1, "train_step", "loss", 1.0});
    records.push_back({"a", step, 0, 0.1, "diag", "grad_norm:0.weight", 0.5 * step});
    records.push_back({"a", step, 0, 0.1, "diag", "grad_norm:2.weight", 0.25 * step});
    records.push_back({"a", step, 0, 0.1, "diag", "sharpness", 3.0 + step});
    records.push_back({"a", step, 0, 0.1, "diag", "edge_of_stability", 20.0});
  }
  const std::vector<ChartSpec> charts = diagnostics_charts(records);
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_THAT(charts[0].title, HasSubstr("sharpness"));
  ASSERT_EQ(charts[0].series.size(), 2u);
  EXPECT_EQ(charts[0].series[0].label, "λmax");
  EXPECT_EQ(charts[0].series[1].label, "2/lr");
  EXPECT_EQ(charts[0].series[1].y, std::vector<double>({20.0, 20.0, 20.0}));
  ASSERT_EQ(charts[1].series.size(), 2u);
  EXPECT_EQ(charts[1].series[0].label, "0.weight");
  EXPECT_EQ(charts[1].series[1].x, std::vector<double>({2, 4, 6}));
  EXPECT_EQ(charts[1].series[1].y, std::vector<double>({0.5, 1.0, 1.5}));
  records.push_back({"b", 2, 0, 0.1, "diag", "sharpness", 1.0});
  EXPECT_EQ(diagnostics_charts(records)[0].series.back().label, "b · λmax");
  EXPECT_TRUE(diagnostics_charts({records[0]}).empty());
}

}  // namespace
}  // namespace descent::app
