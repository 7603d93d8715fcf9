// The branch-free math behind the float32 kernels against the C library: log_normal over the
// whole range of normal doubles (every binary exponent, both sides of its √2 mantissa split)
// and exp_approx on the range where it is used.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "../../src/kernels/fast_math.h"

namespace descent::kernels {
namespace {

TEST(FastMath, LogNormalMatchesTheCLibraryOnEveryExponent) {
  const double mantissas[] = {
      1.0, 1.0000001,         1.2345, 1.4142135623730950, 1.4142135623730951, 1.4142135623730954,
      1.5, 1.9999999999999998};
  for (int e = -1022; e <= 1023; ++e)
    for (double m : mantissas) {
      const double x = std::ldexp(m, e);
      ASSERT_TRUE(log_normal_valid(x)) << x;
      const double want = std::log(x);
      // Relative to |ln x|, or absolute near x = 1 where ln x passes through 0.
      ASSERT_NEAR(log_normal(x), want, 4e-16 * std::max(1.0, std::fabs(want)))
          << "x = " << x << " (2^" << e << " * " << m << ")";
    }
  EXPECT_NEAR(log_normal(std::numeric_limits<double>::min()),
              std::log(std::numeric_limits<double>::min()), 1e-12);
  EXPECT_NEAR(log_normal(std::numeric_limits<double>::max()),
              std::log(std::numeric_limits<double>::max()), 1e-12);
}

TEST(FastMath, LogNormalValidExcludesWhatItCannotTake) {
  EXPECT_FALSE(log_normal_valid(0.0));
  EXPECT_FALSE(log_normal_valid(-1.0));
  EXPECT_FALSE(log_normal_valid(std::numeric_limits<double>::denorm_min()));
  EXPECT_FALSE(log_normal_valid(INFINITY));
  EXPECT_FALSE(log_normal_valid(std::numeric_limits<double>::quiet_NaN()));
}

TEST(FastMath, ExpApproxMatchesTheCLibrary) {
  for (double x = -700.0; x <= 700.0; x += 0.37)
    ASSERT_NEAR(exp_approx(x), std::exp(x), 4e-16 * std::exp(x)) << x;
}

}  // namespace
}  // namespace descent::kernels
