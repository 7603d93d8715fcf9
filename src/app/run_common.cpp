#include "run_common.h"

#include "descent/app/observers.h"

namespace descent::app {

RunSummary train_observed(const ExperimentConfig& config, Trainer& trainer, MetricsLog& log,
                          const ObservedRun& run,
                          const std::function<void(int64_t step, bool final)>& on_checkpoint) {
  MetricsRecorder recorder(log, run.label, config.log_every_steps);
  ProgressDisplay progress(parse_progress_mode(run.options.progress), run.progress_prefix,
                           config.epochs);
  if (run.options.sharpness_estimator) {
    trainer.set_sharpness_estimator(run.options.sharpness_estimator);
  }
  trainer.add_observer(&recorder);
  trainer.add_observer(&progress);
  if (on_checkpoint) {
    trainer.set_checkpoint_sink(on_checkpoint);
  }
  const RunSummary summary = trainer.run();
  if (summary.status == RunStatus::Diverged) progress.on_message(summary.message);
  return summary;
}

}  // namespace descent::app
