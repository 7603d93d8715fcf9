// /api/runs: the run directories under --runs and their metrics (app/run_dir, app/metrics_log)
// for page 6. Runs are named by (name, version), both checked by app::validate_run_name, so a
// request can never name a path outside the runs directory.
#include <descent/app/metrics_log.h>
#include <descent/app/run_dir.h>
#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "serve/api.h"
#include "serve/request.h"

namespace descent::serve {

namespace fs = std::filesystem;

Json api_runs(const fs::path& root) {
  Json out = Json::array();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    try {
      app::validate_run_name(name);
    } catch (const ValueError&) {
      continue;  // not a run directory descent made
    }
    if (e.is_directory(ec)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    for (const std::string& version : app::list_run_versions(root, name)) {
      out.push_back(
          {{"name", name},
           {"version", version},
           {"has_metrics", fs::exists(root / name / version / app::kMetricsJsonlName, ec)}});
    }
  }
  return out;
}

Json api_run_metrics(const fs::path& root, const std::string& name, const std::string& version) {
  try {
    app::validate_run_name(name);
    app::validate_run_name(version);
  } catch (const ValueError& e) {
    throw ValueError(fmt::format("request: {}", e.what()));
  }
  const fs::path file = root / name / version / app::kMetricsJsonlName;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw NotFound(fmt::format("run {}/{} has no metrics", name, version));
  // Series keyed by (run label, split, metric), in order of first appearance.
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  Json series = Json::array();
  for (const app::MetricRecord& rec : app::read_metrics_jsonl(file)) {
    const auto key = std::make_tuple(rec.run, rec.split, rec.metric);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, series.size()).first;
      series.push_back({{"run", rec.run},
                        {"split", rec.split},
                        {"metric", rec.metric},
                        {"step", Json::array()},
                        {"value", Json::array()}});
    }
    series[it->second]["step"].push_back(rec.step);
    series[it->second]["value"].push_back(rec.value);
  }
  return {{"name", name}, {"version", version}, {"series", series}};
}

}  // namespace descent::serve
