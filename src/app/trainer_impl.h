#pragma once
// Private to the trainer: the run state beyond the model and optimizer, shared by
// trainer.cpp (construction, checkpoints, evaluation) and trainer_loop.cpp (the loop).
#include <cmath>
#include <limits>
#include <memory>

#include "descent/app/config.h"
#include "descent/app/sharpness.h"
#include "descent/app/trainer.h"
#include "descent/data/loader.h"
#include "descent/nn/penalty.h"
#include "descent/optim/scheduler_spec.h"

namespace descent::app {

// Number of correct argmax predictions in a batch (0 for regression targets).
double correct_predictions(const Tensor& output, const Tensor& target);

// loss + Σ_k λ_k · penalty_k(θ): the training objective.
Tensor penalized(const Tensor& loss, const std::vector<PenaltyConfig>& penalties,
                 const nn::NamedParameters& named);

// λmax of the training objective on the probe batch (x, y) at the current parameters, by
// `estimator`, with the model in evaluation mode (restored afterwards) and the gradients
// cleared afterwards.
double estimate_sharpness(const SharpnessEstimator& estimator, const ExperimentConfig& config,
                          nn::Sequential& model, const Tensor& x, const Tensor& y);

// explain_sharpness (sharpness.h) for λmax at `last_finite` (one tensor per model parameter,
// the values at the start of step `step`, which used `lr`); the model's parameters are put
// back afterwards. A failing estimate is reported in the text, never thrown.
std::string sharpness_at_divergence(const SharpnessEstimator& estimator,
                                    const ExperimentConfig& config, nn::Sequential& model,
                                    const Tensor& x, const Tensor& y,
                                    const std::vector<Tensor>& last_finite, double lr,
                                    int64_t step);

// State of one run beyond the model and optimizer.
struct Trainer::Impl {
  data::DataLoader loader;
  std::unique_ptr<optim::Schedule> schedule;
  int64_t epoch = 0;  // the epoch in progress (or next to start)
  int64_t batch = 0;  // the next batch within it
  // Running sums over the epoch in progress, so a checkpoint taken mid-epoch resumes them.
  double loss_sum = 0.0;
  double correct = 0.0;
  int64_t seen = 0;
  int64_t skipped = 0;
  double epoch_seconds = 0.0;  // training time spent in the epoch in progress
  double train_seconds = 0.0;  // training time of all completed epochs
  // Early stopping.
  double best = std::numeric_limits<double>::quiet_NaN();
  int64_t bad_evaluations = 0;
  double last_finite_loss = std::numeric_limits<double>::quiet_NaN();
  int64_t last_finite_step = -1;
  // Sharpness: the estimator, the probe batch, and (for the divergence message) a copy of the
  // parameters at the start of the last step whose loss and gradient were finite.
  SharpnessEstimator sharpness;
  std::vector<Tensor> last_finite_params;
  double last_finite_lr = 0.0;
  int64_t last_finite_params_step = -1;

  Impl(const data::Dataset& train, const ExperimentConfig& c)
      : loader(train, {.batch_size = c.batch_size,
                       .shuffle = c.shuffle,
                       .drop_last = c.drop_last,
                       .seed = c.seed}) {}
};

}  // namespace descent::app
