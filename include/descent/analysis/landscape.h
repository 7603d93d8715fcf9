#pragma once
// Loss landscapes: the loss (and accuracy) of a model on low-dimensional slices of its parameter
// space.
//
//   1-D interpolation  θ(α) = (1 − α) θA + α θB            (Goodfellow et al. 2015)
//   2-D slice          θ(a, b) = θ0 + a d1 + b d2           (Li et al. 2018)
//
// The directions of a 2-D slice are an input (Directions), so any pair can be used: random
// filter-normalized ones (built here), or e.g. the top two Hessian eigenvectors.
//
// Filter normalization (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"): each
// direction starts Gaussian, d ~ N(0, I); then for every parameter with two or more axes, each
// row (a neuron's incoming weights in a dense layer, a filter in a convolution: the slice along
// the first axis) is rescaled so that ‖d_row‖ = ‖θ0_row‖. This removes the scale invariance of
// ReLU/BatchNorm networks from the picture: a step of size 1 moves each filter by its own size.
// One-axis parameters (biases, BatchNorm weight and bias) get a zero direction by default, as in
// the paper's code (ignore = "biasbn"); with include_vectors they are normalized as one row.
//
// Evaluation is a callback, so this layer knows nothing about models or data: it receives the
// parameter values to evaluate and returns the loss (and accuracy, NaN where not defined).
#include <cstdint>
#include <functional>
#include <vector>

#include "descent/core/rng.h"
#include "descent/core/tensor.h"

namespace descent::analysis {

// Two directions in parameter space, each a list of tensors shaped like the parameters.
struct Directions {
  std::vector<Tensor> d1;
  std::vector<Tensor> d2;
};

struct LossAccuracy {
  double loss = 0.0;
  double accuracy = 0.0;  // NaN for regression
};

using ParamEvaluator = std::function<LossAccuracy(const std::vector<Tensor>& params)>;

struct FilterNormOptions {
  bool include_vectors = false;  // also give 1-axis parameters (biases, BN) a direction
};

// A Gaussian direction shaped like theta0 (same dtypes), filter-normalized to theta0 as
// described above. A row of theta0 that is all zero gets a zero row.
std::vector<Tensor> filter_normalized_direction(const std::vector<Tensor>& theta0, Generator& gen,
                                                const FilterNormOptions& options = {});

// Two such directions from one generator seeded with `seed` (d1 first, then d2).
Directions random_filter_normalized_directions(const std::vector<Tensor>& theta0, uint64_t seed,
                                               const FilterNormOptions& options = {});

// n evenly spaced values over [lo, hi]; for lo = −hi and odd n the middle one is exactly 0.
std::vector<double> grid_axis(double lo, double hi, int n);

struct Interpolation {
  std::vector<double> alpha = {};
  std::vector<double> loss = {};
  std::vector<double> accuracy = {};
};

struct InterpolateOptions {
  // Per tensor (empty: none): mix it with α clamped to [0, 1], so it never extrapolates. For
  // statistics such as BatchNorm's running variance, which extrapolation could make negative.
  std::vector<bool> clamp_alpha = {};
};

// θ(α) = (1 − α) θA + α θB at each α (any real α: α < 0 or > 1 extrapolates). At α = 0 and 1
// the evaluated parameters are bitwise θA and θB. ShapeError for mismatched lists.
Interpolation interpolate(const std::vector<Tensor>& theta_a, const std::vector<Tensor>& theta_b,
                          const std::vector<double>& alphas, const ParamEvaluator& evaluate,
                          const InterpolateOptions& options = {});

struct Slice2 {
  std::vector<double> a = {};         // coordinates along d1 (n_a)
  std::vector<double> b = {};         // coordinates along d2 (n_b)
  std::vector<double> loss = {};      // n_a·n_b values, index j·n_a + i for (a[i], b[j])
  std::vector<double> accuracy = {};  // same layout
};

// L(θ0 + a d1 + b d2) on the grid a × b. At (0, 0) the evaluated parameters are bitwise θ0.
Slice2 slice_2d(const std::vector<Tensor>& theta0, const Directions& directions,
                const std::vector<double>& a, const std::vector<double>& b,
                const ParamEvaluator& evaluate);

}  // namespace descent::analysis
