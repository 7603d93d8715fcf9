#pragma once
// The report of a run directory: report.html from its config, metrics and run summaries.
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

// Writes dir/report.html (atomically): the summary table (one row per run), one chart per
// metric overlaying every run, the training diagnostics (split "diag") as their own section
// when present (diagnostics_charts.h), and the config.
void write_run_report(const RunDir& dir, const nlohmann::ordered_json& config,
                      const std::vector<MetricRecord>& records,
                      const std::vector<std::pair<std::string, RunSummary>>& runs);

}  // namespace descent::app
