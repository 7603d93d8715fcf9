// write_run_report: a run directory's report.html.
#include "descent/app/run_report.h"

#include <cmath>

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
  data.metrics = records;
  for (const auto& [label, s] : runs) {
    if (s.status != RunStatus::Completed && !s.message.empty()) {
      data.sections.push_back(
          {.title = label, .html = "<p>" + html_escape(s.message) + "</p>", .charts = {}});
    }
  }
  write_report(dir.report_path(), data);
}

}  // namespace descent::app
