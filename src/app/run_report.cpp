// write_run_report: a run directory's report.html.
#include "descent/app/run_report.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "descent/app/diagnostics_charts.h"
#include "descent/app/json_text.h"
#include "descent/app/landscape_report.h"
#include "descent/app/report.h"
#include "descent/app/summary_table.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using ordered_json = nlohmann::ordered_json;

const char* status_name(RunStatus status) {
  return status == RunStatus::Completed      ? "done"
         : status == RunStatus::EarlyStopped ? "stopped early"
                                             : "diverged";
}

ordered_json number_or_null(double v) {
  return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr);
}

double number_from(const nlohmann::json& v, const std::string& where) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) throw ValueError(where + ": expected a number or null");
  return v.get<double>();
}

RunSummary summary_from_json(const nlohmann::json& e, const std::string& where) {
  if (!e.is_object()) throw ValueError(where + ": expected an object");
  auto need = [&](const char* key) -> const nlohmann::json& {
    if (!e.contains(key)) throw ValueError(fmt::format("{}: missing key \"{}\"", where, key));
    return e[key];
  };
  RunSummary s;
  const nlohmann::json& status = need("status");
  if (status == "done") {
    s.status = RunStatus::Completed;
  } else if (status == "stopped early") {
    s.status = RunStatus::EarlyStopped;
  } else if (status == "diverged") {
    s.status = RunStatus::Diverged;
  } else {
    throw ValueError(where + ".status: must be \"done\", \"stopped early\" or \"diverged\"");
  }
  const nlohmann::json& message = need("message");
  if (!message.is_string()) throw ValueError(where + ".message: expected a string");
  s.message = message;
  for (const char* key : {"steps", "epochs"}) {
    if (!need(key).is_number_integer())
      throw ValueError(where + "." + key + ": expected an integer");
  }
  s.steps = e["steps"];
  s.epochs = e["epochs"];
  s.seconds = number_from(need("seconds"), where + ".seconds");
  s.seconds_per_epoch = number_from(need("seconds_per_epoch"), where + ".seconds_per_epoch");
  const nlohmann::json& metrics = need("final_metrics");
  if (!metrics.is_object()) throw ValueError(where + ".final_metrics: expected an object");
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    s.final_metrics[it.key()] = number_from(it.value(), where + ".final_metrics." + it.key());
  }
  return s;
}

}  // namespace

ordered_json run_summaries_json(const std::vector<std::pair<std::string, RunSummary>>& runs) {
  ordered_json out = ordered_json::array();
  for (const auto& [label, s] : runs) {
    ordered_json metrics = ordered_json::object();
    for (const auto& [key, value] : s.final_metrics) metrics[key] = number_or_null(value);
    out.push_back({{"run", label},
                   {"status", status_name(s.status)},
                   {"message", s.message},
                   {"steps", s.steps},
                   {"epochs", s.epochs},
                   {"seconds", number_or_null(s.seconds)},
                   {"seconds_per_epoch", number_or_null(s.seconds_per_epoch)},
                   {"final_metrics", std::move(metrics)}});
  }
  return out;
}

std::vector<std::pair<std::string, RunSummary>> run_summaries_from_json(
    const nlohmann::json& document, const std::string& where) {
  if (!document.is_array()) throw ValueError(where + ": expected an array of run summaries");
  std::vector<std::pair<std::string, RunSummary>> runs;
  for (size_t i = 0; i < document.size(); ++i) {
    const std::string at = fmt::format("{}[{}]", where, i);
    const nlohmann::json& e = document[i];
    if (!e.is_object() || !e.contains("run") || !e["run"].is_string()) {
      throw ValueError(at + ".run: expected a string");
    }
    runs.emplace_back(e["run"].get<std::string>(), summary_from_json(e, at));
  }
  return runs;
}

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
    const char* status = status_name(s.status);
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
  if (!runs.empty()) data.summary = run_summary_table(runs);
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
  for (ReportSection& s : run_landscape_sections(dir.path)) data.sections.push_back(std::move(s));
  write_text_file_atomic(dir.path / kSummaryFileName, run_summaries_json(runs).dump(2) + "\n");
  write_report(dir.report_path(), data);
}

void rerender_run_report(const std::filesystem::path& run_dir) {
  const std::filesystem::path path = std::filesystem::absolute(run_dir).lexically_normal();
  const RunDir dir{.path = path,
                   .name = path.parent_path().filename().string(),
                   .version = path.filename().string()};
  const nlohmann::ordered_json config = dir.read_config();
  const std::vector<MetricRecord> records = read_metrics_jsonl(path / kMetricsJsonlName);
  std::vector<std::pair<std::string, RunSummary>> runs;
  const std::filesystem::path summary = path / kSummaryFileName;
  if (std::filesystem::exists(summary)) {
    const std::string text = read_text_file(summary);
    nlohmann::json doc;
    try {
      doc = parse_json_text<nlohmann::json>(text);
    } catch (const JsonTextError& e) {
      throw ValueError(fmt::format("{}: invalid JSON: {}", summary.string(), e.what()));
    }
    runs = run_summaries_from_json(doc, summary.string());
  }
  write_run_report(dir, config, records, runs);
}

}  // namespace descent::app
