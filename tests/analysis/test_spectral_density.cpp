// Stochastic Lanczos quadrature: exact identities and agreement with known spectra.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "curvature_test_util.h"
#include "descent/analysis/spectral_density.h"
#include "descent/analysis/trace.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

using testing::matrix_with_spectrum;

// Two clusters of about the same width: 40 eigenvalues in [1, 1.39], 20 in [−2, −1.62].
std::vector<double> two_clusters() {
  std::vector<double> l;
  for (int i = 0; i < 40; ++i) l.push_back(1.0 + 0.01 * i);
  for (int i = 0; i < 20; ++i) l.push_back(-2.0 + 0.02 * i);
  return l;
}

TEST(SpectralDensity, IntegratesToOneAndItsMeanIsTheTracePerDimension) {
  const std::vector<double> lambda = two_clusters();
  const std::vector<double> a = matrix_with_spectrum(lambda, 17);
  const LinearOperator op = dense_operator(a, 60);
  const SpectralDensity d = spectral_density(op, {.runs = 30, .steps = 20, .seed = 1});
  EXPECT_EQ(d.matvecs, 30 * 20);
  double wsum = 0.0;
  for (double w : d.weights) wsum += w;
  EXPECT_NEAR(wsum, 1.0, 1e-12);
  EXPECT_NEAR(d.integral(), 1.0, 1e-6);
  // The mean is the average Rayleigh quotient of the Rademacher starts, which is Hutchinson's
  // estimate of tr(A) divided by n, from the same probes; compare with the exact tr/n within
  // four of Hutchinson's standard errors.
  double trace = 0.0;
  for (double l : lambda) trace += l;
  const TraceEstimate h = hutchinson(op, 30, 99);
  EXPECT_LT(std::abs(d.mean() - trace / 60), 4.0 * h.std_error / 60 + 1e-12);
  // Nodes lie inside the spectrum; the density sees both clusters with their masses.
  for (double t : d.nodes) {
    EXPECT_GE(t, -2.0 - 1e-9);
    EXPECT_LE(t, 1.39 + 1e-9);
  }
  double negative = 0.0;
  for (size_t i = 0; i < d.nodes.size(); ++i) negative += d.nodes[i] < 0 ? d.weights[i] : 0.0;
  EXPECT_NEAR(negative, 20.0 / 60.0, 0.1);
  const auto peak = std::max_element(d.density.begin(), d.density.end()) - d.density.begin();
  EXPECT_NEAR(d.grid[peak], 1.2, 0.3);  // in the denser cluster
}

TEST(SpectralDensity, MeanIsExactForADiagonalMatrix) {
  // For diagonal A and Rademacher v, vᵀAv/‖v‖² = tr(A)/n exactly.
  std::vector<double> a(25, 0.0);
  for (int i = 0; i < 5; ++i) a[i * 5 + i] = i * i;
  const SpectralDensity d = spectral_density(dense_operator(a, 5), {.runs = 3, .steps = 5});
  EXPECT_NEAR(d.mean(), 30.0 / 5.0, 1e-12);
  EXPECT_NEAR(d.integral(), 1.0, 1e-6);
}

TEST(SpectralDensity, BadOptionsAreValueErrors) {
  const LinearOperator op = dense_operator({1, 0, 0, 1}, 2);
  EXPECT_THROW(spectral_density(op, {.runs = 0}), ValueError);
  EXPECT_THROW(spectral_density(op, {.steps = 0}), ValueError);
  EXPECT_THROW(spectral_density(op, {.grid_points = 1}), ValueError);
  EXPECT_THROW(spectral_density(op, {.sigma = -1}), ValueError);
}

}  // namespace
}  // namespace descent::analysis
