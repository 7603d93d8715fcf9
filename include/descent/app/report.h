#pragma once
// The HTML run report: one self-contained file (no network access needed, opens from file://)
// with a header naming the runs, a summary table, one chart per (split, metric) overlaying all
// runs, extra sections for other instruments, and the resolved config.
//
// The page inlines uPlot (MIT, from npm, embedded into the library at build time) and its own
// script and style (web/report/). The data travels as one JSON document in
// <script type="application/json" id="report-data">, in which every '<' is written as \u003c
// so no string can end the element early; every other string from configs and run names is
// HTML-escaped. docs/reports.md describes the page and its data.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "descent/app/chart.h"
#include "descent/app/metrics_log.h"
#include "descent/app/summary_table.h"

namespace descent::app {

// A block of the report after the metric charts, for instruments other than the metrics log
// (Hessian spectra, loss landscapes, ...): a title, an optional HTML fragment, then charts.
struct ReportSection {
  std::string title;  // escaped by the report
  // Inserted verbatim: the producer escapes any text it puts in (see html_escape). Must not
  // load external resources, so the page stays self-contained.
  std::string html;
  std::vector<ChartSpec> charts;
};

struct ReportData {
  std::string title;
  nlohmann::ordered_json config;      // the resolved config; null leaves the block out
  SummaryTable summary;               // empty columns leave the table out
  std::vector<MetricRecord> metrics;  // of one or several runs (MetricRecord::run)
  std::vector<ReportSection> sections;
  MetricChartOptions chart_options;
  bool metrics_section = true;  // false: no "Metrics" block (pages of other instruments)
};

// & < > " ' → entities; everything else (including UTF-8) unchanged.
std::string html_escape(std::string_view text);

// The run labels in order of first appearance in the metrics (the order of legend and colors).
std::vector<std::string> report_runs(const ReportData& data);

// The complete HTML page. ValueError for a malformed summary table or chart series.
std::string render_report_html(const ReportData& data);

// render_report_html, written atomically (temporary file + rename), so a reader never sees a
// half-written page; IOError naming the path on failure.
void write_report(const std::filesystem::path& path, const ReportData& data);

}  // namespace descent::app
