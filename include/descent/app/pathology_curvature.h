#pragma once
// The lecture's "Pathologies. High curvature" as a runnable experiment (`descent pathology
// curvature`, docs/pathologies.md): badly conditioned curvature from inputs that are
// off-centre and unevenly scaled, and the two cures the lecture gives, standardizing the inputs
// and normalizing the pre-activations (BatchNorm).
//
// Data: x_j = c_j + s_j z_j (z ~ N(0, 1)), y = Σ_j w_j x_j + b (data::linear_regression, no
// noise, so the least-squares loss reaches 0 in every case). Model: ŷ = wᵀu + b on an input u
// that is, case by case,
//
//   raw           u = x
//   standardized  u = (x − mean) / std, fitted on the data (data::Standardize)
//   batchnorm     u = BatchNorm1d(x) without affine parameters, in training mode on the full
//                 batch: the same map, computed inside the model from the batch's statistics.
//
// The mean squared error L = (1/n) ‖Ũ θ − y‖², Ũ = [U 1], θ = (w, b), is quadratic with the
// constant Hessian H = (2/n) ŨᵀŨ, so κ(H) = κ(ŨᵀŨ) and gradient descent with step α contracts
// the error along eigenvector i by |1 − α λ_i| per step. The best constant step
// α = 2/(λmin + λmax) gives the rate (κ − 1)/(κ + 1), so the steps grow like κ; α = 1/λmax (the
// "stable" choice, half the divergence threshold 2/λmax) gives 1 − 1/κ.
//
// Two independent routes give the curvature: κ(ŨᵀŨ) from the design matrix, and the spectrum of
// H from autograd (the dense Hessian of the model's loss, analysis::full_hessian) with
// analysis::symmetric_eigen. The report prints both.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/data/dataset.h"

namespace descent::app {

struct CurvatureExperimentOptions {
  int64_t samples = 500;
  std::vector<double> scales = {1.0, 10.0};  // s_j: uneven feature scales
  std::vector<double> offsets = {4.0, 4.0};  // c_j: off-centre features
  std::vector<double> weights = {1.0, -0.5};
  double bias = 0.5;
  std::string lr_rule = "optimal";  // optimal: α = 2/(λmin + λmax); stable: α = 1/λmax
  double target = 1e-8;             // reach L(θ_k) ≤ target · L(θ_0)
  int64_t max_steps = 200000;
  uint64_t seed = 0;
};

struct CurvatureCase {
  std::string name;          // raw | standardized | batchnorm
  double cond_design = 0.0;  // κ(ŨᵀŨ), from the design matrix
  double lambda_min = 0.0;   // of the loss Hessian, from autograd
  double lambda_max = 0.0;
  double cond_hessian = 0.0;  // λmax / λmin
  double lr = 0.0;
  double initial_loss = 0.0;
  double final_loss = 0.0;
  int64_t steps = -1;  // gradient-descent steps to the target; −1: not within max_steps
};

struct CurvatureExperiment {
  CurvatureExperimentOptions options;
  std::vector<CurvatureCase> cases;  // raw, standardized, batchnorm
};

// The experiment's data (inputs float64 [n, d], targets float64 [n, 1]). ValueError for bad
// options, naming the option.
data::Dataset curvature_data(const CurvatureExperimentOptions& options);

CurvatureExperiment run_curvature_experiment(const CurvatureExperimentOptions& options);

nlohmann::ordered_json curvature_experiment_json(const CurvatureExperiment& experiment);
std::string format_curvature_experiment(const CurvatureExperiment& experiment);

}  // namespace descent::app
