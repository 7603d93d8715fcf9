// `descent linear`: the lecture's linear classifier slide. Prints the table of scores and
// per-point losses, the data, regularization and total losses, and the gradient of the total
// loss with respect to W and b; optionally takes gradient steps. All math is in
// app/linear_classifier; this file parses options and prints.
#include <descent/app/linear_classifier.h>
#include <descent/app/linear_classifier_json.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"

namespace descent::cli {
namespace {

struct LinearOptions {
  std::string loss = "svm";
  double reg = app::kLectureReg;
  double margin = 1.0;
  double lr = 0.1;
  int64_t steps = 0;
  std::string points;  // empty: the lecture's points
  bool json = false;
  int digits = 2;
};

void print_table(const std::vector<app::Point>& points, const app::LinearEvaluation& e, int p) {
  const size_t classes = e.scores.empty() ? 0 : e.scores[0].size();
  std::string header = fmt::format("{:>7} {:>7} {:>3}", "x0", "x1", "y");
  for (size_t k = 0; k < classes; ++k) header += fmt::format(" {:>7}", fmt::format("s{}", k));
  fmt::print("{} {:>7}\n", header, "L");
  for (size_t i = 0; i < points.size(); ++i) {
    std::string row =
        fmt::format("{:>7.{}f} {:>7.{}f} {:>3}", points[i].x0, p, points[i].x1, p, points[i].label);
    for (double s : e.scores[i]) row += fmt::format(" {:>7.{}f}", s, p);
    fmt::print("{} {:>7.{}f}\n", row, e.losses[i], p);
  }
  fmt::print("{:<{}} {:>7.{}f}\n", "mean:", header.size(), e.data_loss, p);
}

void print_report(const std::vector<app::Point>& points, const app::LinearObjective& obj,
                  const app::LinearDescent& run, int p) {
  const app::LinearEvaluation& e = run.evaluation;
  print_table(points, e, p);
  fmt::print("\nTotal data loss:     {:.{}f}\n", e.data_loss, p);
  fmt::print("Regularization loss: {:.{}f}   (λ Σ W², λ = {}; biases not penalized)\n", e.reg_loss,
             p, obj.reg);
  fmt::print("Total loss:          {:.{}f}\n", e.total_loss, p);
  fmt::print("\nParameters and the gradient of the total loss (autodiff):\n");
  fmt::print("{:<8} {:>8} {:>8}\n", "", "value", "grad");
  for (size_t k = 0; k < run.model.W.size(); ++k) {
    for (size_t d = 0; d < 2; ++d)
      fmt::print("{:<8} {:>8.{}f} {:>8.{}f}\n", fmt::format("W[{},{}]", k, d), run.model.W[k][d], p,
                 e.grad.W[k][d], p);
    fmt::print("{:<8} {:>8.{}f} {:>8.{}f}\n", fmt::format("b[{}]", k), run.model.b[k], p,
               e.grad.b[k], p);
  }
}

int run_linear(const LinearOptions& opt) {
  const app::LinearObjective obj{
      .loss = app::parse_linear_loss(opt.loss), .reg = opt.reg, .margin = opt.margin};
  const std::vector<app::Point> points =
      opt.points.empty() ? app::lecture_points() : app::read_points_csv(opt.points);
  const app::LinearDescent run =
      app::descend_linear(points, app::lecture_model(), obj, opt.steps, opt.lr);

  if (opt.json) {
    fmt::print("{}\n", app::linear_report_json(points, obj, run).dump(2));
    return 0;
  }
  fmt::print("descent linear: s = Wx + b on {} points, {} classes\n", points.size(),
             run.model.classes());
  fmt::print("loss: {}", app::linear_loss_title(obj.loss));
  if (obj.loss != app::LinearLoss::Softmax) fmt::print(" (margin {})", obj.margin);
  fmt::print(", L2 regularization λ = {}\n\n", obj.reg);
  if (opt.steps > 0) {
    fmt::print("{:>6}  {:>10}\n", "step", "total loss");
    for (size_t t = 0; t < run.history.size(); ++t)
      fmt::print("{:>6}  {:>10.{}f}\n", t + 1, run.history[t], opt.digits + 2);
    fmt::print("\nAfter {} gradient steps with learning rate {}:\n\n", opt.steps, opt.lr);
  }
  print_report(points, obj, run, opt.digits);
  if (opt.points.empty() && opt.steps == 0 && obj.loss == app::LinearLoss::Svm)
    fmt::print(
        "\nNote: the lecture's slide lists ∂data/∂W + (λ/2)·W for W (e.g. W[0,0]: -0.38);\n"
        "these are ∂total/∂W = ∂data/∂W + 2λ·W of the total printed above. See "
        "docs/linear-classifier.md.\n");
  return 0;
}

}  // namespace

void register_linear(CLI::App& app) {
  auto opt = std::make_shared<LinearOptions>();
  CLI::App* sub = app.add_subcommand(
      "linear", "The lecture's linear classifier: scores, losses and gradients of y = Wx + b");
  sub->add_option("--loss", opt->loss,
                  "svm (Weston-Watkins), ova (One-vs-All), structured (Crammer-Singer) or "
                  "softmax (cross-entropy)")
      ->capture_default_str()
      ->check(CLI::IsMember({"svm", "ova", "structured", "softmax"}));
  sub->add_option("--reg", opt->reg, "L2 regularization strength λ (reg loss λ Σ W²)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--margin", opt->margin, "Margin Δ of the SVM losses")->capture_default_str();
  sub->add_option("--lr", opt->lr, "Learning rate η of the gradient steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  sub->add_option("--steps", opt->steps,
                  "Full-batch gradient steps to take, printing the total loss after each")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--points", opt->points,
                  "CSV file of x0,x1,y rows (default: the lecture's nine points)");
  sub->add_flag("--json", opt->json, "Print the results as JSON");
  sub->add_option("--digits", opt->digits, "Decimals in the printed table")
      ->capture_default_str()
      ->check(CLI::Range(0, 12));
  sub->callback([opt] {
    const int rc = run_linear(*opt);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace descent::cli
