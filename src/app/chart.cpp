// Metric records to chart specs (see chart.h).
#include "descent/app/chart.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <utility>

#include "descent/core/error.h"

namespace descent::app {
namespace {

int metric_rank(const std::string& metric) {
  if (metric == "loss") return 0;
  if (metric == "accuracy") return 1;
  return 2;
}

int split_rank(const std::string& split) {
  if (split == "train") return 0;
  if (split == "val") return 1;
  if (split == "test") return 2;
  return 3;
}

bool ends_with_loss(const std::string& metric) {
  return metric.size() >= 4 && metric.compare(metric.size() - 4, 4, "loss") == 0;
}

// Position of first appearance of each distinct value of key(record).
template <class Key>
std::map<std::string, size_t> first_appearance(const std::vector<MetricRecord>& records, Key key) {
  std::map<std::string, size_t> order;
  for (const MetricRecord& r : records) order.emplace(key(r), order.size());
  return order;
}

}  // namespace

void normalize_series(ChartSeries& s) {
  if (s.x.size() != s.y.size()) {
    throw ValueError(fmt::format("chart series '{}': {} x values but {} y values", s.label,
                                 s.x.size(), s.y.size()));
  }
  std::vector<size_t> idx(s.x.size());
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::erase_if(idx, [&](size_t i) { return !std::isfinite(s.x[i]); });
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return s.x[a] < s.x[b]; });
  std::vector<double> x, y;
  for (size_t k = 0; k < idx.size(); ++k) {
    // Within a run of equal x, only the last (latest logged) point is kept.
    if (k + 1 < idx.size() && s.x[idx[k + 1]] == s.x[idx[k]]) continue;
    x.push_back(s.x[idx[k]]);
    y.push_back(s.y[idx[k]]);
  }
  s.x = std::move(x);
  s.y = std::move(y);
}

std::vector<ChartSpec> metric_charts(const std::vector<MetricRecord>& records,
                                     const MetricChartOptions& options) {
  const auto run_order = first_appearance(records, [](const MetricRecord& r) { return r.run; });
  const auto metric_order =
      first_appearance(records, [](const MetricRecord& r) { return r.metric; });
  const auto split_order = first_appearance(records, [](const MetricRecord& r) { return r.split; });

  // (split, metric) → run → the records, in log order.
  using Group = std::map<std::string, std::vector<const MetricRecord*>>;
  std::map<std::pair<std::string, std::string>, Group> groups;
  for (const MetricRecord& r : records) groups[{r.split, r.metric}][r.run].push_back(&r);

  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, group] : groups) keys.push_back(key);
  std::sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    const auto rank = [&](const std::pair<std::string, std::string>& k) {
      return std::make_tuple(metric_rank(k.second), metric_order.at(k.second), split_rank(k.first),
                             split_order.at(k.first));
    };
    return rank(a) < rank(b);
  });

  std::vector<ChartSpec> charts;
  for (const auto& key : keys) {
    const auto& [split, metric] = key;
    const Group& group = groups.at(key);
    bool per_epoch = true;
    for (const auto& [run, recs] : group) {
      std::set<int64_t> epochs;
      for (const MetricRecord* r : recs) per_epoch = per_epoch && epochs.insert(r->epoch).second;
    }
    ChartSpec chart;
    chart.title = split + " " + metric;
    chart.x_label = per_epoch ? "epoch" : "step";
    chart.y_label = metric;
    chart.log_y = options.log_loss && ends_with_loss(metric);
    std::vector<std::pair<size_t, const std::string*>> runs;
    for (const auto& [run, recs] : group) runs.emplace_back(run_order.at(run), &run);
    std::sort(runs.begin(), runs.end());
    for (const auto& [order, run] : runs) {
      ChartSeries s{*run, {}, {}};
      for (const MetricRecord* r : group.at(*run)) {
        s.x.push_back(static_cast<double>(per_epoch ? r->epoch : r->step));
        s.y.push_back(r->value);
      }
      normalize_series(s);
      chart.series.push_back(std::move(s));
    }
    charts.push_back(std::move(chart));
  }
  return charts;
}

}  // namespace descent::app
