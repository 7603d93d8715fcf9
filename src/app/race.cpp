// The optimizer race on a 2-D test problem.
#include "descent/app/race.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <memory>

#include "descent/analysis/problems.h"
#include "descent/app/text_file.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/optim/spec.h"

namespace descent::app {
namespace {

constexpr int64_t kMaxSteps = 10'000'000;

RaceTrajectory run_one(const analysis::Problem& problem, const optim::OptimizerSpec& spec,
                       std::array<double, 2> start, int64_t steps) {
  Tensor xy = tensor({start[0], start[1]}, DType::Float64);
  xy.set_requires_grad(true);
  std::unique_ptr<optim::Optimizer> opt = optim::make_optimizer(spec, {xy});
  int64_t evals = 0;
  const optim::Closure closure = optim::make_closure(*opt, [&] {
    ++evals;
    return problem.value(xy);
  });
  RaceTrajectory run{.optimizer = spec.str(), .points = {}};
  run.points.reserve(static_cast<size_t>(steps) + 1);
  for (int64_t k = 0;; ++k) {
    double loss = 0.0;
    {
      NoGradGuard no_grad;
      loss = problem.value(xy).item();
    }
    run.points.push_back({k, xy.at({0}), xy.at({1}), loss, evals});
    if (k == steps) break;
    opt->step(closure);
  }
  return run;
}

}  // namespace

RaceResult run_race(const RaceOptions& options) {
  const analysis::Problem problem = analysis::problem_by_name(options.function);
  if (options.optimizers.empty()) throw ValueError("race: give at least one --optimizer");
  if (options.steps < 0 || options.steps > kMaxSteps) {
    throw ValueError(
        fmt::format("race: steps must be in [0, {}], got {}", kMaxSteps, options.steps));
  }
  std::vector<optim::OptimizerSpec> specs;
  for (const std::string& s : options.optimizers) specs.push_back(optim::parse_optimizer_spec(s));
  const std::array<double, 2> start =
      options.start.value_or(std::array<double, 2>{problem.start.x, problem.start.y});
  if (!std::isfinite(start[0]) || !std::isfinite(start[1])) {
    throw ValueError("race: the start point must be finite");
  }
  RaceResult result{.function = problem.name, .start = start, .runs = {}};
  for (const optim::OptimizerSpec& spec : specs) {
    result.runs.push_back(run_one(problem, spec, start, options.steps));
  }
  return result;
}

std::string race_csv(const RaceResult& result) {
  // The columns the issue fixes; gradient evaluations per row are in the JSON form.
  std::string out = "optimizer,step,x,y,loss\n";
  for (const RaceTrajectory& run : result.runs) {
    const std::string name = csv_field(run.optimizer);
    for (const RacePoint& p : run.points) {
      out += fmt::format("{},{},{},{},{}\n", name, p.step, p.x, p.y, p.loss);
    }
  }
  return out;
}

nlohmann::ordered_json race_json(const RaceResult& result) {
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const RaceTrajectory& run : result.runs) {
    nlohmann::ordered_json xs = nlohmann::ordered_json::array(),
                           ys = nlohmann::ordered_json::array(),
                           losses = nlohmann::ordered_json::array(),
                           evals = nlohmann::ordered_json::array();
    for (const RacePoint& p : run.points) {
      // JSON has no NaN/inf; a diverged run shows null from there on.
      auto num = [](double v) {
        return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
      };
      xs.push_back(num(p.x));
      ys.push_back(num(p.y));
      losses.push_back(num(p.loss));
      evals.push_back(p.evals);
    }
    runs.push_back(
        {{"optimizer", run.optimizer}, {"x", xs}, {"y", ys}, {"loss", losses}, {"evals", evals}});
  }
  return {
      {"function", result.function}, {"start", {result.start[0], result.start[1]}}, {"runs", runs}};
}

std::array<double, 2> parse_point(const std::string& text) {
  const size_t comma = text.find(',');
  std::array<double, 2> p{};
  auto parse = [&](std::string_view s, double& out) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty() && std::isfinite(out);
  };
  if (comma == std::string::npos || !parse(std::string_view(text).substr(0, comma), p[0]) ||
      !parse(std::string_view(text).substr(comma + 1), p[1])) {
    throw ValueError(fmt::format("race: start '{}' is not a point X,Y (e.g. -1.5,2)", text));
  }
  return p;
}

}  // namespace descent::app
