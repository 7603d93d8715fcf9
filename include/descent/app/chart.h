#pragma once
// Generic line charts for reports: every chart of a report, from the metric curves to later
// instruments (Hessian spectra, loss landscape slices), is a ChartSpec, and the page draws all
// of them the same way. metric_charts() turns a metrics log into one chart per (split, metric).
#include <string>
#include <vector>

#include "descent/app/metrics_log.h"

namespace descent::app {

struct ChartSeries {
  std::string label;      // a run's label gets that run's color in every chart
  std::vector<double> x;  // ascending, unique, finite (the report normalizes; see below)
  std::vector<double> y;  // non-finite values are drawn as gaps
};

struct ChartSpec {
  std::string title;
  std::string x_label = "step";
  std::string y_label;
  bool log_y = false;  // start on a log scale; the page offers a toggle, and falls back to
                       // linear when some value is <= 0
  std::vector<ChartSeries> series;
};

struct MetricChartOptions {
  bool log_loss = true;  // charts of metrics whose name ends in "loss" start on a log scale
};

// One chart per (split, metric) pair, each overlaying every run that logged it (series in the
// order runs first appear in `records`). Charts are ordered by metric (loss, accuracy, then
// the others in order of appearance) and split (train, val, test, then the others); the title
// is "<split> <metric>".
//
// The x axis is "epoch" when every run logged the pair at most once per epoch (a per-epoch
// metric such as test accuracy), otherwise "step" (per-step metrics such as train loss or lr).
// When a run logged the same x twice (e.g. a resumed run that did not truncate its log), the
// later record wins.
std::vector<ChartSpec> metric_charts(const std::vector<MetricRecord>& records,
                                     const MetricChartOptions& options = {});

// Sorts a series' points by x (stably), keeps the last point of equal x, and drops points with
// a non-finite x. ValueError naming the series when x and y differ in length.
void normalize_series(ChartSeries& series);

}  // namespace descent::app
