// write_run_report: a run directory's report.html.
#include "descent/app/run_report.h"

#include <cmath>

#include "descent/app/diagnostics_charts.h"
#include "descent/app/report.h"
#include "descent/app/summary_table.h"

namespace descent::app {

SummaryTable run_summary_table(const std::vector<std::pair<std::string, RunSummary>>& runs) {
  SummaryTable table;
  table.columns = {"run",       "status",   "epochs",  "train loss",
                   "test loss", "test acc", "s/epoch", "total s"};
  auto metric = [](const RunSummary& s, const char* key) -> TableCell {
    auto it = s.final_metrics.find(key);
    if (it == s.final_metrics.end()) return std::string("-");
    return it->second;
  };
  for (const auto& [label, s] : runs) {
    const char* status = s.status == RunStatus::Completed      ? "done"
                         : s.status == RunStatus::EarlyStopped ? "stopped early"
                                                               : "diverged";
    TableCell accuracy = metric(s, "test.accuracy");
    if (const double* a = std::get_if<double>(&accuracy)) accuracy = *a * 100.0;
    table.rows.push_back({label, std::string(status), s.epochs, metric(s, "train.loss"),
                          metric(s, "test.loss"), accuracy, s.seconds_per_epoch, s.seconds});
  }
  return table;
}

void write_run_report(const RunDir& dir, const nlohmann::ordered_json& config,
                      const std::vector<MetricRecord>& records,
                      const std::vector<std::pair<std::string, RunSummary>>& runs) {
  ReportData data;
  data.title = dir.name + " / " + dir.version;
  data.config = config;
  data.summary = run_summary_table(runs);
  // The diagnostics get their own section, one chart per quantity with a series per layer,
  // instead of one generic chart per (split, metric).
  std::vector<MetricRecord> diag;
  for (const MetricRecord& r : records) {
    (r.split == kDiagnosticsSplit ? diag : data.metrics).push_back(r);
  }
  for (const auto& [label, s] : runs) {
    if (s.status != RunStatus::Completed && !s.message.empty()) {
      data.sections.push_back(
          {.title = label, .html = "<p>" + html_escape(s.message) + "</p>", .charts = {}});
    }
  }
  if (!diag.empty()) {
    data.sections.push_back(
        {.title = "Training diagnostics",
         .html = "<p class=\"note\">Recorded every diagnostics.every_steps steps (see "
                 "docs/diagnostics.md). Sharpness above the 2/lr line means the step is beyond "
                 "the stability bound of gradient descent.</p>",
         .charts = diagnostics_charts(diag)});
  }
  write_report(dir.report_path(), data);
}

}  // namespace descent::app
