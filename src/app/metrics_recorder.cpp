#include <cmath>

#include "descent/app/observers.h"

namespace descent::app {

MetricsRecorder::MetricsRecorder(MetricsLog& log, std::string run_label, int64_t every)
    : log_(log), run_(std::move(run_label)), every_(std::max<int64_t>(every, 1)) {}

void MetricsRecorder::on_step(const StepEvent& e) {
  if (e.skipped) return;
  loss_sum_ += e.loss;
  accuracy_sum_ += e.accuracy;
  grad_norm_sum_ += e.grad_norm;
  ++window_;
  if (window_ >= every_ || e.batch + 1 == e.batches_per_epoch) flush_window(e);
}

void MetricsRecorder::flush_window(const StepEvent& e) {
  if (window_ == 0) return;
  const double n = static_cast<double>(window_);
  std::vector<MetricRecord> records;
  auto add = [&](const char* metric, double value) {
    records.push_back({run_, e.step, e.epoch, e.wall_time, "train_step", metric, value});
  };
  add("loss", loss_sum_ / n);
  if (!std::isnan(accuracy_sum_)) add("accuracy", accuracy_sum_ / n);
  add("lr", e.lr);
  add("grad_norm", grad_norm_sum_ / n);
  log_.append(records);
  window_ = 0;
  loss_sum_ = accuracy_sum_ = grad_norm_sum_ = 0.0;
}

void MetricsRecorder::on_diagnostics(const DiagnosticsEvent& e) {
  std::vector<MetricRecord> records;
  records.reserve(e.values.size());
  for (const auto& [metric, value] : e.values) {
    records.push_back(
        {run_, e.step, e.epoch, e.wall_time, std::string(kDiagnosticsSplit), metric, value});
  }
  log_.append(records);
}

void MetricsRecorder::on_epoch_end(const EpochEvent& e) {
  // A record's epoch counts the epochs completed when it was made: step records in the first
  // epoch say 0, the records at the end of that epoch say 1.
  const int64_t completed = e.epoch + 1;
  std::vector<MetricRecord> records;
  for (const auto& [key, value] : e.metrics) {
    const size_t dot = key.find('.');
    records.push_back(
        {run_, e.step, completed, e.wall_time, key.substr(0, dot), key.substr(dot + 1), value});
  }
  records.push_back({run_, e.step, completed, e.wall_time, "train", "epoch_seconds", e.seconds});
  log_.append(records);
}

}  // namespace descent::app
