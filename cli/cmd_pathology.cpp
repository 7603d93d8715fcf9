// `descent pathology plateau|curvature [options] [--json]`: the lecture's two pathologies of
// optimization as experiments with a compact table (app/pathology_plateau.h,
// app/pathology_curvature.h; docs/pathologies.md).
#include <descent/app/pathology_curvature.h>
#include <descent/app/pathology_plateau.h>
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "commands.h"

namespace descent::cli {
namespace {

struct PathologyCliOptions {
  app::PlateauExperimentOptions plateau;
  app::CurvatureExperimentOptions curvature;
  bool json = false;
};

void run_plateau(const PathologyCliOptions& o) {
  const app::PlateauExperiment e = app::run_plateau_experiment(o.plateau);
  fmt::print("{}", o.json ? app::plateau_experiment_json(e).dump(2) + "\n"
                          : app::format_plateau_experiment(e));
}

void run_curvature(const PathologyCliOptions& o) {
  const app::CurvatureExperiment e = app::run_curvature_experiment(o.curvature);
  fmt::print("{}", o.json ? app::curvature_experiment_json(e).dump(2) + "\n"
                          : app::format_curvature_experiment(e));
}

}  // namespace

void register_pathology(CLI::App& app) {
  auto opt = std::make_shared<PathologyCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "pathology", "The lecture's pathologies as experiments: plateaux and high curvature");
  sub->require_subcommand(1);

  app::PlateauExperimentOptions& p = opt->plateau;
  CLI::App* plateau = sub->add_subcommand(
      "plateau", "Saturated sigmoid (large-variance init) vs sigmoid Xavier vs ReLU He");
  plateau
      ->add_option("--dataset", p.data.dataset,
                   "Classification dataset (synthetic or "
                   "fashion-mnist)")
      ->capture_default_str();
  plateau->add_option("--samples", p.data.samples, "Synthetic examples per class")
      ->capture_default_str();
  plateau->add_option("--train-limit", p.data.train_limit, "First N training examples (0: all)")
      ->capture_default_str();
  plateau->add_option("--hidden", p.hidden, "Hidden layer widths")->capture_default_str();
  plateau->add_option("--std", p.bad_init_std, "Std of the poor N(0, std^2) initialization")
      ->capture_default_str();
  plateau->add_option("--lr", p.lr, "Step of full-batch gradient descent")->capture_default_str();
  plateau->add_option("--target", p.target_loss, "Loss whose first step is reported")
      ->capture_default_str();
  plateau->add_option("--steps", p.steps, "Steps per case")->capture_default_str();
  plateau->add_option("--every", p.every, "A table row every N steps")->capture_default_str();
  plateau->add_option("--seed", p.seed, "Seed of data and weights")->capture_default_str();
  plateau->add_flag("--json", opt->json, "Print JSON");
  plateau->callback([opt] { run_plateau(*opt); });

  app::CurvatureExperimentOptions& c = opt->curvature;
  CLI::App* curvature = sub->add_subcommand(
      "curvature", "Off-centre, badly scaled inputs vs standardized vs BatchNorm");
  curvature->add_option("--samples", c.samples, "Examples")->capture_default_str();
  curvature->add_option("--scales", c.scales, "Per-feature scales s_j")->capture_default_str();
  curvature->add_option("--offsets", c.offsets, "Per-feature offsets c_j")->capture_default_str();
  curvature->add_option("--weights", c.weights, "True weights w_j")->capture_default_str();
  curvature->add_option("--lr-rule", c.lr_rule, "optimal: 2/(lmin+lmax); stable: 1/lmax")
      ->capture_default_str()
      ->check(CLI::IsMember({"optimal", "stable"}));
  curvature->add_option("--target", c.target, "Stop when L <= target * L0")->capture_default_str();
  curvature->add_option("--max-steps", c.max_steps, "Give up after this many steps")
      ->capture_default_str();
  curvature->add_option("--seed", c.seed, "Seed of the data")->capture_default_str();
  curvature->add_flag("--json", opt->json, "Print JSON");
  curvature->callback([opt] { run_curvature(*opt); });
}

}  // namespace descent::cli
