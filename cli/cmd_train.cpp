// `descent train [CONFIG] [--set key=value ...] [--print-config] [--resume RUN_DIR]`: one run of
// an experiment config (app/run.h does the work).
#include <descent/app/config.h>
#include <descent/app/run.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "run_options.h"

namespace descent::cli {
namespace {

struct TrainCliOptions {
  std::string config;
  std::vector<std::string> sets;
  bool print_config = false;
  std::string resume;
  std::string progress = "auto";
};

void run(const TrainCliOptions& o) {
  app::RunOptions options;
  options.progress = o.progress;
  app::TrainResult result;
  if (!o.resume.empty()) {
    if (!o.config.empty() || !o.sets.empty()) {
      throw ValueError(
          "train: --resume takes its config from the run directory; give no CONFIG "
          "or --set");
    }
    result = app::resume_experiment(o.resume, options);
  } else {
    const app::ExperimentConfig config = app::load_config(o.config, o.sets);
    if (o.print_config) {
      fmt::print("{}\n", app::resolved_json(config).dump(2));
      return;
    }
    result = app::train_experiment(config, options);
  }
  print_run_outcome(result.dir, result.summary);
}

}  // namespace

void register_train(CLI::App& app) {
  auto opt = std::make_shared<TrainCliOptions>();
  CLI::App* sub = app.add_subcommand("train", "Train a model from an experiment config");
  sub->add_option("config", opt->config, "Experiment config (JSON); defaults when omitted");
  add_config_options(*sub, opt->sets, opt->print_config);
  sub->add_option("--resume", opt->resume, "Continue the run in RUN_DIR from its last checkpoint");
  add_progress_option(*sub, opt->progress);
  sub->callback([opt] { run_guarded([&] { run(*opt); }); });
}

}  // namespace descent::cli
