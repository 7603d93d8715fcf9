#pragma once
// The browser assets inlined into every HTML report, embedded at build time by
// cmake/EmbedReportAssets.cmake (which generates the definitions). Private to the report
// writer.
#include <string_view>

namespace descent::app::detail {

std::string_view uplot_version();  // e.g. "1.6.32"
std::string_view uplot_js();       // web/node_modules/uplot/dist/uPlot.iife.min.js (global uPlot)
std::string_view uplot_css();      // web/node_modules/uplot/dist/uPlot.min.css
std::string_view report_js();      // web/report/report.js: draws the charts from the data JSON
std::string_view report_css();     // web/report/report.css: the page's layout and look
std::string_view heatmap_js();     // web/report/heatmap.js: draws <div class="heatmap"> grids

}  // namespace descent::app::detail
