#pragma once
// uPlot's minified JS and CSS, embedded at build time by cmake/EmbedUplot.cmake (which
// generates the definitions from web/node_modules/uplot). Private to the report writer.
#include <string_view>

namespace descent::app::detail {

std::string_view uplot_version();  // e.g. "1.6.32"
std::string_view uplot_js();       // dist/uPlot.iife.min.js: defines the global `uPlot`
std::string_view uplot_css();      // dist/uPlot.min.css

}  // namespace descent::app::detail
