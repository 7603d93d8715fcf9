// `descent dynamics`: gradient descent (plain, heavy ball, Nesterov) on L = ½θᵀAθ in closed form
// per eigen-direction, next to a real run of descent's SGD: regimes, step-size bounds and the
// largest closed-form vs iterative deviation. The math is analysis/dynamics.
#include <descent/analysis/dynamics.h>
#include <descent/app/dynamics_json.h>
#include <descent/core/error.h>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "number_list.h"

namespace descent::cli {
namespace {

struct DynamicsCliOptions {
  std::string eigenvalues;
  std::string matrix;
  std::string design;
  double lr = 0.0;
  double momentum = 0.0;
  bool nesterov = false;
  int64_t steps = 100;
  std::string start;
  bool json = false;
};

analysis::Quadratic make_quadratic(const DynamicsCliOptions& o, std::string& description) {
  if (!o.matrix.empty()) {
    const analysis::NumericTable t = analysis::read_numeric_csv(o.matrix);
    if (t.rows != t.cols) {
      throw ValueError(
          fmt::format("{}: matrix must be square, got {}x{}", o.matrix, t.rows, t.cols));
    }
    description = fmt::format("A from {} ({}x{})", o.matrix, t.rows, t.cols);
    return analysis::quadratic_from_matrix(t.values, t.rows);
  }
  if (!o.design.empty()) {
    const analysis::NumericTable t = analysis::read_numeric_csv(o.design);
    description = fmt::format("A = X^T X, X from {} ({}x{})", o.design, t.rows, t.cols);
    return analysis::quadratic_from_design(t.values, t.rows, t.cols);
  }
  description = "A = diag(" + o.eigenvalues + ")";
  return analysis::quadratic_from_eigenvalues(parse_number_list(o.eigenvalues, "--eigenvalues"));
}

std::string method_name(const analysis::StepRule& r) {
  if (r.momentum == 0.0) return "gradient descent";
  return r.nesterov ? "Nesterov momentum" : "heavy-ball momentum";
}

std::string complex_text(std::complex<double> z) {
  if (z.imag() == 0.0) return fmt::format("{:.6g}", z.real());
  return fmt::format("{:.6g}{:+.6g}i", z.real(), z.imag());
}

void print_text(const analysis::DynamicsReport& r, const std::string& desc) {
  fmt::print("quadratic: L = 1/2 theta^T A theta, {}\n", desc);
  fmt::print("optimizer: {} ({}), {} steps from theta_0 = [{}]\n", r.rule.optimizer_spec(),
             method_name(r.rule), r.steps, fmt::join(r.start, ", "));
  fmt::print("\n{:>4}  {:>12}  {:>10}  {:>26}  {:>10}  {}\n", "dir", "lambda", "lr*lambda",
             "eigenvalues of M", "|eig|max", "regime");
  for (size_t i = 0; i < r.directions.size(); ++i) {
    const analysis::DirectionDynamics& d = r.directions[i];
    const std::string eig = r.rule.momentum == 0.0 ? complex_text(d.r1)
                                                   : complex_text(d.r1) + ", " + complex_text(d.r2);
    fmt::print("{:>4}  {:>12.6g}  {:>10.6g}  {:>26}  {:>10.6g}  {}\n", i, d.lambda, d.step_product,
               eig, d.spectral_radius, analysis::regime_name(d.regime));
  }
  const analysis::DynamicsBounds& b = r.bounds;
  if (b.defined) {
    fmt::print("\nlambda_min = {:.6g} (smallest positive), lambda_max = {:.6g}, kappa = {:.6g}\n",
               b.lambda_min, b.lambda_max, b.kappa);
    fmt::print("stable lr: plain GD < 2/lambda_max = {:.6g}; this rule < {:.6g}\n", b.stable_lr_gd,
               b.stable_lr);
    fmt::print(
        "optimal GD step 2/(lambda_min + lambda_max) = {:.6g}, rate (kappa-1)/(kappa+1) "
        "= {:.6g}\n",
        b.optimal_lr, b.optimal_rate);
    fmt::print(
        "optimal heavy ball: lr = {:.6g}, momentum = {:.6g}, rate "
        "(sqrt(kappa)-1)/(sqrt(kappa)+1) = {:.6g}\n",
        b.optimal_momentum_lr, b.optimal_momentum, b.optimal_momentum_rate);
  } else {
    fmt::print("\nbounds: undefined (A has a negative eigenvalue or no positive one)\n");
  }
  fmt::print("\ncoordinate in eigenbasis after {} steps: closed form vs iterated\n", r.steps);
  for (size_t i = 0; i < r.directions.size(); ++i)
    fmt::print("{:>4}  {:>24.17g}  {:>24.17g}\n", i, r.closed.back()[i], r.iterated.back()[i]);
  fmt::print("max |closed form - iterated| (relative): {:.3g}\n", r.max_deviation);
}

void run(const DynamicsCliOptions& o) {
  std::string desc;
  const analysis::Quadratic q = make_quadratic(o, desc);
  const analysis::StepRule rule{.lr = o.lr, .momentum = o.momentum, .nesterov = o.nesterov};
  const std::vector<double> start =
      o.start.empty() ? std::vector<double>{} : parse_number_list(o.start, "--start");
  const analysis::DynamicsReport r = analysis::analyze_dynamics(q, rule, o.steps, start);
  if (o.json) {
    fmt::print("{}\n", app::dynamics_report_json(r, desc).dump(2));
  } else {
    print_text(r, desc);
  }
}

}  // namespace

void register_dynamics(CLI::App& app) {
  auto opt = std::make_shared<DynamicsCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "dynamics",
      "Gradient descent on L = 1/2 theta^T A theta in closed form per eigen-direction, next to "
      "a real SGD run: regimes, step-size bounds, deviation");
  CLI::Option* eig =
      sub->add_option("--eigenvalues", opt->eigenvalues, "Eigenvalues of A, e.g. 1,10,100");
  CLI::Option* mat =
      sub->add_option("--matrix", opt->matrix, "CSV file with a symmetric matrix A (no header)");
  CLI::Option* des = sub->add_option("--design", opt->design,
                                     "CSV file with a design matrix X, A = X^T X (no header)");
  eig->excludes(mat)->excludes(des);
  mat->excludes(des);
  sub->add_option("--lr", opt->lr, "Step size alpha (> 0)")->required();
  sub->add_option("--momentum", opt->momentum, "Momentum mu (PyTorch's SGD convention)")
      ->capture_default_str();
  sub->add_flag("--nesterov", opt->nesterov, "Nesterov momentum");
  sub->add_option("--steps", opt->steps, "Steps of the run")->capture_default_str();
  sub->add_option("--start", opt->start,
                  "theta_0 as X1,X2,... (default all ones; write --start=-1,2 for negatives)");
  sub->add_flag("--json", opt->json, "Print JSON");
  sub->callback([opt] {
    if (opt->eigenvalues.empty() && opt->matrix.empty() && opt->design.empty())
      throw ValueError("dynamics: give one of --eigenvalues, --matrix or --design");
    run(*opt);
  });
}

}  // namespace descent::cli
