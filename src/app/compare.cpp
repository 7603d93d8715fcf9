// compare_optimizers and its summary table.
#include <fmt/core.h>

#include <cmath>

#include "descent/app/experiment_data.h"
#include "descent/app/run.h"
#include "descent/app/run_report.h"
#include "descent/optim/spec.h"
#include "run_checkpoints.h"
#include "run_common.h"

namespace descent::app {

CompareResult compare_optimizers(const ExperimentConfig& config,
                                 const std::vector<std::string>& optimizer_specs,
                                 const RunOptions& options) {
  if (optimizer_specs.empty()) throw ValueError("compare: give at least one --optimizer SPEC");
  std::vector<std::string> specs;
  for (const std::string& s : optimizer_specs)
    specs.push_back(optim::parse_optimizer_spec(s).str());
  require_sharpness_estimator(config, options.sharpness_estimator);
  const data::Split data = prepare_data(
      config.data, config.seed, config.dtype == "float64" ? DType::Float64 : DType::Float32);
  nlohmann::ordered_json resolved = resolved_json(config);
  resolved["compare"] = specs;
  CompareResult result{.dir = create_run_dir(config.runs_dir, config.name), .rows = {}};
  result.dir.write_config(resolved);
  MetricsLog log(result.dir.path, MetricsLog::Mode::Create);
  std::vector<std::pair<std::string, RunSummary>> summaries;
  for (size_t i = 0; i < specs.size(); ++i) {
    ExperimentConfig run_config = config;
    run_config.optimizer = specs[i];
    // Same seed, same data: every trainer starts from the same weights and batch order.
    Trainer trainer(run_config, data);
    const std::string name = optim::parse_optimizer_spec(specs[i]).name;
    const std::filesystem::path final_path =
        result.dir.checkpoints_dir() / fmt::format("{}-{}.ckpt", i, name);
    const nlohmann::json caller = {{"config", resolved_json(run_config)}};
    const RunSummary summary = train_observed(
        run_config, trainer, log,
        {.label = specs[i], .progress_prefix = fmt::format("[{}] ", specs[i]), .options = options},
        [&](int64_t, bool final) {
          if (final) write_checkpoint(final_path, trainer.checkpoint(caller));
        });
    result.rows.push_back({specs[i], summary});
    summaries.emplace_back(specs[i], summary);
  }
  write_run_report(result.dir, resolved, log.records(), summaries);
  return result;
}

std::string compare_table(const CompareResult& result) {
  std::vector<std::pair<std::string, RunSummary>> runs;
  for (const CompareRow& r : result.rows) runs.emplace_back(r.optimizer, r.summary);
  return format_table_text(run_summary_table(runs));
}

}  // namespace descent::app
