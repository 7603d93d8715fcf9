#pragma once
// Sharpness: λmax, the largest eigenvalue of the Hessian of the training loss, measured on a
// fixed probe batch while training, and compared with the step-size bound 2/lr.
//
// For gradient descent on a quadratic, θ ← θ − η ∇L converges along an eigendirection of the
// Hessian with eigenvalue λ iff |1 − ηλ| < 1, i.e. η < 2/λ; the lecture's step-size bound. Full
// batch training is often observed to drive λmax up to 2/η and hover there ("edge of
// stability"); a run whose lr·λmax exceeds 2 by far diverges along the top eigenvector.
//
// The trainer does not compute λmax itself: the caller installs a SharpnessEstimator (for
// example power iteration on Hessian-vector products). The trainer calls it every
// diagnostics.sharpness.every_steps steps and, when a run diverges, at the last parameters
// whose loss and gradient were finite.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "descent/app/config.h"
#include "descent/core/tensor.h"

namespace descent::app {

struct SharpnessProblem {
  // The loss on the probe batch at the current parameter values, with its graph (so it can be
  // differentiated twice): the training objective (loss plus penalties) with the model in
  // evaluation mode, so that measuring changes no running statistic and draws no dropout mask.
  std::function<Tensor()> loss;
  std::vector<Tensor> params;  // the parameters θ the Hessian ∂²L/∂θ² is taken over
  int64_t iterations = 20;     // diagnostics.sharpness.iterations
};

// Returns λmax of the Hessian of problem.loss() over problem.params. It must leave the
// parameter values as it found them; gradients it accumulates in .grad are cleared by the
// trainer afterwards.
using SharpnessEstimator = std::function<double(const SharpnessProblem&)>;

// ValueError naming diagnostics.sharpness.every_steps when `config` asks for sharpness
// measurements and `estimator` is empty.
void require_sharpness_estimator(const ExperimentConfig& config,
                                 const SharpnessEstimator& estimator);

// λmax by power iteration on exact Hessian-vector products (analysis/power_iteration.h), with
// problem.iterations products at most: the estimator `descent train` and `descent compare` use.
double power_iteration_sharpness(const SharpnessProblem& problem);

// The sentence the divergence message ends with, e.g.
//   "λmax ≈ 12.5 at the last finite parameters (step 7); lr·λmax = 1.25e+04 > 2: the step
//    exceeds the stability bound 2/λmax = 0.16, which explains the divergence"
std::string explain_sharpness(double lambda_max, double lr, int64_t step);

}  // namespace descent::app
