// `descent landscape CHECKPOINT [--to CHECKPOINT2] [--data PATH] [--split train|test]
// [--samples N] [--grid N] [--range R] [--seed S] [--directions random|hessian] [--out DIR]
// [--json]`: the loss along the line between two checkpoints (--to), or on a 2-D slice through
// one checkpoint along random filter-normalized directions or the top two Hessian eigenvectors;
// writes landscape.csv, landscape.json and landscape.html, and inside a run directory renders
// its report.html again with every landscape of the run. The work is app::run_landscape.
#include <descent/app/landscape_job.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "commands.h"

namespace descent::cli {
namespace {

struct LandscapeCliOptions {
  app::LandscapeOptions job;
  std::string checkpoint, to, out;
  bool json = false;
};

void run(LandscapeCliOptions& o) {
  o.job.checkpoint = o.checkpoint;
  o.job.to = o.to;
  o.job.out_dir = o.out;
  const app::LandscapeResult r = app::run_landscape(o.job);
  if (o.json) {
    nlohmann::ordered_json j = app::landscape_json(r);
    j["out_dir"] = r.out_dir.string();
    if (!r.report.empty()) j["report"] = r.report.string();
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{} split, first {} examples, eval mode\n", r.split, r.examples);
  if (r.kind == "interpolation") {
    fmt::print("loss along (1 - alpha) A + alpha B, A = {}, B = {}\n", r.checkpoint, r.to);
    fmt::print("{:>8} {:>14} {:>10}\n", "alpha", "loss", "accuracy");
    for (size_t i = 0; i < r.line.alpha.size(); ++i) {
      fmt::print("{:>8.4f} {:>14.6g} {:>10.4f}\n", r.line.alpha[i], r.line.loss[i],
                 r.line.accuracy[i]);
    }
  } else {
    const size_t na = r.slice.a.size(), nb = r.slice.b.size();
    const double centre = r.slice.loss[(nb / 2) * na + na / 2];
    const auto [lo, hi] = std::minmax_element(r.slice.loss.begin(), r.slice.loss.end());
    fmt::print(
        "2-D slice L(theta0 + a d1 + b d2), {}x{} grid over [{}, {}]^2, {} directions, seed {}\n",
        na, nb, r.slice.a.front(), r.slice.a.back(), r.directions, r.seed);
    if (r.directions == "hessian") {
      fmt::print("d1, d2: unit Hessian eigenvectors, lambda1 = {:.6g}, lambda2 = {:.6g}\n",
                 r.eigenvalues.at(0), r.eigenvalues.at(1));
    }
    fmt::print("loss at the centre {:.6g}, min {:.6g}, max {:.6g}\n", centre, *lo, *hi);
  }
  fmt::print("wrote {}/landscape.{{csv,json,html}}\n", r.out_dir.string());
  if (!r.report.empty()) fmt::print("updated {}\n", r.report.string());
}

}  // namespace

void register_landscape(CLI::App& app) {
  auto opt = std::make_shared<LandscapeCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "landscape",
      "Loss landscape: a line between two checkpoints, or a 2-D slice (random or Hessian)");
  sub->add_option("checkpoint", opt->checkpoint, "Checkpoint file (θ0, or θA with --to)")
      ->required();
  sub->add_option("--to", opt->to, "Second checkpoint θB: interpolate from θA to θB");
  sub->add_option("--data", opt->job.data_path, "Dataset path to use instead of the config's");
  sub->add_option("--split", opt->job.split, "Split the loss is measured on")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "test"}));
  sub->add_option("--samples", opt->job.samples, "Use the first N examples of the split (0: all)")
      ->capture_default_str();
  sub->add_option("--grid", opt->job.grid, "Points per axis (default 25 for 1-D, 21 for 2-D)");
  sub->add_option("--range", opt->job.range, "2-D: [-R, R]^2; 1-D: alpha in [-R/2, 1 + R/2]")
      ->capture_default_str();
  sub->add_option("--seed", opt->job.seed, "Seed of the random directions")->capture_default_str();
  sub->add_option("--directions", opt->job.directions,
                  "2-D directions: random (filter-normalized) or hessian (top two eigenvectors)")
      ->capture_default_str()
      ->check(CLI::IsMember({"random", "hessian"}));
  sub->add_option("--out", opt->out, "Output directory (default: <run dir>/analysis)");
  sub->add_flag("--json", opt->json, "Print JSON");
  sub->callback([opt] { run(*opt); });
}

}  // namespace descent::cli
