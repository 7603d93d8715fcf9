#pragma once
// The report of a run directory: report.html from its config, metrics, run summaries and the
// landscapes in its analysis/ folder. Everything the report shows is kept in the directory
// (config.json, metrics.jsonl, summary.json, analysis/), so it can be rendered again later.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "descent/app/metrics_log.h"
#include "descent/app/run_dir.h"
#include "descent/app/summary_table.h"
#include "descent/app/trainer.h"

namespace descent::app {

// One row per run: label, status, epochs, final train loss, test loss, test accuracy (%),
// seconds per epoch (training only) and in total. Printed by `descent compare`, shown in reports.
SummaryTable run_summary_table(const std::vector<std::pair<std::string, RunSummary>>& runs);

// The run summaries, kept as summary.json so a report can be rendered again:
//   [{"run", "status": "done"|"stopped early"|"diverged", "message", "steps", "epochs",
//     "seconds", "seconds_per_epoch", "final_metrics": {"test.loss": ..., ...}}, ...]
// with null for a non-finite number. run_summaries_from_json is the inverse (ValueError naming
// `where` and the entry for anything else).
inline constexpr std::string_view kSummaryFileName = "summary.json";
nlohmann::ordered_json run_summaries_json(
    const std::vector<std::pair<std::string, RunSummary>>& runs);
std::vector<std::pair<std::string, RunSummary>> run_summaries_from_json(
    const nlohmann::json& document, const std::string& where);

// Writes dir/summary.json and dir/report.html (each atomically): the summary table (one row per
// run), one chart per metric overlaying every run, the training diagnostics (split "diag") as
// their own section when present (diagnostics_charts.h), every loss landscape found under
// dir/analysis/ (landscape_report.h), and the config.
void write_run_report(const RunDir& dir, const nlohmann::ordered_json& config,
                      const std::vector<MetricRecord>& records,
                      const std::vector<std::pair<std::string, RunSummary>>& runs);

// Renders report.html of an existing run directory again from its own files: config.json,
// metrics.jsonl, summary.json (absent in directories written before it existed: the summary
// table is then left out) and analysis/. `descent landscape` calls it after writing into a run's
// analysis/ folder. IOError / ValueError naming the file that is missing or malformed.
void rerender_run_report(const std::filesystem::path& run_dir);

}  // namespace descent::app
