// Critical points of the 2-D problems and of a small model, classified from Hessian signs.
#include <gtest/gtest.h>

#include "curvature_test_util.h"
#include "descent/analysis/critical_point.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

TEST(CriticalPoint, ClassifiesTheTestProblems) {
  const CriticalPoint s = classify_critical_point(saddle(), 0.0, 0.0);
  EXPECT_EQ(s.kind, CriticalPointKind::Saddle);
  EXPECT_NEAR(s.eigenvalues[0], -2.0, 1e-12);
  EXPECT_NEAR(s.eigenvalues[1], 2.0, 1e-12);
  EXPECT_NEAR(s.gradient_norm, 0.0, 1e-15);

  // Rosenbrock's minimum at (1, 1): H = [[802, −400], [−400, 200]], both eigenvalues > 0.
  const CriticalPoint r = classify_critical_point(rosenbrock(), 1.0, 1.0);
  EXPECT_EQ(r.kind, CriticalPointKind::Minimum);
  EXPECT_NEAR(r.eigenvalues[0] + r.eigenvalues[1], 1002.0, 1e-9);
  EXPECT_NEAR(r.eigenvalues[0] * r.eigenvalues[1], 802.0 * 200.0 - 400.0 * 400.0, 1e-6);
  EXPECT_NEAR(r.gradient_norm, 0.0, 1e-12);

  // The monkey saddle's Hessian vanishes at the origin: second order cannot decide.
  EXPECT_EQ(classify_critical_point(monkey_saddle(), 0.0, 0.0).kind, CriticalPointKind::Degenerate);
  // Himmelblau has a local maximum near (−0.270845, −0.923039).
  const CriticalPoint h = classify_critical_point(himmelblau(), -0.270845, -0.923039);
  EXPECT_EQ(h.kind, CriticalPointKind::Maximum);
  EXPECT_LT(h.gradient_norm, 1e-4);
  // Away from stationarity the classification still describes the curvature; the gradient
  // norm tells the caller it is not a critical point.
  EXPECT_GT(classify_critical_point(rosenbrock(), -1.0, 1.0).gradient_norm, 1.0);
}

TEST(CriticalPoint, SpectrumRules) {
  EXPECT_EQ(classify_spectrum({1, 2}, 1e-8), CriticalPointKind::Minimum);
  EXPECT_EQ(classify_spectrum({-1, -2}, 1e-8), CriticalPointKind::Maximum);
  EXPECT_EQ(classify_spectrum({-1, 0, 2}, 1e-8), CriticalPointKind::Saddle);
  EXPECT_EQ(classify_spectrum({0, 2}, 1e-8), CriticalPointKind::Degenerate);
  EXPECT_EQ(classify_spectrum({1e-9, 2}, 1e-8), CriticalPointKind::Degenerate);
  EXPECT_EQ(to_string(CriticalPointKind::Saddle), "saddle");
  EXPECT_THROW(classify_spectrum({}, 0.0), ValueError);
  EXPECT_THROW(classify_spectrum({1.0}, -1.0), ValueError);
  EXPECT_THROW(classify_spectrum({std::nan("")}, 0.0), ValueError);
}

TEST(CriticalPoint, SmallModelAtInitializationIsASaddleRegion) {
  testing::TinyMlp m(6);
  const CriticalPoint c = classify_critical_point(m.params(), [&] { return m.loss(); });
  EXPECT_EQ(c.eigenvalues.size(), 38u);
  EXPECT_EQ(c.kind, CriticalPointKind::Saddle);
  EXPECT_GT(c.gradient_norm, 0.0);
}

}  // namespace
}  // namespace descent::analysis
