#pragma once
// What train and compare share: a trainer run with the metrics recorder and progress display.
#include <functional>
#include <string>

#include "descent/app/config.h"
#include "descent/app/metrics_log.h"
#include "descent/app/run.h"
#include "descent/app/trainer.h"

namespace descent::app {

struct ObservedRun {
  std::string label;            // run label in the metrics
  std::string progress_prefix;  // e.g. "[adam] " in compare
  RunOptions options;
};

// Runs `trainer` with a MetricsRecorder on `log` and a ProgressDisplay. `on_checkpoint` is
// called whenever the checkpoint policy asks for one (`final` after the last epoch); may be
// empty.
RunSummary train_observed(const ExperimentConfig& config, Trainer& trainer, MetricsLog& log,
                          const ObservedRun& run,
                          const std::function<void(int64_t step, bool final)>& on_checkpoint);

}  // namespace descent::app
