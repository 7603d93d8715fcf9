// `descent race`: several optimizers on a 2-D test problem from the same start; prints the
// trajectories. The run logic is app/race (shared with the web server); this file parses
// options and prints.
#include <descent/analysis/problems.h>
#include <descent/app/race.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace descent::cli {
namespace {

struct RaceCliOptions {
  std::string function;
  std::vector<std::string> optimizers;
  int64_t steps = 100;
  std::string start;
  std::string format = "csv";
};

void run(const RaceCliOptions& o) {
  app::RaceOptions opt{.function = o.function, .optimizers = o.optimizers, .steps = o.steps};
  if (!o.start.empty()) opt.start = app::parse_point(o.start);
  const app::RaceResult result = app::run_race(opt);
  if (o.format == "json") {
    fmt::print("{}\n", app::race_json(result).dump(2));
  } else {
    fmt::print("{}", app::race_csv(result));
  }
}

}  // namespace

void register_race(CLI::App& app) {
  auto opt = std::make_shared<RaceCliOptions>();
  std::string names;
  for (const std::string& n : analysis::problem_names()) names += (names.empty() ? "" : ", ") + n;
  CLI::App* sub = app.add_subcommand(
      "race", "Race optimizers on a 2-D test function and print their trajectories");
  sub->add_option("--function", opt->function, "Test function: " + names)->required();
  sub->add_option("--optimizer", opt->optimizers,
                  "Optimizer spec name:key=value,... (e.g. sgd:lr=0.001,momentum=0.9); repeat "
                  "to race several")
      ->required()
      ->allow_extra_args(false);
  sub->add_option("--steps", opt->steps, "Optimizer steps per trajectory")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--start", opt->start,
                  "Start point X,Y (default: the function's; write --start=-1,2 for negatives)");
  sub->add_option("--format", opt->format, "Output format")
      ->capture_default_str()
      ->check(CLI::IsMember({"csv", "json"}));
  sub->callback([opt] { run(*opt); });
}

}  // namespace descent::cli
