// `descent eval CHECKPOINT [--data PATH] [--split test|train] [--json]`: the loss and accuracy
// of a checkpoint's model on its dataset (or the same kind of dataset at PATH).
#include <descent/app/run.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"

namespace descent::cli {
namespace {

struct EvalCliOptions {
  std::string checkpoint;
  std::string data;
  std::string split = "test";
  bool json = false;
};

void run(const EvalCliOptions& o) {
  const app::EvalResult r = app::evaluate_checkpoint(o.checkpoint, o.data, o.split);
  if (o.json) {
    nlohmann::ordered_json j = {
        {"checkpoint", o.checkpoint}, {"split", r.split}, {"examples", r.examples}};
    for (const auto& [k, v] : r.metrics) j[k] = v;
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{} split, {} examples\n", r.split, r.examples);
  for (const auto& [k, v] : r.metrics) {
    if (k == "accuracy") {
      fmt::print("{}: {:.2f}%\n", k, 100 * v);
    } else {
      fmt::print("{}: {:.6f}\n", k, v);
    }
  }
}

}  // namespace

void register_eval(CLI::App& app) {
  auto opt = std::make_shared<EvalCliOptions>();
  CLI::App* sub = app.add_subcommand("eval", "Evaluate a checkpoint on its test (or train) data");
  sub->add_option("checkpoint", opt->checkpoint, "Checkpoint file (a run's checkpoints/*.ckpt)")
      ->required();
  sub->add_option("--data", opt->data, "Dataset path to use instead of the config's");
  sub->add_option("--split", opt->split, "Split to evaluate")
      ->capture_default_str()
      ->check(CLI::IsMember({"test", "train"}));
  sub->add_flag("--json", opt->json, "Print JSON");
  sub->callback([opt] { run(*opt); });
}

}  // namespace descent::cli
