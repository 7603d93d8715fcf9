#pragma once
// Synthetic datasets for experiments that must be small, fast and fully understood.
//
// Every generator takes a descent::Generator, draws from it only (Philox with descent's own
// normal transform), and so gives the same data for the same seed on every platform. Inputs are
// float32 [N, d]; classification targets int64 [N]; classes are balanced (equal counts, in class
// order: all of class 0, then class 1, ...; shuffle with the DataLoader). Option structs have
// defaults and are set with designated initializers, e.g. spiral({.classes = 5}, gen).
// Invalid options (non-positive counts, negative noise, ...) throw ValueError.
#include <array>
#include <cstdint>
#include <vector>

#include "descent/core/rng.h"
#include "descent/data/dataset.h"

namespace descent::data {

// CS231n's spiral: point i of class k (n points per class) has radius r = i / (n − 1), angle
// t = 4k + 4r + noise·N(0, 1) (radians) and x = r·(sin t, cos t).
struct SpiralOptions {
  int64_t points_per_class = 100;
  int64_t classes = 3;
  double noise = 0.2;  // standard deviation added to the angle
};
Dataset spiral(const SpiralOptions& options, Generator& gen);

// Two concentric circles (as scikit-learn's make_circles): class 0 on the unit circle, class 1
// on the circle of radius `factor`, angles evenly spaced, then N(0, noise²) added to x.
struct CirclesOptions {
  int64_t points_per_class = 100;
  double noise = 0.05;
  double factor = 0.5;  // inner radius, in (0, 1)
};
Dataset circles(const CirclesOptions& options, Generator& gen);

// Two interleaved half circles (as scikit-learn's make_moons): class 0 at (cos t, sin t), class
// 1 at (1 − cos t, 0.5 − sin t), t evenly spaced in [0, π], then N(0, noise²) added to x.
struct MoonsOptions {
  int64_t points_per_class = 100;
  double noise = 0.1;
};
Dataset moons(const MoonsOptions& options, Generator& gen);

// XOR: points uniform in [−1, 1]², label 1 where the signs of x0 and x1 differ; N(0, noise²) is
// added to x after labelling. Each class gets points_per_class points (drawn by rejection).
struct XorOptions {
  int64_t points_per_class = 100;
  double noise = 0.0;
};
Dataset xor_dataset(const XorOptions& options, Generator& gen);

// Gaussian blobs: `classes` centres drawn uniformly in [−center_box, center_box]^dim, each
// class N(centre, std²·I).
struct BlobsOptions {
  int64_t points_per_class = 100;
  int64_t classes = 3;
  int64_t dim = 2;
  double std = 1.0;
  double center_box = 10.0;
};
Dataset blobs(const BlobsOptions& options, Generator& gen);

// The lecture's nine 2-D points of the "Recap. Linear Models" slide, three per class.
struct LecturePoint {
  double x0, x1;
  int64_t label;
};
inline constexpr std::array<LecturePoint, 9> kLecturePoints = {{
    {0.5, 0.4, 0},
    {0.8, 0.3, 0},
    {0.3, 0.8, 0},
    {-0.4, 0.3, 1},
    {-0.3, 0.7, 1},
    {-0.7, 0.2, 1},
    {0.7, -0.4, 2},
    {0.5, -0.6, 2},
    {-0.4, -0.5, 2},
}};
// kLecturePoints as a dataset: inputs [9, 2], targets [9], 3 classes.
Dataset nine_points();

// Linear regression with chosen feature scales and offsets, the lecture's badly conditioned
// inputs: x_j = offset_j + scale_j·z_j with z ~ N(0, 1), and
//   y = Σ_j w_j x_j + bias + noise·ε,  ε ~ N(0, 1).
// The Hessian of the mean squared error is (2/N)·XᵀX, whose condition number grows with the
// spread of the scales and with the offsets (an uncentred feature couples with the bias).
// Targets are float32 [N, 1]; num_classes is 0. `scales` fixes d; `offsets` and `weights` must
// be empty (zeros and ones) or have d entries.
struct LinearRegressionOptions {
  int64_t samples = 200;
  std::vector<double> scales = {1.0, 10.0};
  std::vector<double> offsets = {};
  std::vector<double> weights = {};
  double bias = 0.0;
  double noise = 0.1;
};
Dataset linear_regression(const LinearRegressionOptions& options, Generator& gen);

}  // namespace descent::data
