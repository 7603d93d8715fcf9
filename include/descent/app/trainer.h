#pragma once
// Trainer: the training loop of one experiment, shared by `descent train`, `descent compare`
// and the web lab. It owns the model, optimizer, scheduler, generator and loader of one run and
// reports what happens to observers (progress display, metrics log, ...); it writes no files
// itself: checkpoints go to a CheckpointSink, so the run layer decides where they live.
//
// One step:  x, y ← next batch;  L = loss(model(x), y) + Σ λ_k·penalty_k;  ∇L by backward;
//            divergence guard (L and ‖∇L‖ finite);  optimizer step;  scheduler step (interval
//            "step");  zero_grad;  diagnostics every diagnostics.every_steps steps and
//            sharpness every diagnostics.sharpness.every_steps steps (docs/diagnostics.md;
//            they read the step's values and never change the run: same batches, same RNG
//            draws, bitwise the same parameters).
// One epoch: the steps of one pass over the training split (shuffled by (seed, epoch)), then the
//            scheduler step (interval "epoch"), evaluation, checkpoint and early stopping.
//
// Determinism: the model's initial weights and every dropout mask come from one Generator
// seeded with config.seed, and the batch order from (seed, epoch), so two trainers with the
// same config and data see the same start and the same batches (what `compare` relies on), and
// restoring a checkpoint continues bitwise as if the run had never stopped.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "descent/app/checkpoint.h"
#include "descent/app/config.h"
#include "descent/app/sharpness.h"
#include "descent/core/rng.h"
#include "descent/data/dataset.h"
#include "descent/nn/sequential.h"
#include "descent/optim/optimizer.h"

namespace descent::app {

struct StepEvent {
  int64_t step = 0;   // steps done, counting this one
  int64_t epoch = 0;  // 0-based epoch of this step
  int64_t batch = 0;  // 0-based batch within the epoch
  int64_t batches_per_epoch = 0;
  int64_t total_steps = 0;
  double loss = 0.0;      // this batch's loss (with penalties)
  double accuracy = 0.0;  // this batch's accuracy (NaN for regression)
  double lr = 0.0;        // the lr this step used
  double grad_norm = 0.0;
  double wall_time = 0.0;  // seconds since the run (or the resumed run) started
  bool skipped = false;    // a non-finite step skipped under on_nonfinite = skip
};

// The training diagnostics of one step (diagnostics.md): "<quantity>:<layer>" → value, plus
// "sharpness" and "edge_of_stability" on the steps where λmax was measured.
struct DiagnosticsEvent {
  int64_t step = 0;  // steps done, counting this one (values after its update)
  int64_t epoch = 0;
  double wall_time = 0.0;
  std::vector<std::pair<std::string, double>> values;
};

struct EpochEvent {
  int64_t epoch = 0;  // 0-based
  int64_t step = 0;   // steps done so far
  double wall_time = 0.0;
  double seconds = 0.0;  // training time of this epoch (evaluation excluded)
  // "train.loss", "train.accuracy" (running means over the epoch's batches) and, when evaluated,
  // "test.loss", "test.accuracy", "train_eval.loss", ...
  std::map<std::string, double> metrics;
};

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_step(const StepEvent& /*event*/) {}
  virtual void on_epoch_end(const EpochEvent& /*event*/) {}
  virtual void on_diagnostics(const DiagnosticsEvent& /*event*/) {}
  // Free-form notices: early stopping, divergence, skipped steps, checkpoints.
  virtual void on_message(const std::string& /*text*/) {}
};

enum class RunStatus { Completed, EarlyStopped, Diverged };

struct RunSummary {
  RunStatus status = RunStatus::Completed;
  std::string message;  // why it stopped early or diverged
  int64_t steps = 0;
  int64_t epochs = 0;  // completed epochs
  double seconds = 0.0;
  double seconds_per_epoch = 0.0;               // training time per epoch, evaluation excluded
  std::map<std::string, double> final_metrics;  // of the last epoch
};

// Thrown under on_nonfinite = raise; carries the same message as a Diverged summary.
class DivergenceError : public Error {
  using Error::Error;
};

// Called whenever the checkpoint policy asks for a checkpoint (`final`: after the last epoch, or
// when the run stops early); it typically writes Trainer::checkpoint() somewhere.
using CheckpointSink = std::function<void(int64_t step, bool final)>;

class Trainer {
 public:
  // `data` must be transformed already and must outlive the trainer.
  Trainer(const ExperimentConfig& config, const data::Split& data);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  void add_observer(TrainingObserver* observer) { observers_.push_back(observer); }
  void set_checkpoint_sink(CheckpointSink sink) { sink_ = std::move(sink); }
  // Measures λmax for diagnostics.sharpness and for the divergence message (sharpness.h). A
  // config with diagnostics.sharpness.every_steps > 0 needs one: run() throws ValueError
  // otherwise.
  void set_sharpness_estimator(SharpnessEstimator estimator);

  // Everything needed to continue; `extra` lands in the checkpoint's metadata under "run".
  Checkpoint checkpoint(const nlohmann::json& extra = {}) const;
  // Continues from a checkpoint written by checkpoint(); everything is validated first.
  void restore(const Checkpoint& checkpoint);

  // Trains until the configured epochs are done, early stopping triggers or the run diverges.
  RunSummary run();

  // Loss and accuracy of the model on a dataset (eval mode, no gradients), as
  // {"loss": ..., "accuracy": ...}; the model's mode is restored afterwards.
  std::map<std::string, double> evaluate(const data::Dataset& dataset);

  nn::Sequential& model() { return *model_; }
  optim::Optimizer& optimizer() { return *optimizer_; }
  const ExperimentConfig& config() const { return config_; }
  int64_t step() const { return step_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ExperimentConfig config_;
  const data::Split& data_;
  Generator gen_;
  std::shared_ptr<nn::Sequential> model_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  std::vector<TrainingObserver*> observers_;
  CheckpointSink sink_;
  int64_t step_ = 0;
};

}  // namespace descent::app
