#pragma once
// Report charts of the training diagnostics (docs/diagnostics.md): the records of split "diag"
// ("<quantity>:<layer>" metrics) become one chart per quantity with one series per layer (per
// run and layer when the log holds several runs), and the sharpness chart draws λmax together
// with the edge of stability 2/lr.
#include <vector>

#include "descent/app/chart.h"
#include "descent/app/metrics_log.h"

namespace descent::app {

// Charts for the diagnostics records in `records` (other splits are ignored); empty when
// there are none. Quantities in a fixed order: sharpness, gradient norms, update ratios, dead
// ReLUs, saturation, Adam step sizes, BatchNorm statistics, then any other in log order.
std::vector<ChartSpec> diagnostics_charts(const std::vector<MetricRecord>& records);

}  // namespace descent::app
