// The report section of a loss landscape (landscape_report.h) and its self-contained HTML page
// (landscape_job.h): the run report's page (report.h) with a line chart per metric for a 1-D
// interpolation, or a heatmap of the loss (drawn by web/report/heatmap.js) and its two central
// cuts for a 2-D slice.
#include <fmt/core.h>

#include <cmath>

#include "descent/app/landscape_job.h"
#include "descent/app/landscape_report.h"
#include "descent/app/report.h"

namespace descent::app {
namespace {

ChartSpec line_chart(const std::string& title, const std::string& x_label,
                     const std::vector<ChartSeries>& series, bool log_y) {
  return {.title = title, .x_label = x_label, .y_label = "", .log_y = log_y, .series = series};
}

// The values of row j (b fixed) or column i (a fixed) of a 2-D grid.
std::vector<double> row_of(const std::vector<double>& z, size_t na, size_t j) {
  return {z.begin() + static_cast<std::ptrdiff_t>(j * na),
          z.begin() + static_cast<std::ptrdiff_t>((j + 1) * na)};
}
std::vector<double> column_of(const std::vector<double>& z, size_t na, size_t nb, size_t i) {
  std::vector<double> out;
  for (size_t j = 0; j < nb; ++j) out.push_back(z[j * na + i]);
  return out;
}

// A heatmap element for heatmap.js: its data travels in an escaped attribute.
std::string heatmap_html(const LandscapeResult& r, const std::vector<double>& z,
                         const std::string& label, bool log) {
  nlohmann::ordered_json data = {{"x", r.slice.a},
                                 {"y", r.slice.b},
                                 {"label", label},
                                 {"x_label", "a (along d1)"},
                                 {"y_label", "b (along d2)"},
                                 {"log", log}};
  nlohmann::ordered_json zs = nlohmann::ordered_json::array();
  for (double v : z) zs.push_back(std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr);
  data["z"] = std::move(zs);
  return fmt::format(
      "<figure class=\"chart-card\"><figcaption><h3>{}</h3></figcaption>"
      "<div class=\"heatmap\" data-heatmap=\"{}\"></div></figure>\n",
      html_escape(label),
      html_escape(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
}

}  // namespace

ReportSection landscape_section(const LandscapeResult& r) {
  std::string about =
      fmt::format("<p class=\"note\">{} · {} split, first {} examples · eval mode</p>\n",
                  html_escape(r.checkpoint), html_escape(r.split), r.examples);
  ReportSection section;
  if (r.kind == "interpolation") {
    section.title = "Linear interpolation θ(α) = (1 − α) θA + α θB";
    about += fmt::format("<p class=\"note\">θA = {} (α = 0), θB = {} (α = 1)</p>\n",
                         html_escape(r.checkpoint), html_escape(r.to));
    section.charts.push_back(line_chart(
        "loss", "alpha", {{.label = "loss", .x = r.line.alpha, .y = r.line.loss}}, true));
    section.charts.push_back(
        line_chart("accuracy", "alpha",
                   {{.label = "accuracy", .x = r.line.alpha, .y = r.line.accuracy}}, false));
  } else {
    section.title = "L(θ0 + a d1 + b d2)";
    if (r.directions == "hessian") {
      about += fmt::format(
          "<p class=\"note\">d1, d2: the top two unit eigenvectors of the loss Hessian at θ0, "
          "λ1 = {:.6g}, λ2 = {:.6g} (Lanczos, seed {}); along each, L ≈ L0 + g·t + λ t²/2. "
          "θ0 is at the centre.</p>\n",
          r.eigenvalues.at(0), r.eigenvalues.at(1), r.seed);
    } else {
      about += fmt::format(
          "<p class=\"note\">Random filter-normalized directions d1, d2 (seed {}); biases and "
          "BatchNorm parameters stay fixed. θ0 is at the centre.</p>\n",
          r.seed);
    }
    const size_t na = r.slice.a.size(), nb = r.slice.b.size();
    about += "<div class=\"grid\">\n" + heatmap_html(r, r.slice.loss, "loss", true) +
             heatmap_html(r, r.slice.accuracy, "accuracy", false) + "</div>\n";
    section.charts.push_back(line_chart(
        "loss along d1 (b = 0) and d2 (a = 0)", "coordinate",
        {{.label = "along d1", .x = r.slice.a, .y = row_of(r.slice.loss, na, nb / 2)},
         {.label = "along d2", .x = r.slice.b, .y = column_of(r.slice.loss, na, nb, na / 2)}},
        true));
  }
  section.html = about;
  return section;
}

std::string landscape_html(const LandscapeResult& r) {
  ReportData page{.title = r.kind == "interpolation" ? "Loss along a line between two checkpoints"
                                                     : "Loss on a 2-D slice",
                  .config = nullptr,
                  .summary = {},
                  .metrics = {},
                  .sections = {landscape_section(r)},
                  .chart_options = {},
                  .metrics_section = false};
  return render_report_html(page);
}

}  // namespace descent::app
