#pragma once
// The optimizer race: several optimizers start from the same point of a 2-D test problem
// (analysis/problems.h) and their trajectories are recorded side by side. Used by
// `descent race` and by the web lab, so all of the run logic lives here.
//
// Everything runs in float64. Step k of a trajectory is the point x_k after k optimizer steps
// and its loss f(x_k); step 0 is the start. Every optimizer is stepped with a closure
// (optim::make_closure), and `evals` counts the closure calls so far, i.e. evaluations of f and
// its gradient (f alone, recomputed for the row, is not counted). For first-order optimizers
// one step is one evaluation (evals = step). For L-BFGS one step is a whole step(closure):
// up to max_iter iterations and about max_eval evaluations (20 and 25 by default), so compare
// it with the others by evals, or race `lbfgs:max_iter=1` for one iteration per row. For
// Newton one step is one Newton iteration (one evaluation, two with adaptive=true; the
// Hessian's n backward passes are not counted). Lookahead counts its inner optimizer's.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace descent::app {

struct RaceOptions {
  std::string function;                 // a name from analysis::problem_names()
  std::vector<std::string> optimizers;  // specs, e.g. "sgd:lr=0.001,momentum=0.9"
  int64_t steps = 100;
  std::optional<std::array<double, 2>> start = std::nullopt;  // default: the problem's start
};

struct RacePoint {
  int64_t step;
  double x, y, loss;
  int64_t evals;  // closure calls (gradient evaluations) up to this row
};

struct RaceTrajectory {
  std::string optimizer;  // the canonical spec
  std::vector<RacePoint> points;
};

struct RaceResult {
  std::string function;
  std::array<double, 2> start;
  std::vector<RaceTrajectory> runs;
};

// Validates everything (function name, every spec, steps) before running anything; bad input
// is a descent::ValueError saying what is valid.
RaceResult run_race(const RaceOptions& options);

// CSV with the header `optimizer,step,x,y,loss`, one row per step per optimizer. Optimizer
// specs contain commas, so that field is quoted (RFC 4180).
std::string race_csv(const RaceResult& result);
nlohmann::ordered_json race_json(const RaceResult& result);

// "X,Y" → {X, Y}; ValueError otherwise.
std::array<double, 2> parse_point(const std::string& text);

}  // namespace descent::app
