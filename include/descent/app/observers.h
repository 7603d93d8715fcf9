#pragma once
// Observers of a training run (trainer.h): the metrics recorder and the progress display.
#include <chrono>
#include <cstdio>
#include <string>

#include "descent/app/metrics_log.h"
#include "descent/app/trainer.h"

namespace descent::app {

// Turns trainer events into metric records (metrics_log.h):
//   split "train_step": loss, accuracy, lr, grad_norm — means over the last `every` steps,
//                       logged every `every` steps and at the end of each epoch;
//   split "train":      loss, accuracy (means over the epoch), epoch_seconds;
//   split "test" (and "train_eval"): loss, accuracy after each evaluation;
//   split "diag":       the training diagnostics as they are measured (one record per value,
//                       metric "<quantity>:<layer>", see docs/diagnostics.md).
// A record's epoch is the number of epochs completed when it was made.
class MetricsRecorder : public TrainingObserver {
 public:
  MetricsRecorder(MetricsLog& log, std::string run_label, int64_t every);
  void on_step(const StepEvent& event) override;
  void on_epoch_end(const EpochEvent& event) override;
  void on_diagnostics(const DiagnosticsEvent& event) override;

 private:
  void flush_window(const StepEvent& last);

  MetricsLog& log_;
  std::string run_;
  int64_t every_;
  int64_t window_ = 0;
  double loss_sum_ = 0.0, accuracy_sum_ = 0.0, grad_norm_sum_ = 0.0;
};

enum class ProgressMode { Bar, Plain, None };

// "auto" picks Bar when stderr is a terminal and Plain otherwise; "bar", "plain", "none".
ProgressMode parse_progress_mode(const std::string& text);

// Writes progress to a stream (stderr): a one-line bar redrawn in place (epoch, step/total,
// smoothed loss, accuracy, lr, it/s, ETA), or plain lines at each epoch end and at most every
// `plain_interval_s` seconds.
class ProgressDisplay : public TrainingObserver {
 public:
  ProgressDisplay(ProgressMode mode, std::string label, int64_t epochs, std::FILE* out = stderr,
                  double plain_interval_s = 10.0);
  void on_step(const StepEvent& event) override;
  void on_epoch_end(const EpochEvent& event) override;
  void on_message(const std::string& text) override;

 private:
  void draw_bar(const StepEvent& e, double rate);
  void end_bar_line();

  ProgressMode mode_;
  std::string label_;
  int64_t epochs_;
  std::FILE* out_;
  double plain_interval_s_;
  double smoothed_loss_ = 0.0, smoothed_accuracy_ = 0.0;
  bool have_smoothed_ = false;
  bool bar_open_ = false;
  double last_print_ = -1.0;
  int64_t first_step_ = -1;
  double first_time_ = 0.0;
};

}  // namespace descent::app
