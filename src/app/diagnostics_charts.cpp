// diagnostics_charts: the "diag" records as report charts (see diagnostics_charts.h).
#include "descent/app/diagnostics_charts.h"

#include <map>
#include <set>
#include <string>
#include <utility>

namespace descent::app {
namespace {

struct Quantity {
  const char* name;  // the metric's part before ':'
  const char* title;
  const char* y_label;
  bool log_y;
};

// The quantities the trainer records, in chart order.
constexpr Quantity kQuantities[] = {
    {"grad_norm", "gradient norm ‖∇θ L‖ per parameter", "‖g‖", true},
    {"update_ratio", "update ratio ‖Δθ‖/‖θ‖ per parameter", "‖Δθ‖/‖θ‖", true},
    {"dead_relu", "dead ReLU fraction per layer", "fraction", false},
    {"saturation", "saturated fraction per sigmoid/tanh layer", "fraction", false},
    {"adam_step_median", "Adam step size lr/(√v̂+ε), median", "step size", true},
    {"adam_step_max", "Adam step size lr/(√v̂+ε), max", "step size", true},
    {"bn_batch_mean_mean", "BatchNorm batch means: mean over channels", "mean", false},
    {"bn_batch_mean_std", "BatchNorm batch means: std over channels", "std", false},
    {"bn_batch_var_mean", "BatchNorm batch variances: mean over channels", "mean", false},
    {"bn_batch_var_std", "BatchNorm batch variances: std over channels", "std", false},
    {"bn_running_mean_mean", "BatchNorm running mean: mean over channels", "mean", false},
    {"bn_running_mean_std", "BatchNorm running mean: std over channels", "std", false},
    {"bn_running_var_mean", "BatchNorm running variance: mean over channels", "mean", false},
    {"bn_running_var_std", "BatchNorm running variance: std over channels", "std", false},
};

// One series per (run, layer), in order of first appearance.
struct Group {
  std::vector<std::pair<std::string, std::string>> order;  // (run, layer)
  std::map<std::pair<std::string, std::string>, ChartSeries> series;
  void add(const std::string& run, const std::string& layer, const std::string& label,
           const MetricRecord& r) {
    auto [it, fresh] = series.try_emplace({run, layer}, ChartSeries{label, {}, {}});
    if (fresh) order.emplace_back(run, layer);
    it->second.x.push_back(static_cast<double>(r.step));
    it->second.y.push_back(r.value);
  }
  std::vector<ChartSeries> take() {
    std::vector<ChartSeries> out;
    for (const auto& key : order) {
      ChartSeries s = std::move(series.at(key));
      normalize_series(s);
      out.push_back(std::move(s));
    }
    return out;
  }
};

}  // namespace

std::vector<ChartSpec> diagnostics_charts(const std::vector<MetricRecord>& records) {
  std::set<std::string> runs;
  for (const MetricRecord& r : records) {
    if (r.split == kDiagnosticsSplit) runs.insert(r.run);
  }
  if (runs.empty()) return {};
  const bool several = runs.size() > 1;
  auto label = [&](const std::string& run, const std::string& what) {
    return several ? run + " · " + what : what;
  };

  Group sharpness;
  std::map<std::string, Group> groups;
  std::vector<std::string> other_order;
  for (const MetricRecord& r : records) {
    if (r.split != kDiagnosticsSplit) continue;
    if (r.metric == "sharpness" || r.metric == "edge_of_stability") {
      const std::string what = r.metric == "sharpness" ? "λmax" : "2/lr";
      sharpness.add(r.run, r.metric, label(r.run, what), r);
      continue;
    }
    const size_t colon = r.metric.find(':');
    const std::string quantity = r.metric.substr(0, colon);
    const std::string layer = colon == std::string::npos ? "" : r.metric.substr(colon + 1);
    if (!groups.contains(quantity)) other_order.push_back(quantity);
    groups[quantity].add(r.run, layer, label(r.run, layer.empty() ? quantity : layer), r);
  }

  std::vector<ChartSpec> charts;
  if (!sharpness.order.empty()) {
    charts.push_back({.title = "sharpness λmax and the edge of stability 2/lr",
                      .x_label = "step",
                      .y_label = "λ",
                      .log_y = true,
                      .series = sharpness.take()});
  }
  std::set<std::string> known;
  for (const Quantity& q : kQuantities) {
    known.insert(q.name);
    auto it = groups.find(q.name);
    if (it == groups.end()) continue;
    charts.push_back({.title = q.title,
                      .x_label = "step",
                      .y_label = q.y_label,
                      .log_y = q.log_y,
                      .series = it->second.take()});
  }
  for (const std::string& quantity : other_order) {
    if (known.contains(quantity)) continue;
    charts.push_back({.title = quantity,
                      .x_label = "step",
                      .y_label = quantity,
                      .log_y = false,
                      .series = groups.at(quantity).take()});
  }
  return charts;
}

}  // namespace descent::app
