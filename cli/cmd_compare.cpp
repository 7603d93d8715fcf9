// `descent compare [CONFIG] --optimizer SPEC [--optimizer SPEC ...] [--set ...]`: the same
// experiment once per optimizer, from the same initial weights and batches; prints a summary
// table and where the overlaid report is.
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

struct CompareCliOptions {
  std::string config;
  std::vector<std::string> optimizers;
  std::vector<std::string> sets;
  bool print_config = false;
  std::string progress = "auto";
};

void run(const CompareCliOptions& o) {
  const app::ExperimentConfig config = app::load_config(o.config, o.sets);
  if (o.print_config) {
    fmt::print("{}\n", app::resolved_json(config).dump(2));
    return;
  }
  app::RunOptions options;
  options.progress = o.progress;
  const app::CompareResult result = app::compare_optimizers(config, o.optimizers, options);
  fmt::print("\n{}", app::compare_table(result));
  fmt::print("run: {}\nreport: {}\n", result.dir.path.string(), result.dir.report_path().string());
}

}  // namespace

void register_compare(CLI::App& app) {
  auto opt = std::make_shared<CompareCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "compare", "Train one config with several optimizers from the same start; one report");
  sub->add_option("config", opt->config, "Experiment config (JSON); defaults when omitted");
  sub->add_option("--optimizer", opt->optimizers,
                  "Optimizer spec name:key=value,... (e.g. adam:lr=0.001); repeat for each")
      ->required()
      ->allow_extra_args(false);
  add_config_options(*sub, opt->sets, opt->print_config);
  add_progress_option(*sub, opt->progress);
  sub->callback([opt] { run_guarded([&] { run(*opt); }); });
}

}  // namespace descent::cli
