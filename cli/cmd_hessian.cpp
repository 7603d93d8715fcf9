// `descent hessian CHECKPOINT [--data PATH] [--samples N] [--top K] [--bottom K] [--trace]
// [--density] [--blocks] [--json]`: the curvature of a checkpoint's training loss
// (app/hessian_report.h; docs/curvature.md).
#include <descent/app/hessian_report.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "commands.h"

namespace descent::cli {
namespace {

struct HessianCliOptions {
  std::string checkpoint;
  app::HessianReportOptions report;
  bool json = false;
};

void run(const HessianCliOptions& o) {
  const app::HessianReport r = app::hessian_report(o.checkpoint, o.report);
  if (o.json) {
    fmt::print("{}\n", app::hessian_report_json(r).dump(2));
  } else {
    fmt::print("{}", app::format_hessian_report(r));
  }
}

}  // namespace

void register_hessian(CLI::App& app) {
  auto opt = std::make_shared<HessianCliOptions>();
  app::HessianReportOptions& r = opt->report;
  CLI::App* sub = app.add_subcommand(
      "hessian", "Curvature of a checkpoint's loss: Hessian eigenvalues, trace, density");
  sub->add_option("checkpoint", opt->checkpoint, "Checkpoint file (a run's checkpoints/*.ckpt)")
      ->required();
  sub->add_option("--data", r.data_path, "Dataset path to use instead of the config's");
  sub->add_option("--samples", r.samples, "Training examples the loss is evaluated on")
      ->capture_default_str();
  sub->add_option("--top", r.top, "Largest eigenvalues to print")->capture_default_str();
  sub->add_option("--bottom", r.bottom, "Smallest eigenvalues to print")->capture_default_str();
  sub->add_option("--steps", r.lanczos_steps, "Lanczos steps (0: automatic)")
      ->capture_default_str();
  sub->add_flag("--trace", r.trace, "Estimate the trace (Hutchinson) with its standard error");
  sub->add_option("--probes", r.trace_probes, "Probes of the trace estimates")
      ->capture_default_str();
  sub->add_flag("--density", r.density, "Spectral density by stochastic Lanczos quadrature");
  sub->add_flag("--blocks", r.blocks, "Top eigenvalue and trace of each layer's block");
  sub->add_option("--seed", r.seed, "Seed of the random start and probe vectors")
      ->capture_default_str();
  sub->add_flag("--json", opt->json, "Print JSON");
  sub->callback([opt] { run(*opt); });
}

}  // namespace descent::cli
