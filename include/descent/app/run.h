#pragma once
// Runs: an experiment config made into a run directory (run_dir.h) with its metrics, checkpoints
// and report. `descent train`, `descent compare` and `descent eval` are thin shells over these.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "descent/app/checkpoint.h"
#include "descent/app/config.h"
#include "descent/app/run_dir.h"
#include "descent/app/sharpness.h"
#include "descent/app/trainer.h"

namespace descent::app {

struct RunOptions {
  std::string progress = "auto";  // auto | bar | plain | none (observers.h)
  // Measures λmax for diagnostics.sharpness and the divergence message (sharpness.h); empty:
  // none, and a config that asks for sharpness is refused before a run directory is made.
  SharpnessEstimator sharpness_estimator = power_iteration_sharpness;
};

struct TrainResult {
  RunDir dir;
  RunSummary summary;
};

// Creates runs/<name>/vN/, writes config.json, trains with metrics, checkpoints and progress,
// and writes report.html (also when the run diverged or stopped early).
TrainResult train_experiment(const ExperimentConfig& config, const RunOptions& options);

// Continues the run in `run_dir` from its newest checkpoint that loads (a torn or corrupt newer
// file is reported and skipped); metrics logged after that checkpoint are dropped and
// re-logged. The final parameters are bitwise those of a run that never stopped.
TrainResult resume_experiment(const std::filesystem::path& run_dir, const RunOptions& options);

struct CompareRow {
  std::string optimizer;  // canonical spec
  RunSummary summary;
};

struct CompareResult {
  RunDir dir;
  std::vector<CompareRow> rows;
};

// Trains the config once per optimizer spec, each from the same initial weights with the same
// batches in the same order, into one run directory (runs/<name>/vN/, metrics labelled by spec,
// final checkpoints as checkpoints/<index>-<optimizer>.ckpt) with one report overlaying them.
CompareResult compare_optimizers(const ExperimentConfig& config,
                                 const std::vector<std::string>& optimizer_specs,
                                 const RunOptions& options);

// The summary table `descent compare` prints: optimizer, status, final train loss, test loss,
// test accuracy, seconds per epoch.
std::string compare_table(const CompareResult& result);

// The checkpoint files of a run directory, oldest first (names sort by step).
std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& run_dir);

// The checkpoint of a run's initial weights, written before the first step:
// <run dir>/checkpoints/initial.ckpt. Not a step-*.ckpt file, so keep_last never deletes it and
// --resume never starts from it.
inline constexpr const char* kInitialCheckpointName = "initial.ckpt";

struct EvalResult {
  std::string split;
  std::map<std::string, double> metrics;  // loss, accuracy
  int64_t examples = 0;
};

// Evaluates the model of a checkpoint on the test (or train) split of its own config's data, or
// of `data_path` when given (same dataset kind, different files).
EvalResult evaluate_checkpoint(const std::filesystem::path& checkpoint,
                               const std::string& data_path, const std::string& split);

}  // namespace descent::app
