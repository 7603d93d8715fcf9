// Trainer::run: the epoch and step loop, the divergence guard and early stopping.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "descent/app/grad_stats.h"
#include "descent/app/model_builder.h"
#include "descent/app/trainer.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/data/loader.h"
#include "descent/nn/penalty.h"
#include "descent/optim/scheduler_spec.h"
#include "trainer_impl.h"
#include "training_diagnostics.h"

namespace descent::app {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string divergence_message(int64_t step, int64_t epoch, double loss, const GradNorms& norms,
                               double lr, double last_finite_loss, int64_t last_finite_step) {
  const std::string what = !std::isfinite(loss)
                               ? fmt::format("the loss is {}", loss)
                               : fmt::format("the gradient norm is {}", norms.total);
  const std::string last = last_finite_step >= 0 ? fmt::format("last finite loss {:.6g} at step {}",
                                                               last_finite_loss, last_finite_step)
                                                 : std::string("no finite loss yet");
  return fmt::format(
      "training diverged at step {} (epoch {}): {}; {}; lr {:.6g}; largest gradient: {} "
      "(norm {:.6g})",
      step, epoch + 1, what, last, lr, norms.largest.empty() ? "none" : norms.largest,
      norms.largest_norm);
}

// True when `value` improves on `best` by more than min_delta in the configured direction.
bool improves(const EarlyStoppingConfig& es, double value, double best) {
  if (std::isnan(best)) return !std::isnan(value);
  return es.mode == "min" ? value < best - es.min_delta : value > best + es.min_delta;
}

}  // namespace

Tensor penalized(const Tensor& loss, const std::vector<PenaltyConfig>& penalties,
                 const nn::NamedParameters& named) {
  Tensor total = loss;
  for (const PenaltyConfig& p : penalties) {
    if (p.weight == 0.0) continue;
    const nn::PenaltyOptions options{.include_biases = p.include_biases};
    const Tensor term =
        p.type == "l1" ? nn::l1_penalty(named, options) : nn::l2_penalty(named, options);
    total = add(total, mul(term, p.weight));
  }
  return total;
}

RunSummary Trainer::run() {
  Impl& s = *impl_;
  RunSummary summary;
  const auto run_start = Clock::now();
  const int64_t per_epoch = s.loader.batches_per_epoch();
  const int64_t total_steps = per_epoch * config_.epochs;
  const nn::NamedParameters named = model_->named_parameters();
  const bool classification = data_.train.is_classification();
  const bool step_schedule = config_.schedule.interval == "step";
  const EarlyStoppingConfig& es = config_.early_stopping;
  auto notify = [&](const std::string& text) {
    for (TrainingObserver* o : observers_) o->on_message(text);
  };
  // Diagnostics (docs/diagnostics.md): nothing is allocated or computed when they are off.
  const DiagnosticsConfig& dc = config_.diagnostics;
  std::unique_ptr<TrainingDiagnostics> diagnostics;
  if (dc.every_steps > 0) {
    diagnostics = std::make_unique<TrainingDiagnostics>(dc, *model_, *optimizer_);
  }
  require_sharpness_estimator(config_, s.sharpness);
  // The probe batch of the sharpness measurements: the first `samples` training examples.
  const int64_t probe_n = std::min(dc.sharpness.samples, data_.train.size());
  const Tensor probe_x = slice(data_.train.inputs, 0, 0, probe_n);
  const Tensor probe_y = slice(data_.train.targets, 0, 0, probe_n);
  const bool keep_last_finite = s.sharpness && dc.sharpness.at_divergence;
  const std::vector<Tensor> params = model_->parameters();
  if (keep_last_finite && s.last_finite_params.empty()) {
    NoGradGuard no_grad;
    for (const Tensor& p : params) s.last_finite_params.push_back(zeros_like(p));
  }
  auto divergence_text = [&](int64_t step, int64_t epoch, double loss, const GradNorms& norms,
                             double lr) {
    std::string text =
        divergence_message(step, epoch, loss, norms, lr, s.last_finite_loss, s.last_finite_step);
    if (keep_last_finite) {
      const bool have = s.last_finite_params_step >= 0;
      text += "; " + sharpness_at_divergence(s.sharpness, config_, *model_, probe_x, probe_y,
                                             have ? s.last_finite_params : std::vector<Tensor>{},
                                             s.last_finite_lr, s.last_finite_params_step);
    }
    return text;
  };
  model_->train();

  while (s.epoch < config_.epochs && summary.status == RunStatus::Completed) {
    s.loader.seek(s.epoch, s.batch);
    const auto epoch_start = Clock::now();
    const double epoch_base = s.epoch_seconds;
    while (s.batch < per_epoch) {
      const std::optional<data::Batch> next = s.loader.next();
      const data::Batch& batch = *next;  // present: s.batch < per_epoch
      const double lr = optimizer_->lr();
      const bool diagnose = diagnostics && diagnostics->due(step_ + 1);
      const Tensor output = diagnose ? diagnostics->forward(batch.inputs) : (*model_)(batch.inputs);
      const Tensor loss =
          penalized(compute_loss(config_.loss, output, batch.targets), config_.penalties, named);
      const double loss_value = loss.item();
      double correct = 0.0;
      if (classification) {
        NoGradGuard no_grad;
        correct = correct_predictions(output.detach(), batch.targets);
      }
      loss.backward();
      const GradNorms norms = grad_norms(named);
      if (diagnose) diagnostics->after_backward();
      ++step_;
      ++s.batch;
      const int64_t n = batch.inputs.size(0);
      StepEvent event{.step = step_,
                      .epoch = s.epoch,
                      .batch = s.batch - 1,
                      .batches_per_epoch = per_epoch,
                      .total_steps = total_steps,
                      .loss = loss_value,
                      .accuracy = classification ? correct / static_cast<double>(n) : std::nan(""),
                      .lr = lr,
                      .grad_norm = norms.total};
      if (!std::isfinite(loss_value) || !std::isfinite(norms.total)) {
        optimizer_->zero_grad();  // the update is never applied: parameters stay finite
        // The λmax estimate is costly: only for the messages that are shown.
        const bool shown = config_.on_nonfinite != "skip" || s.skipped < 3;
        const std::string message =
            shown ? divergence_text(step_, s.epoch, loss_value, norms, lr) : std::string();
        if (config_.on_nonfinite == "raise") throw DivergenceError(message);
        if (config_.on_nonfinite == "stop") {
          summary.status = RunStatus::Diverged;
          summary.message = message;
          event.wall_time = seconds_since(run_start);
          for (TrainingObserver* o : observers_) o->on_step(event);
          break;
        }
        event.skipped = true;
        if (++s.skipped <= 3) notify("skipped a step: " + message);
      } else {
        if (keep_last_finite) {
          NoGradGuard no_grad;
          for (size_t i = 0; i < params.size(); ++i) s.last_finite_params[i].copy_(params[i]);
          s.last_finite_lr = lr;
          s.last_finite_params_step = step_;
        }
        optimizer_->step();
        if (diagnose) diagnostics->after_step();
        optimizer_->zero_grad();
        if (step_schedule) s.schedule->step();
        s.loss_sum += loss_value * static_cast<double>(n);
        s.correct += correct;
        s.seen += n;
        s.last_finite_loss = loss_value;
        s.last_finite_step = step_;
      }
      event.wall_time = seconds_since(run_start);
      for (TrainingObserver* o : observers_) o->on_step(event);
      const bool measure_sharpness =
          dc.sharpness.every_steps > 0 && step_ % dc.sharpness.every_steps == 0;
      if (!event.skipped && (diagnose || measure_sharpness)) {
        DiagnosticsEvent d{.step = step_, .epoch = s.epoch, .wall_time = 0.0, .values = {}};
        if (diagnose) d.values = diagnostics->take();
        if (measure_sharpness) {
          // λmax after this step's update, against the lr of the next step.
          const double lambda = estimate_sharpness(s.sharpness, config_, *model_, probe_x, probe_y);
          d.values.emplace_back("sharpness", lambda);
          d.values.emplace_back("edge_of_stability", 2.0 / optimizer_->lr());
        }
        d.wall_time = seconds_since(run_start);
        for (TrainingObserver* o : observers_) o->on_diagnostics(d);
      }
      const int64_t every = config_.checkpoint.every_steps;
      if (sink_ && every > 0 && step_ % every == 0 && s.batch < per_epoch) {
        s.epoch_seconds = epoch_base + seconds_since(epoch_start);
        sink_(step_, false);
      }
    }
    if (summary.status == RunStatus::Diverged) break;

    // --- end of the epoch ---
    s.epoch_seconds = epoch_base + seconds_since(epoch_start);
    EpochEvent event{.epoch = s.epoch,
                     .step = step_,
                     .wall_time = 0.0,
                     .seconds = s.epoch_seconds,
                     .metrics = {}};
    const double seen = static_cast<double>(std::max<int64_t>(s.seen, 1));
    event.metrics["train.loss"] = s.seen > 0 ? s.loss_sum / seen : std::nan("");
    if (classification) event.metrics["train.accuracy"] = s.correct / seen;
    const bool last_epoch = s.epoch + 1 == config_.epochs;
    const int64_t every_eval = config_.evaluation.every_epochs;
    if (every_eval > 0 && ((s.epoch + 1) % every_eval == 0 || last_epoch)) {
      for (const auto& [k, v] : evaluate(data_.test)) event.metrics["test." + k] = v;
      if (config_.evaluation.train_split) {
        for (const auto& [k, v] : evaluate(data_.train)) event.metrics["train_eval." + k] = v;
      }
    }
    if (!step_schedule) {
      if (s.schedule->needs_metric()) {
        auto it = event.metrics.find(es.metric);
        if (it == event.metrics.end()) it = event.metrics.find("train.loss");
        s.schedule->step(it->second);
      } else {
        s.schedule->step();
      }
    }
    s.train_seconds += s.epoch_seconds;
    ++s.epoch;
    s.batch = 0;
    s.loss_sum = s.correct = 0.0;
    s.seen = 0;
    s.epoch_seconds = 0.0;
    event.wall_time = seconds_since(run_start);
    for (TrainingObserver* o : observers_) o->on_epoch_end(event);
    summary.final_metrics = event.metrics;

    if (es.patience > 0) {
      auto it = event.metrics.find(es.metric);
      if (it != event.metrics.end()) {
        if (improves(es, it->second, s.best)) {
          s.best = it->second;
          s.bad_evaluations = 0;
        } else if (++s.bad_evaluations >= es.patience) {
          summary.status = RunStatus::EarlyStopped;
          summary.message = fmt::format(
              "early stopping after epoch {}: {} did not improve on {:.6g} for {} evaluations",
              s.epoch, es.metric, s.best, s.bad_evaluations);
          notify(summary.message);
        }
      }
    }
    const bool final = s.epoch == config_.epochs || summary.status != RunStatus::Completed;
    const int64_t every_ckpt = config_.checkpoint.every_epochs;
    if (sink_ && (final || (every_ckpt > 0 && s.epoch % every_ckpt == 0))) {
      sink_(step_, final);
    }
  }
  summary.steps = step_;
  summary.epochs = s.epoch;
  summary.seconds = seconds_since(run_start);
  summary.seconds_per_epoch = s.epoch > 0 ? s.train_seconds / static_cast<double>(s.epoch) : 0.0;
  if (s.skipped > 0) notify(fmt::format("{} non-finite steps were skipped", s.skipped));
  return summary;
}

}  // namespace descent::app
