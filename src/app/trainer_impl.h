#pragma once
// Private to the trainer: the run state beyond the model and optimizer, shared by
// trainer.cpp (construction, checkpoints, evaluation) and trainer_loop.cpp (the loop).
#include <cmath>
#include <limits>
#include <memory>

#include "descent/app/config.h"
#include "descent/app/trainer.h"
#include "descent/data/loader.h"
#include "descent/optim/scheduler_spec.h"

namespace descent::app {

// Number of correct argmax predictions in a batch (0 for regression targets).
double correct_predictions(const Tensor& output, const Tensor& target);

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

  Impl(const data::Dataset& train, const ExperimentConfig& c)
      : loader(train, {.batch_size = c.batch_size,
                       .shuffle = c.shuffle,
                       .drop_last = c.drop_last,
                       .seed = c.seed}) {}
};

}  // namespace descent::app
