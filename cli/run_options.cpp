#include "run_options.h"

#include <descent/app/trainer.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cmath>

namespace descent::cli {

void add_config_options(CLI::App& sub, std::vector<std::string>& sets, bool& print_config) {
  sub.add_option("--set", sets,
                 "Override a config key: key.path=value (JSON value or plain string); repeatable")
      ->allow_extra_args(false);
  sub.add_flag("--print-config", print_config, "Print the resolved config and exit");
}

void add_progress_option(CLI::App& sub, std::string& progress) {
  sub.add_option("--progress", progress,
                 "Progress display: a bar on a terminal (auto), bar, plain lines, or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "bar", "plain", "none"}));
}

void print_run_outcome(const app::RunDir& dir, const app::RunSummary& summary) {
  std::string metrics;
  for (const auto& [key, value] : summary.final_metrics) {
    if (std::isnan(value)) continue;
    metrics += key.ends_with("accuracy") ? fmt::format("  {} {:.2f}%", key, 100 * value)
                                         : fmt::format("  {} {:.4f}", key, value);
  }
  fmt::print("run: {}\n", dir.path.string());
  // Training time excludes evaluation, checkpoints and loading the data.
  fmt::print("steps {}, epochs {}, training {:.1f} s ({:.2f} s/epoch){}\n", summary.steps,
             summary.epochs, summary.seconds_per_epoch * static_cast<double>(summary.epochs),
             summary.seconds_per_epoch, metrics);
  fmt::print("report: {}\n", dir.report_path().string());
  if (summary.status == app::RunStatus::EarlyStopped) fmt::print("{}\n", summary.message);
  if (summary.status == app::RunStatus::Diverged) {
    fmt::print(stderr, "descent: {}\n", summary.message);
    throw CLI::RuntimeError(kExitDiverged);
  }
}

void run_guarded(const std::function<void()>& body) {
  try {
    body();
  } catch (const app::DivergenceError& e) {
    fmt::print(stderr, "descent: {}\n", e.what());
    throw CLI::RuntimeError(kExitDiverged);
  }
}

}  // namespace descent::cli
