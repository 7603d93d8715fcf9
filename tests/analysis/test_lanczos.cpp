// Lanczos and power iteration against matrices with known spectra.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "curvature_test_util.h"
#include "descent/analysis/lanczos.h"
#include "descent/analysis/power_iteration.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

using testing::matrix_with_spectrum;

// Eigenvalues 1, 2, …, n scaled, with a negative tail: a spread spectrum with distinct values.
std::vector<double> spread_spectrum(int64_t n) {
  std::vector<double> l;
  for (int64_t i = 0; i < n; ++i) l.push_back(static_cast<double>(i) * 0.37 - 2.0);
  return l;
}

TEST(Lanczos, FullRunRecoversEveryEigenvalueOfAQuadratic) {
  const std::vector<double> lambda = spread_spectrum(30);
  const LinearOperator op = dense_operator(matrix_with_spectrum(lambda, 7), 30);
  const ExtremeEigenpairs e = extreme_eigenpairs(op, 15, 15, {.steps = 30});
  ASSERT_EQ(e.top.values.size(), 15u);
  ASSERT_EQ(e.bottom.values.size(), 15u);
  for (size_t i = 0; i < 15; ++i) {
    EXPECT_NEAR(e.top.values[i], lambda[29 - i], 1e-8) << i;
    EXPECT_NEAR(e.bottom.values[i], lambda[i], 1e-8) << i;
  }
  EXPECT_EQ(e.matvecs, 30);
}

TEST(Lanczos, RitzVectorsAreEigenvectorsWithTheReportedResidual) {
  const std::vector<double> lambda = spread_spectrum(25);
  const LinearOperator op = dense_operator(matrix_with_spectrum(lambda, 3), 25);
  const ExtremeEigenpairs e = extreme_eigenpairs(op, 2, 2, {.steps = 25});
  for (const Eigenpairs* pairs : {&e.top, &e.bottom}) {
    for (size_t i = 0; i < pairs->values.size(); ++i) {
      Vector r = op(pairs->vectors[i]);
      axpy(-pairs->values[i], pairs->vectors[i], r);
      EXPECT_LT(norm(r), 1e-8);
      EXPECT_NEAR(norm(pairs->vectors[i]), 1.0, 1e-12);
    }
  }
}

TEST(Lanczos, ExtremesConvergeLongBeforeTheDimension) {
  // n = 300; the top three and bottom two are separated from the bulk in [0, 1].
  std::vector<double> lambda;
  for (int i = 0; i < 295; ++i) lambda.push_back(i / 295.0);
  for (double l : {10.0, 8.0, 6.0, -3.0, -5.0}) lambda.push_back(l);
  const LinearOperator op = dense_operator(matrix_with_spectrum(lambda, 11), 300);
  const ExtremeEigenpairs e = extreme_eigenpairs(op, 3, 2, {.steps = 40, .seed = 5});
  EXPECT_EQ(e.matvecs, 40);
  EXPECT_NEAR(e.top.values[0], 10.0, 1e-8);
  EXPECT_NEAR(e.top.values[1], 8.0, 1e-8);
  EXPECT_NEAR(e.top.values[2], 6.0, 1e-8);
  EXPECT_NEAR(e.bottom.values[0], -5.0, 1e-8);
  EXPECT_NEAR(e.bottom.values[1], -3.0, 1e-8);
  EXPECT_LT(e.top.residuals[0], 1e-6);
}

TEST(Lanczos, RestartsAfterAnInvariantSubspaceSoRepeatedEigenvaluesAreFound) {
  // A diagonal matrix with multiplicities: a Krylov space from one start sees only 3 distinct
  // values, so 6 steps need restarts.
  const std::vector<double> lambda = {1, 1, 1, 2, 2, 3};
  std::vector<double> a(36, 0.0);
  for (int i = 0; i < 6; ++i) a[i * 6 + i] = lambda[i];
  const ExtremeEigenpairs e = extreme_eigenpairs(dense_operator(a, 6), 0, 6, {.steps = 6});
  ASSERT_EQ(e.bottom.values.size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_NEAR(e.bottom.values[i], lambda[i], 1e-10) << i;
}

TEST(Lanczos, BadArgumentsAreValueErrors) {
  const LinearOperator op = dense_operator(matrix_with_spectrum({1, 2, 3}, 1), 3);
  EXPECT_THROW(extreme_eigenpairs(op, 3, 1), ValueError);
  EXPECT_THROW(extreme_eigenpairs(op, -1, 0), ValueError);
  EXPECT_THROW(lanczos(op, 4, {}), ValueError);
  EXPECT_THROW(lanczos(op, 2, {.start = {0, 0, 0}}), ValueError);
  EXPECT_THROW(lanczos(op, 2, {.start = {1, 0}}), ValueError);
}

TEST(PowerIteration, DeflationFindsEigenvaluesByDecreasingMagnitude) {
  const std::vector<double> lambda = {0.1, 0.5, -1.0, 2.0, -6.0, 9.0};
  const LinearOperator op = dense_operator(matrix_with_spectrum(lambda, 2), 6);
  const PowerIterationResult r = power_iteration(op, {.k = 3, .max_iterations = 300, .tol = 0.0});
  ASSERT_EQ(r.values.size(), 3u);
  EXPECT_NEAR(r.values[0], 9.0, 1e-8);
  EXPECT_NEAR(r.values[1], -6.0, 1e-8);
  EXPECT_NEAR(r.values[2], 2.0, 1e-8);
  EXPECT_LE(r.matvecs, 900);
  // Eigenvectors: A u = λ u, and mutually orthogonal.
  for (size_t i = 0; i < 3; ++i) {
    Vector res = op(r.vectors[i]);
    axpy(-r.values[i], r.vectors[i], res);
    EXPECT_LT(norm(res), 1e-6) << i;
  }
  EXPECT_NEAR(dot(r.vectors[0], r.vectors[1]), 0.0, 1e-10);
}

TEST(PowerIteration, SharpnessIsTheLargestAlgebraicEigenvalue) {
  // The dominant eigenvalue is −8 (a saddle); λmax = 3 is found by the shifted second run.
  const LinearOperator op = dense_operator(matrix_with_spectrum({-8, -1, 0.5, 3}, 4), 4);
  const Sharpness s = estimate_sharpness(op, {.max_iterations = 3000, .tol = 1e-13});
  EXPECT_NEAR(s.lambda_max, 3.0, 1e-7);
  EXPECT_TRUE(s.converged);
  const LinearOperator psd = dense_operator(matrix_with_spectrum({0.2, 1, 4}, 5), 3);
  EXPECT_NEAR(estimate_sharpness(psd, {.max_iterations = 500, .tol = 1e-13}).lambda_max, 4.0, 1e-8);
}

TEST(PowerIteration, BadOptionsAreValueErrors) {
  const LinearOperator op = dense_operator({2, 0, 0, 1}, 2);
  EXPECT_THROW(power_iteration(op, {.k = 3}), ValueError);
  EXPECT_THROW(power_iteration(op, {.max_iterations = 0}), ValueError);
  EXPECT_THROW(power_iteration(op, {.tol = -1}), ValueError);
}

}  // namespace
}  // namespace descent::analysis
