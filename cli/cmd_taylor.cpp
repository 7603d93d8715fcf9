// `descent taylor --function NAME --degrees 1,3,5 --around X0 --range LO,HI [--points N]
// [--json]`: Taylor polynomials of a scalar function by nested autodiff, their coefficients, a
// table of f next to each polynomial and the largest error per degree. The math is
// analysis/taylor.
#include <descent/analysis/taylor.h>
#include <descent/core/error.h>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "number_list.h"

namespace descent::cli {
namespace {

constexpr int kMaxDegree = 30;

struct TaylorCliOptions {
  std::string function = "sin";
  std::string degrees = "1,3,5,7,9,11,13";
  double around = 0.0;
  std::string range = "-6,6";
  int points = 121;
  bool json = false;
};

std::vector<int> parse_degrees(const std::string& text) {
  std::vector<int> out;
  for (double v : parse_number_list(text, "--degrees")) {
    if (v != std::floor(v) || v < 0 || v > kMaxDegree) {
      throw ValueError(fmt::format("--degrees: {} is not an integer in [0, {}]", v, kMaxDegree));
    }
    out.push_back(static_cast<int>(v));
  }
  return out;
}

nlohmann::ordered_json to_json(const analysis::ScalarFunction& f, const analysis::TaylorTable& t) {
  nlohmann::ordered_json max_error = nlohmann::ordered_json::object();
  nlohmann::ordered_json polys = nlohmann::ordered_json::object();
  for (size_t d = 0; d < t.degrees.size(); ++d) {
    max_error[std::to_string(t.degrees[d])] = t.max_error[d];
    polys[std::to_string(t.degrees[d])] = t.polynomial[d];
  }
  return {{"function", f.name},
          {"formula", f.formula},
          {"around", t.x0},
          {"range", {t.x.front(), t.x.back()}},
          {"points", t.x.size()},
          {"degrees", t.degrees},
          {"coefficients", t.coefficients},
          {"max_error", max_error},
          {"x", t.x},
          {"f", t.f},
          {"polynomials", polys}};
}

void print_text(const analysis::ScalarFunction& f, const analysis::TaylorTable& t) {
  fmt::print("Taylor polynomials of {} around x0 = {} (derivatives by nested autodiff)\n\n",
             f.formula, t.x0);
  fmt::print("coefficients c_k = f^(k)(x0) / k!\n");
  for (size_t k = 0; k < t.coefficients.size(); ++k) {
    fmt::print("  c_{:<3} {: .17g}\n", k, t.coefficients[k]);
  }
  fmt::print("\nmax |f(x) - T_n(x)| over [{}, {}] ({} points)\n", t.x.front(), t.x.back(),
             t.x.size());
  for (size_t d = 0; d < t.degrees.size(); ++d) {
    fmt::print("  degree {:<3} {:.6e}\n", t.degrees[d], t.max_error[d]);
  }
  fmt::print("\n{:>10} {:>14}", "x", "f(x)");
  for (int n : t.degrees) fmt::print(" {:>14}", fmt::format("T{}(x)", n));
  fmt::print("\n");
  for (size_t i = 0; i < t.x.size(); ++i) {
    fmt::print("{:>10.4f} {:>14.6g}", t.x[i], t.f[i]);
    for (size_t d = 0; d < t.degrees.size(); ++d) fmt::print(" {:>14.6g}", t.polynomial[d][i]);
    fmt::print("\n");
  }
}

void run(const TaylorCliOptions& o) {
  const analysis::ScalarFunction f = analysis::scalar_function_by_name(o.function);
  const std::vector<int> degrees = parse_degrees(o.degrees);
  const std::vector<double> range = parse_number_list(o.range, "--range");
  if (range.size() != 2) {
    throw ValueError(fmt::format("--range: expected LO,HI, got '{}'", o.range));
  }
  if (!std::isfinite(o.around)) throw ValueError("--around: must be a finite number");
  const analysis::TaylorTable t =
      analysis::taylor_table(f, o.around, degrees, range[0], range[1], o.points);
  if (o.json) {
    fmt::print("{}\n", to_json(f, t).dump(2));
  } else {
    print_text(f, t);
  }
}

}  // namespace

void register_taylor(CLI::App& app) {
  auto opt = std::make_shared<TaylorCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "taylor", "Taylor polynomials of a scalar function by repeated autodiff, and their errors");
  sub->add_option("--function", opt->function,
                  fmt::format("Function: {}", fmt::join(analysis::scalar_function_names(), ", ")))
      ->capture_default_str();
  sub->add_option("--degrees", opt->degrees, "Comma-separated polynomial degrees")
      ->capture_default_str();
  sub->add_option("--around", opt->around, "Expansion point x0")->capture_default_str();
  sub->add_option("--range", opt->range, "LO,HI: the interval of the table")->capture_default_str();
  sub->add_option("--points", opt->points, "Grid points over the range")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  sub->add_flag("--json", opt->json, "Print JSON");
  sub->callback([opt] { run(*opt); });
}

}  // namespace descent::cli
