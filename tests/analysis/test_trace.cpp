// Hutchinson and Hutch++ against exact traces.
#include <gtest/gtest.h>

#include <cmath>

#include "curvature_test_util.h"
#include "descent/analysis/hessian.h"
#include "descent/analysis/trace.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

using testing::matrix_with_spectrum;

double exact_trace(const std::vector<double>& a, int64_t n) {
  double t = 0.0;
  for (int64_t i = 0; i < n; ++i) t += a[i * n + i];
  return t;
}

TEST(Hutchinson, EstimateIsWithinFourStandardErrorsOfTheTrace) {
  std::vector<double> lambda;
  for (int i = 0; i < 60; ++i) lambda.push_back(std::sin(i * 1.3) * 3.0 + 0.5);
  const std::vector<double> a = matrix_with_spectrum(lambda, 21);
  const double trace = exact_trace(a, 60);
  for (uint64_t seed = 0; seed < 5; ++seed) {
    const TraceEstimate t = hutchinson(dense_operator(a, 60), 50, seed);
    EXPECT_EQ(t.matvecs, 50);
    EXPECT_GT(t.std_error, 0.0);
    EXPECT_LT(std::abs(t.estimate - trace), 4.0 * t.std_error) << seed;
  }
}

TEST(Hutchinson, OnAModelHessian) {
  testing::TinyMlp m(8);
  const HessianOperator h(m.params(), [&] { return m.loss(); });
  const double trace = exact_trace(h.full(), h.dim());
  const TraceEstimate t = hutchinson(h.as_operator(), 100, 3);
  EXPECT_LT(std::abs(t.estimate - trace), 4.0 * t.std_error);
}

TEST(Hutchinson, IsExactForADiagonalMatrix) {
  // zᵀAz = Σ a_ii z_i² = tr A for every Rademacher z: zero variance.
  std::vector<double> a(16, 0.0);
  for (int i = 0; i < 4; ++i) a[i * 4 + i] = i + 1.5;
  const TraceEstimate t = hutchinson(dense_operator(a, 4), 5, 1);
  EXPECT_NEAR(t.estimate, 12.0, 1e-12);
  EXPECT_NEAR(t.std_error, 0.0, 1e-12);
}

TEST(HutchPlusPlus, BeatsHutchinsonForTheSameMatvecsOnALowRankDominatedMatrix) {
  // Five large eigenvalues and a small flat tail: the sketch captures the top exactly.
  std::vector<double> lambda = {100, 80, 60, 50, 40};
  for (int i = 0; i < 95; ++i) lambda.push_back(0.01 * (i % 7));
  const std::vector<double> a = matrix_with_spectrum(lambda, 13);
  const double trace = exact_trace(a, 100);
  const LinearOperator op = dense_operator(a, 100);
  double err_h = 0.0, err_pp = 0.0;
  const int trials = 20;
  for (int s = 0; s < trials; ++s) {
    const TraceEstimate h = hutchinson(op, 30, s);
    const TraceEstimate pp = hutch_plus_plus(op, 30, s);
    EXPECT_LE(pp.matvecs, 30);
    err_h += (h.estimate - trace) * (h.estimate - trace);
    err_pp += (pp.estimate - trace) * (pp.estimate - trace);
  }
  const double rms_h = std::sqrt(err_h / trials), rms_pp = std::sqrt(err_pp / trials);
  EXPECT_LT(rms_pp, 0.1 * rms_h) << "Hutch++ " << rms_pp << " vs Hutchinson " << rms_h;
}

TEST(HutchPlusPlus, IsExactWhenTheSketchSpansTheRange) {
  // Rank 3, 12 matvecs (4 sketch columns): the remainder is zero.
  const std::vector<double> a = matrix_with_spectrum({5, -2, 7, 0, 0, 0, 0, 0}, 4);
  const TraceEstimate t = hutch_plus_plus(dense_operator(a, 8), 12, 0);
  EXPECT_NEAR(t.estimate, 10.0, 1e-10);
  EXPECT_LT(t.matvecs, 12);  // dependent sketch columns are dropped
}

TEST(Trace, BadCountsAreValueErrors) {
  const LinearOperator op = dense_operator({1, 0, 0, 1}, 2);
  EXPECT_THROW(hutchinson(op, 1), ValueError);
  EXPECT_THROW(hutch_plus_plus(op, 2), ValueError);
}

}  // namespace
}  // namespace descent::analysis
