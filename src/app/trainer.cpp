// The training loop (see trainer.h for the step and epoch structure).
#include "descent/app/trainer.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "descent/app/grad_stats.h"
#include "descent/app/model_builder.h"
#include "descent/app/training_state.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/data/loader.h"
#include "descent/kernels/parallel.h"
#include "descent/nn/penalty.h"
#include "descent/optim/scheduler_spec.h"
#include "descent/optim/spec.h"
#include "trainer_impl.h"

namespace descent::app {
namespace {

DType config_dtype(const ExperimentConfig& c) {
  return c.dtype == "float64" ? DType::Float64 : DType::Float32;
}

int64_t out_features(const data::Dataset& d) {
  return d.is_classification() ? d.num_classes : (d.targets.dim() > 1 ? d.targets.size(1) : 1);
}

}  // namespace

// Number of correct argmax predictions in a batch (0 for regression targets).
double correct_predictions(const Tensor& output, const Tensor& target) {
  if (target.dtype() != DType::Int64) return 0.0;
  return sum(eq(argmax(output, 1), target)).item();
}

Trainer::Trainer(const ExperimentConfig& config, const data::Split& data)
    : config_(config), data_(data), gen_(config.seed) {
  if (config_.threads > 0) kernels::set_num_threads(static_cast<int>(config_.threads));
  const DType dtype = config_dtype(config_);
  model_ =
      build_model(config_.model, data_.train.features(), out_features(data_.train), dtype, gen_);
  optimizer_ = optim::make_optimizer(config_.optimizer, model_->parameters());
  impl_ = std::make_unique<Impl>(data_.train, config_);
  const int64_t per_epoch = impl_->loader.batches_per_epoch();
  const int64_t schedule_steps =
      config_.schedule.interval == "step" ? per_epoch * config_.epochs : config_.epochs;
  impl_->schedule = optim::make_scheduler(
      config_.schedule.spec.empty() ? "none" : config_.schedule.spec, *optimizer_, schedule_steps);
  if (impl_->schedule->needs_metric() && config_.schedule.interval == "step") {
    throw ValueError("config: schedule.interval: plateau needs a metric, so it steps per epoch");
  }
}

Trainer::~Trainer() = default;

Checkpoint Trainer::checkpoint(const nlohmann::json& extra) const {
  const Impl& s = *impl_;
  nlohmann::json run = {{"step", step_},
                        {"epoch", s.epoch},
                        {"batch", s.batch},
                        {"loss_sum", s.loss_sum},
                        {"correct", s.correct},
                        {"seen", s.seen},
                        {"skipped", s.skipped},
                        {"epoch_seconds", s.epoch_seconds},
                        {"train_seconds", s.train_seconds},
                        {"bad_evaluations", s.bad_evaluations},
                        {"schedule", s.schedule->state_dict()}};
  // JSON has no NaN: absent means "none yet".
  if (std::isfinite(s.best)) run["best"] = s.best;
  if (std::isfinite(s.last_finite_loss)) {
    run["last_finite_loss"] = s.last_finite_loss;
    run["last_finite_step"] = s.last_finite_step;
  }
  nlohmann::json meta = {{"run", run}, {"caller", extra}};
  return pack_training_state(*model_, *optimizer_, nullptr, gen_, meta);
}

void Trainer::restore(const Checkpoint& checkpoint) {
  const nlohmann::json meta =
      restore_training_state(checkpoint, *model_, *optimizer_, nullptr, gen_);
  try {
    const nlohmann::json& run = meta.at("run");
    Impl& s = *impl_;
    s.schedule->load_state_dict(run.at("schedule"));
    step_ = run.at("step").get<int64_t>();
    s.epoch = run.at("epoch").get<int64_t>();
    s.batch = run.at("batch").get<int64_t>();
    s.loss_sum = run.at("loss_sum").get<double>();
    s.correct = run.at("correct").get<double>();
    s.seen = run.at("seen").get<int64_t>();
    s.skipped = run.at("skipped").get<int64_t>();
    s.epoch_seconds = run.at("epoch_seconds").get<double>();
    s.train_seconds = run.at("train_seconds").get<double>();
    s.bad_evaluations = run.at("bad_evaluations").get<int64_t>();
    s.best = run.value("best", std::numeric_limits<double>::quiet_NaN());
    s.last_finite_loss = run.value("last_finite_loss", std::numeric_limits<double>::quiet_NaN());
    s.last_finite_step = run.value("last_finite_step", int64_t{-1});
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("checkpoint: run state is incomplete: {}", e.what()));
  }
}

std::map<std::string, double> Trainer::evaluate(const data::Dataset& dataset) {
  const bool was_training = model_->is_training();
  model_->eval();
  NoGradGuard no_grad;
  const int64_t n = dataset.size();
  const int64_t bs = config_.evaluation.batch_size;
  double loss_sum = 0.0, correct = 0.0;
  for (int64_t begin = 0; begin < n; begin += bs) {
    const int64_t end = std::min(n, begin + bs);
    const Tensor x = slice(dataset.inputs, 0, begin, end);
    const Tensor y = slice(dataset.targets, 0, begin, end);
    const Tensor out = (*model_)(x);
    loss_sum += compute_loss(config_.loss, out, y).item() * static_cast<double>(end - begin);
    correct += correct_predictions(out, y);
  }
  model_->train(was_training);
  std::map<std::string, double> m;
  m["loss"] = n > 0 ? loss_sum / static_cast<double>(n) : std::nan("");
  if (dataset.is_classification()) {
    m["accuracy"] = n > 0 ? correct / static_cast<double>(n) : std::nan("");
  }
  return m;
}

}  // namespace descent::app
