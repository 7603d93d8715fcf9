// The HTML run report (see report.h).
#include "descent/app/report.h"

#include <fmt/core.h>

#include <cmath>
#include <set>

#include "descent/app/text_file.h"
#include "report_assets.h"

namespace descent::app {
namespace {

using ordered_json = nlohmann::ordered_json;

// Tableau 10: distinct hues that stay apart on white and for common color vision deficiencies.
constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr size_t kPaletteSize = std::size(kPalette);

// JSON text with invalid UTF-8 replaced (names come from user files).
std::string dump_json(const ordered_json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// JSON for a <script> element: '<' occurs in JSON only inside strings, where \u003c is the same
// character to JSON.parse, and without any '<' the text can neither close the element
// (</script>) nor enter the parser's escaped states (<!--).
std::string json_for_script(const ordered_json& j) {
  const std::string text = dump_json(j);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

ordered_json chart_json(const ChartSpec& spec) {
  ordered_json series = ordered_json::array();
  for (ChartSeries s : spec.series) {
    normalize_series(s);
    ordered_json y = ordered_json::array();
    for (double v : s.y) y.push_back(std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr));
    series.push_back({{"label", s.label}, {"x", s.x}, {"y", std::move(y)}});
  }
  return {{"title", spec.title},
          {"x_label", spec.x_label},
          {"y_label", spec.y_label},
          {"log_y", spec.log_y},
          {"series", std::move(series)}};
}

// Collects the charts of the page in order: a chart's index in the data JSON is its position.
class ChartList {
 public:
  // The HTML of one chart card; its spec goes to the data JSON.
  std::string add(const ChartSpec& spec) {
    const size_t index = charts_.size();
    charts_.push_back(chart_json(spec));
    return fmt::format(
        "<figure class=\"chart-card\"><figcaption><h3>{}</h3><label class=\"log\"><input "
        "type=\"checkbox\" class=\"log-toggle\"> log scale</label></figcaption>"
        "<div class=\"chart\" data-chart=\"{}\"></div></figure>\n",
        html_escape(spec.title), index);
  }
  std::string grid(const std::vector<ChartSpec>& specs) {
    std::string html = "<div class=\"grid\">\n";
    for (const ChartSpec& spec : specs) html += add(spec);
    return html + "</div>\n";
  }
  ordered_json take() { return std::move(charts_); }

 private:
  ordered_json charts_ = ordered_json::array();
};

std::string header_html(const ReportData& data, const std::vector<std::string>& runs) {
  std::string html = fmt::format("<header>\n<h1>{}</h1>\n", html_escape(data.title));
  html += fmt::format(
      "<p class=\"meta\">descent report · {} run{} · {} metric records · "
      "charts by uPlot {}</p>\n",
      runs.size(), runs.size() == 1 ? "" : "s", data.metrics.size(),
      html_escape(detail::uplot_version()));
  if (!runs.empty()) {
    html += "<ul class=\"runs\">\n";
    for (size_t i = 0; i < runs.size(); ++i) {
      html += fmt::format("<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>\n",
                          kPalette[i % kPaletteSize], html_escape(runs[i]));
    }
    html += "</ul>\n";
  }
  return html + "</header>\n";
}

std::string summary_html(const SummaryTable& table) {
  validate_table(table);
  std::string html =
      "<section>\n<h2>Summary</h2>\n<div class=\"card table-wrap\"><table class=\"summary\">\n"
      "<thead><tr>";
  for (const std::string& c : table.columns) html += "<th>" + html_escape(c) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    html += "<tr>";
    for (const TableCell& cell : row) {
      const bool number = !std::holds_alternative<std::string>(cell);
      html += fmt::format("<td{}>{}</td>", number ? " class=\"num\"" : "",
                          html_escape(format_cell(cell)));
    }
    html += "</tr>\n";
  }
  return html + "</tbody>\n</table></div>\n</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<std::string> report_runs(const ReportData& data) {
  std::vector<std::string> runs;
  std::set<std::string> seen;
  for (const MetricRecord& r : data.metrics) {
    if (seen.insert(r.run).second) runs.push_back(r.run);
  }
  return runs;
}

std::string render_report_html(const ReportData& data) {
  const std::vector<std::string> runs = report_runs(data);
  ChartList charts;

  std::string body = header_html(data, runs);
  body += "<main>\n";
  if (!data.summary.empty()) body += summary_html(data.summary);
  if (data.metrics_section) {
    body += "<section>\n<h2>Metrics</h2>\n";
    if (data.metrics.empty()) {
      body += "<p class=\"note\">No metrics were recorded.</p>\n";
    } else {
      body += charts.grid(metric_charts(data.metrics, data.chart_options));
    }
    body += "</section>\n";
  }
  for (const ReportSection& section : data.sections) {
    body += fmt::format("<section>\n<h2>{}</h2>\n{}\n", html_escape(section.title), section.html);
    if (!section.charts.empty()) body += charts.grid(section.charts);
    body += "</section>\n";
  }
  if (!data.config.is_null()) {
    body += fmt::format(
        "<section>\n<details class=\"config card\"><summary>Resolved configuration</summary>"
        "<pre>{}</pre></details>\n</section>\n",
        html_escape(dump_json(data.config, 2)));
  }
  body += "</main>\n";

  ordered_json payload = {{"title", data.title},
                          {"runs", runs},
                          {"palette", std::vector<std::string>(kPalette, kPalette + kPaletteSize)},
                          {"charts", charts.take()}};

  std::string page;
  page.reserve(detail::uplot_js().size() + body.size() + 16384);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"descent\">\n";
  page += fmt::format("<title>{}</title>\n", html_escape(data.title));
  page += "<style>\n";
  page += detail::uplot_css();
  page += "\n</style>\n<style>\n";
  page += detail::report_css();
  page += "\n</style>\n</head>\n<body>\n";
  page += body;
  page += "<script type=\"application/json\" id=\"report-data\">";
  page += json_for_script(payload);
  page += "</script>\n<script>\n";
  page += detail::uplot_js();
  page += "\n</script>\n<script>\n";
  page += detail::report_js();
  page += "\n";
  page += detail::heatmap_js();  // same element: the page keeps its three script tags
  page += "\n</script>\n</body>\n</html>\n";
  return page;
}

void write_report(const std::filesystem::path& path, const ReportData& data) {
  write_text_file_atomic(path, render_report_html(data));
}

}  // namespace descent::app
