// train_experiment, resume_experiment and evaluate_checkpoint: runs as directories.
#include "descent/app/run.h"

#include <fmt/core.h>

#include <algorithm>

#include "descent/app/checkpoint.h"
#include "descent/app/checkpoint_model.h"
#include "descent/app/experiment_data.h"
#include "descent/app/metrics_log.h"
#include "descent/app/observers.h"
#include "descent/app/run_report.h"
#include "descent/core/error.h"
#include "run_checkpoints.h"
#include "run_common.h"

namespace descent::app {
namespace {

// Trains with metrics, progress and the checkpoint policy, then writes the report.
RunSummary train_in(const RunDir& dir, const ExperimentConfig& config, Trainer& trainer,
                    MetricsLog& log, const RunOptions& options) {
  CheckpointWriter writer(dir.checkpoints_dir(), config.checkpoint.keep_last);
  const nlohmann::json caller = {{"config", resolved_json(config)}};
  const RunSummary summary = train_observed(
      config, trainer, log, {.label = config.name, .progress_prefix = "", .options = options},
      [&](int64_t step, bool) { writer.write(trainer.checkpoint(caller), step); });
  write_run_report(dir, resolved_json(config), log.records(), {{config.name, summary}});
  return summary;
}

}  // namespace

TrainResult train_experiment(const ExperimentConfig& config, const RunOptions& options) {
  require_sharpness_estimator(config, options.sharpness_estimator);
  const data::Split data = prepare_data(config.data, config.seed, experiment_dtype(config));
  Trainer trainer(config, data);  // validates model and schedule before a directory exists
  TrainResult result{.dir = create_run_dir(config.runs_dir, config.name), .summary = {}};
  result.dir.write_config(resolved_json(config));
  MetricsLog log(result.dir.path, MetricsLog::Mode::Create);
  // The initial weights, for landscapes between the start and the end of a run.
  write_checkpoint(result.dir.checkpoints_dir() / kInitialCheckpointName,
                   trainer.checkpoint({{"config", resolved_json(config)}}));
  result.summary = train_in(result.dir, config, trainer, log, options);
  return result;
}

TrainResult resume_experiment(const std::filesystem::path& run_dir, const RunOptions& options) {
  const std::filesystem::path dir_path = std::filesystem::absolute(run_dir).lexically_normal();
  RunDir dir{.path = dir_path,
             .name = dir_path.parent_path().filename().string(),
             .version = dir_path.filename().string()};
  if (!std::filesystem::is_directory(dir.path)) {
    throw IOError(fmt::format("{}: not a run directory", run_dir.string()));
  }
  const ExperimentConfig config = parse_config(dir.read_config());
  require_sharpness_estimator(config, options.sharpness_estimator);
  const data::Split data = prepare_data(config.data, config.seed, experiment_dtype(config));
  Trainer trainer(config, data);
  const auto [checkpoint, path] = read_latest_checkpoint(dir.checkpoints_dir());
  trainer.restore(checkpoint);
  fmt::print(stderr, "resuming {} from {} (step {})\n", dir.path.string(), path.string(),
             trainer.step());
  MetricsLog log(dir.path, MetricsLog::Mode::Append);
  log.truncate_after(trainer.step());
  TrainResult result{.dir = dir, .summary = {}};
  result.summary = train_in(dir, config, trainer, log, options);
  return result;
}

std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& run_dir) {
  return list_checkpoint_files(run_dir / kCheckpointsDirName);
}

EvalResult evaluate_checkpoint(const std::filesystem::path& path, const std::string& data_path,
                               const std::string& split) {
  if (split != "test" && split != "train") {
    throw ValueError("eval: --split must be test or train, got \"" + split + "\"");
  }
  CheckpointModel loaded(path, data_path);
  const data::Dataset& d = split == "test" ? loaded.data().test : loaded.data().train;
  return {.split = split, .metrics = loaded.trainer().evaluate(d), .examples = d.size()};
}

}  // namespace descent::app
