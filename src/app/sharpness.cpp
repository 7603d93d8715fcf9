// The power-iteration estimator and the λmax part of the divergence message (sharpness.h).
#include "descent/app/sharpness.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/analysis/power_iteration.h"
#include "descent/core/error.h"

namespace descent::app {

void require_sharpness_estimator(const ExperimentConfig& config,
                                 const SharpnessEstimator& estimator) {
  if (config.diagnostics.sharpness.every_steps > 0 && !estimator) {
    throw ValueError(
        "config: diagnostics.sharpness.every_steps: no sharpness estimator is installed, so "
        "λmax cannot be measured (set it to 0)");
  }
}

double power_iteration_sharpness(const SharpnessProblem& problem) {
  // tol 1e-4: the diagnostics chart and the divergence message need three digits, not six.
  return analysis::estimate_sharpness(problem.params, problem.loss,
                                      {.max_iterations = problem.iterations, .tol = 1e-4})
      .lambda_max;
}

std::string explain_sharpness(double lambda_max, double lr, int64_t step) {
  const std::string where = fmt::format("at the last finite parameters (step {})", step);
  if (!std::isfinite(lambda_max)) {
    return fmt::format("λmax {} is not finite, so the step-size bound cannot be checked", where);
  }
  const double product = lr * lambda_max;
  const std::string head =
      fmt::format("λmax ≈ {:.6g} {}; lr·λmax = {:.6g}", lambda_max, where, product);
  if (product > 2.0) {
    return fmt::format(
        "{} > 2: the step exceeds the stability bound 2/λmax = {:.6g}, which explains the "
        "divergence",
        head, 2.0 / lambda_max);
  }
  return fmt::format(
      "{} <= 2: the step is within the stability bound 2/λmax, so the local curvature does not "
      "explain the divergence",
      head);
}

}  // namespace descent::app
