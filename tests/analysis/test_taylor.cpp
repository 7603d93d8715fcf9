// Taylor polynomials by nested autodiff: coefficients against closed forms, errors shrinking
// with the degree, bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/analysis/taylor.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

double factorial(int k) {
  double f = 1.0;
  for (int i = 2; i <= k; ++i) f *= i;
  return f;
}

TEST(Taylor, SinCoefficientsAroundZeroAreTheClosedForm) {
  // sin x = Σ (−1)^m x^{2m+1} / (2m+1)!
  const std::vector<double> c = taylor_coefficients(scalar_function_by_name("sin"), 0.0, 13);
  ASSERT_EQ(c.size(), 14u);
  for (int k = 0; k <= 13; ++k) {
    const double expected = k % 2 == 0 ? 0.0 : ((k / 2) % 2 == 0 ? 1.0 : -1.0) / factorial(k);
    EXPECT_NEAR(c[static_cast<size_t>(k)], expected, 1e-12) << "k = " << k;
  }
}

TEST(Taylor, SinCoefficientsAwayFromZero) {
  // d^k/dx^k sin x = sin(x + kπ/2).
  const double x0 = 1.3;
  const std::vector<double> c = taylor_coefficients(scalar_function_by_name("sin"), x0, 9);
  for (int k = 0; k <= 9; ++k) {
    EXPECT_NEAR(c[static_cast<size_t>(k)], std::sin(x0 + k * M_PI / 2) / factorial(k), 1e-12)
        << "k = " << k;
  }
}

TEST(Taylor, ExpCoefficientsAreExpOfX0OverKFactorial) {
  for (double x0 : {0.0, 0.7, -1.5}) {
    const std::vector<double> c = taylor_coefficients(scalar_function_by_name("exp"), x0, 12);
    for (int k = 0; k <= 12; ++k) {
      EXPECT_NEAR(c[static_cast<size_t>(k)], std::exp(x0) / factorial(k), 1e-12)
          << "x0 = " << x0 << ", k = " << k;
    }
  }
}

TEST(Taylor, OtherFunctionsMatchKnownSeries) {
  // cos: (−1)^m / (2m)!; log(1 + x): (−1)^{k+1} / k; tanh: x − x³/3 + 2x⁵/15;
  // sigmoid: ½ + x/4 − x³/48 + x⁵/480.
  const auto cos_c = taylor_coefficients(scalar_function_by_name("cos"), 0.0, 8);
  for (int k = 0; k <= 8; ++k) {
    const double e = k % 2 ? 0.0 : ((k / 2) % 2 ? -1.0 : 1.0) / factorial(k);
    EXPECT_NEAR(cos_c[static_cast<size_t>(k)], e, 1e-12) << k;
  }
  const auto log_c = taylor_coefficients(scalar_function_by_name("log1p"), 0.0, 8);
  EXPECT_NEAR(log_c[0], 0.0, 1e-15);
  for (int k = 1; k <= 8; ++k) {
    EXPECT_NEAR(log_c[static_cast<size_t>(k)], (k % 2 ? 1.0 : -1.0) / k, 1e-12) << k;
  }
  const auto tanh_c = taylor_coefficients(scalar_function_by_name("tanh"), 0.0, 5);
  const std::vector<double> tanh_e = {0, 1, 0, -1.0 / 3, 0, 2.0 / 15};
  const auto sig_c = taylor_coefficients(scalar_function_by_name("sigmoid"), 0.0, 5);
  const std::vector<double> sig_e = {0.5, 0.25, 0, -1.0 / 48, 0, 1.0 / 480};
  for (size_t k = 0; k <= 5; ++k) {
    EXPECT_NEAR(tanh_c[k], tanh_e[k], 1e-12) << k;
    EXPECT_NEAR(sig_c[k], sig_e[k], 1e-12) << k;
  }
}

TEST(Taylor, ErrorShrinksWithTheDegreeOnMinus3To3) {
  // Odd degrees for sin, even ones for cos (the others add a zero term), all for exp.
  const std::vector<std::pair<const char*, std::vector<int>>> cases = {
      {"sin", {1, 3, 5, 7, 9, 11, 13}},
      {"cos", {2, 4, 6, 8, 10, 12, 14}},
      {"exp", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}}};
  for (const auto& [name, degrees] : cases) {
    const ScalarFunction f = scalar_function_by_name(name);
    const TaylorTable t = taylor_table(f, 0.0, degrees, -3.0, 3.0, 121);
    for (size_t d = 1; d < t.degrees.size(); ++d) {
      EXPECT_LT(t.max_error[d], t.max_error[d - 1]) << name << " degree " << t.degrees[d];
    }
    EXPECT_LT(t.max_error.back(), 1e-3) << name;
  }
}

TEST(Taylor, LecturesSinTableMatchesDirectEvaluation) {
  const TaylorTable t = taylor_table(scalar_function_by_name("sin"), 0.0, {1, 3}, -6, 6, 13);
  ASSERT_EQ(t.x.size(), 13u);
  for (size_t i = 0; i < t.x.size(); ++i) {
    const double x = t.x[i];
    EXPECT_NEAR(t.f[i], std::sin(x), 1e-14);
    EXPECT_NEAR(t.polynomial[0][i], x, 1e-14);
    EXPECT_NEAR(t.polynomial[1][i], x - x * x * x / 6, 1e-12);
  }
  // Far from 0 the cubic leaves sin: at x = ±6, |6 − 36| = 30 minus sin 6.
  EXPECT_NEAR(t.max_error[1], std::abs(std::sin(6.0) - (6.0 - 36.0)), 1e-12);
}

TEST(Taylor, BadInputIsAClearError) {
  EXPECT_THROW(scalar_function_by_name("sinh"), ValueError);
  const ScalarFunction sin_f = scalar_function_by_name("sin");
  EXPECT_THROW(taylor_table(sin_f, 0.0, {}, -1, 1, 10), ValueError);
  EXPECT_THROW(taylor_table(sin_f, 0.0, {-1}, -1, 1, 10), ValueError);
  EXPECT_THROW(taylor_table(sin_f, 0.0, {1}, 1, -1, 10), ValueError);
  // Each end finite, but not the width: the grid would be inf and NaN.
  EXPECT_THROW(taylor_table(sin_f, 0.0, {1}, -1e308, 1e308, 10), ValueError);
  EXPECT_THROW(taylor_table(sin_f, 0.0, {1}, -1, 1, 1), ValueError);
  const ScalarFunction log1p_f = scalar_function_by_name("log1p");
  EXPECT_THROW(taylor_coefficients(log1p_f, -1.0, 3), ValueError);
  EXPECT_THROW(taylor_table(log1p_f, 0.0, {1}, -2, 1, 10), ValueError);
  EXPECT_THROW(taylor_polynomial({1.0, 2.0}, 2, 0.0, 1.0), ValueError);
}

}  // namespace
}  // namespace descent::analysis
