// The progress bar and plain progress lines of a training run.
#include <fmt/core.h>
#include <unistd.h>

#include <cmath>

#include "descent/app/observers.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

// Exponential smoothing over about the last 50 steps.
constexpr double kSmoothing = 0.04;

}  // namespace

ProgressMode parse_progress_mode(const std::string& text) {
  if (text == "auto") return isatty(STDERR_FILENO) ? ProgressMode::Bar : ProgressMode::Plain;
  if (text == "bar") return ProgressMode::Bar;
  if (text == "plain") return ProgressMode::Plain;
  if (text == "none") return ProgressMode::None;
  throw ValueError("--progress: expected auto, bar, plain or none, got \"" + text + "\"");
}

ProgressDisplay::ProgressDisplay(ProgressMode mode, std::string label, int64_t epochs,
                                 std::FILE* out, double plain_interval_s)
    : mode_(mode),
      label_(std::move(label)),
      epochs_(epochs),
      out_(out),
      plain_interval_s_(plain_interval_s) {}

void ProgressDisplay::on_step(const StepEvent& e) {
  if (mode_ == ProgressMode::None || e.skipped) return;
  if (!have_smoothed_) {
    smoothed_loss_ = e.loss;
    smoothed_accuracy_ = e.accuracy;
    have_smoothed_ = true;
  } else {
    smoothed_loss_ += kSmoothing * (e.loss - smoothed_loss_);
    smoothed_accuracy_ += kSmoothing * (e.accuracy - smoothed_accuracy_);
  }
  if (first_step_ < 0) {
    first_step_ = e.step;
    first_time_ = e.wall_time;
  }
  const double elapsed = e.wall_time - first_time_;
  const double rate = elapsed > 0 ? static_cast<double>(e.step - first_step_) / elapsed : 0.0;
  if (mode_ == ProgressMode::Bar) {
    // Redrawing costs a write; ten times a second is plenty for the eye.
    if (e.wall_time - last_print_ < 0.1 && e.batch + 1 != e.batches_per_epoch) return;
    last_print_ = e.wall_time;
    draw_bar(e, rate);
  } else if (e.wall_time - last_print_ >= plain_interval_s_) {
    if (last_print_ < 0) {  // the first step only starts the clock
      last_print_ = e.wall_time;
      return;
    }
    last_print_ = e.wall_time;
    fmt::print(out_, "{}epoch {}/{} step {}/{} loss {:.4f}{} lr {:.3g} {:.0f} it/s\n", label_,
               e.epoch + 1, epochs_, e.step, e.total_steps, smoothed_loss_,
               std::isnan(e.accuracy) ? "" : fmt::format(" acc {:.2f}%", 100 * smoothed_accuracy_),
               e.lr, rate);
    std::fflush(out_);
  }
}

void ProgressDisplay::draw_bar(const StepEvent& e, double rate) {
  constexpr int kWidth = 24;
  const double frac =
      e.batches_per_epoch > 0 ? static_cast<double>(e.batch + 1) / e.batches_per_epoch : 1.0;
  const int filled = static_cast<int>(frac * kWidth);
  const double eta = rate > 0 ? static_cast<double>(e.total_steps - e.step) / rate : NAN;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  fmt::print(out_, "\r\033[K{}epoch {}/{} [{}] {}/{} loss {:.4f}{} lr {:.3g} {:.0f} it/s ETA {}",
             label_, e.epoch + 1, epochs_, bar, e.batch + 1, e.batches_per_epoch, smoothed_loss_,
             std::isnan(e.accuracy) ? "" : fmt::format(" acc {:.2f}%", 100 * smoothed_accuracy_),
             e.lr, rate, format_duration(eta));
  std::fflush(out_);
  bar_open_ = true;
}

void ProgressDisplay::end_bar_line() {
  if (!bar_open_) return;
  fmt::print(out_, "\n");
  bar_open_ = false;
}

void ProgressDisplay::on_epoch_end(const EpochEvent& e) {
  if (mode_ == ProgressMode::None) return;
  end_bar_line();
  std::string line =
      fmt::format("{}epoch {}/{} done in {:.2f}s:", label_, e.epoch + 1, epochs_, e.seconds);
  for (const auto& [key, value] : e.metrics) {
    const bool percent = key.size() > 9 && key.ends_with("accuracy");
    line += percent ? fmt::format(" {} {:.2f}%", key, 100 * value)
                    : fmt::format(" {} {:.4f}", key, value);
  }
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

void ProgressDisplay::on_message(const std::string& text) {
  if (mode_ == ProgressMode::None) return;
  end_bar_line();
  fmt::print(out_, "{}{}\n", label_, text);
  std::fflush(out_);
}

}  // namespace descent::app
