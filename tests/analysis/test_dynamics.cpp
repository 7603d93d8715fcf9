// Closed-form GD / momentum dynamics on quadratics: the closed form against real runs of
// optim::SGD, against an independent 2×2 matrix-power recursion, regimes at their boundaries,
// the optimal step/momentum rates against the measured contraction of long runs, the Jacobi
// eigensolver against known matrices, and A = XᵀX.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "descent/analysis/dynamics.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

using std::sqrt;

// x_t/x_0 by multiplying out the 2×2 update matrix t times (the recursion the closed form
// replaces), written here from the update rules, not from update_matrix().
double factor_by_recursion(double lambda, const StepRule& r, int64_t t) {
  double x = 1.0, v = 0.0;
  for (int64_t k = 0; k < t; ++k) {
    const double g = lambda * x;
    v = r.momentum * v + g;
    x -= r.lr * (r.nesterov ? g + r.momentum * v : v);
  }
  return x;
}

// An n×n orthogonal matrix from Gram–Schmidt on a seeded random matrix; returns Q D Qᵀ.
std::vector<double> rotated(const std::vector<double>& eigenvalues, unsigned seed) {
  const auto n = static_cast<int64_t>(eigenvalues.size());
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::vector<double> q(static_cast<size_t>(n * n));
  for (double& x : q) x = normal(gen);
  for (int64_t j = 0; j < n; ++j) {  // columns
    for (int64_t k = 0; k < j; ++k) {
      double dot = 0.0;
      for (int64_t i = 0; i < n; ++i) dot += q[i * n + j] * q[i * n + k];
      for (int64_t i = 0; i < n; ++i) q[i * n + j] -= dot * q[i * n + k];
    }
    double norm = 0.0;
    for (int64_t i = 0; i < n; ++i) norm += q[i * n + j] * q[i * n + j];
    for (int64_t i = 0; i < n; ++i) q[i * n + j] /= sqrt(norm);
  }
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k) a[i * n + j] += q[i * n + k] * eigenvalues[k] * q[j * n + k];
  return a;
}

// ‖v‖₂, scaled so that squares of 1e-200 do not underflow.
double norm(const std::vector<double>& v) {
  double m = 0.0, s = 0.0;
  for (double x : v) m = std::max(m, std::abs(x));
  if (m == 0.0) return 0.0;
  for (double x : v) s += (x / m) * (x / m);
  return m * sqrt(s);
}

// Per-step contraction measured on the second half of a run: (‖θ_T‖/‖θ_{T/2}‖)^{2/T}.
double measured_rate(const Quadratic& q, const StepRule& rule, int64_t steps) {
  const auto path = iterate_quadratic(q, rule, std::vector<double>(q.n, 1.0), steps);
  return std::pow(norm(path[steps]) / norm(path[steps / 2]),
                  1.0 / static_cast<double>(steps - steps / 2));
}

// ---- Jacobi ------------------------------------------------------------------------------

TEST(DynamicsJacobi, TridiagonalKnownEigenpairs) {
  // [[2,1,0],[1,2,1],[0,1,2]]: λ = 2 − √2, 2, 2 + √2 with v ∝ (1, −√2, 1), (1, 0, −1), (1, √2, 1).
  const SymmetricEigen e = symmetric_eigen({2, 1, 0, 1, 2, 1, 0, 1, 2}, 3);
  ASSERT_EQ(e.values.size(), 3u);
  EXPECT_NEAR(e.values[0], 2 - std::numbers::sqrt2, 4e-15);  // a few ulps of ‖A‖
  EXPECT_NEAR(e.values[1], 2.0, 4e-15);
  EXPECT_NEAR(e.values[2], 2 + std::numbers::sqrt2, 4e-15);
  const double expected[3][3] = {{0.5, -std::numbers::sqrt2 / 2, 0.5},
                                 {std::numbers::sqrt2 / 2, 0.0, -std::numbers::sqrt2 / 2},
                                 {0.5, std::numbers::sqrt2 / 2, 0.5}};
  for (int j = 0; j < 3; ++j) {
    const double sign = e.vectors[0 * 3 + j] > 0 ? 1.0 : -1.0;  // eigenvectors up to sign
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(sign * e.vectors[i * 3 + j], expected[j][i], 4e-15);
  }
}

TEST(DynamicsJacobi, RandomSymmetricMatrixIsReconstructed) {
  const std::vector<double> lambdas = {-3.0, 0.0, 0.5, 1.0, 1.0, 7.0, 40.0, 1000.0};
  const std::vector<double> a = rotated(lambdas, 7);
  const SymmetricEigen e = symmetric_eigen(a, 8);
  EXPECT_LE(e.sweeps, 12);
  for (size_t i = 0; i < lambdas.size(); ++i) EXPECT_NEAR(e.values[i], lambdas[i], 1e-12);
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      double qtq = 0.0, qlq = 0.0;
      for (int k = 0; k < 8; ++k) {
        qtq += e.vectors[k * 8 + i] * e.vectors[k * 8 + j];
        qlq += e.vectors[i * 8 + k] * e.values[k] * e.vectors[j * 8 + k];
      }
      EXPECT_NEAR(qtq, i == j ? 1.0 : 0.0, 1e-14);
      EXPECT_NEAR(qlq, a[i * 8 + j], 1e-11);
    }
  }
}

TEST(DynamicsJacobi, RejectsBadInput) {
  EXPECT_THROW(symmetric_eigen({}, 0), ValueError);
  EXPECT_THROW(symmetric_eigen({1, 2, 3}, 2), ShapeError);
  EXPECT_THROW(symmetric_eigen({1, NAN, NAN, 1}, 2), ValueError);
  try {
    symmetric_eigen({1, 2, 2.5, 1}, 2);
    FAIL() << "asymmetric matrix accepted";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("(0, 1) = 2 but (1, 0) = 2.5"), std::string::npos)
        << e.what();
  }
}

// ---- closed form vs iteration ------------------------------------------------------------

struct RuleCase {
  StepRule rule;
  const char* what;
};

const std::vector<RuleCase>& rule_cases() {
  static const std::vector<RuleCase> cases = {
      {{.lr = 0.015}, "plain GD, all decaying"},
      {{.lr = 0.0199}, "plain GD, top direction oscillating"},
      {{.lr = 0.015, .momentum = 0.9}, "heavy ball, underdamped"},
      {{.lr = 0.001, .momentum = 0.2}, "heavy ball, overdamped"},
      {{.lr = 0.0331, .momentum = 0.67}, "heavy ball near the optimum"},
      {{.lr = 0.015, .momentum = 0.9, .nesterov = true}, "Nesterov"},
      {{.lr = 0.0125, .momentum = 0.5, .nesterov = true}, "Nesterov with lr*lambda > 1"},
      {{.lr = 0.021}, "plain GD, diverging top direction"},
      {{.lr = 0.05, .momentum = 0.9}, "heavy ball, diverging"},
  };
  return cases;
}

TEST(DynamicsClosedForm, FactorMatchesTheMatrixRecursion) {
  for (const RuleCase& c : rule_cases()) {
    for (double lambda : {0.0, 0.3, 1.0, 10.0, 33.0, 100.0, 120.0}) {
      for (int64_t t : {0, 1, 2, 3, 17, 150}) {
        const double want = factor_by_recursion(lambda, c.rule, t);
        const double got = closed_form_factor(lambda, c.rule, t);
        EXPECT_LE(std::abs(got - want), 1e-12 * std::max(1.0, std::abs(want)))
            << c.what << " lambda=" << lambda << " t=" << t << " got " << got << " want " << want;
      }
    }
  }
}

TEST(DynamicsClosedForm, UpdateMatrixIsOneStepOfTheRule) {
  for (const RuleCase& c : rule_cases()) {
    for (double lambda : {0.0, 1.0, 37.0}) {
      const double x = 0.7, v = -1.3;  // any state, not just v₀ = 0
      const double v1 = c.rule.momentum * v + lambda * x;
      const double x1 = x - c.rule.lr * (c.rule.nesterov ? lambda * x + c.rule.momentum * v1 : v1);
      const UpdateMatrix m = update_matrix(lambda, c.rule);
      EXPECT_NEAR(m.m00 * x + m.m01 * v, x1, 1e-14) << c.what << " lambda=" << lambda;
      EXPECT_NEAR(m.m10 * x + m.m11 * v, v1, 1e-14) << c.what << " lambda=" << lambda;
    }
  }
}

TEST(DynamicsClosedForm, AgreesWithSgdRunsOnDiagonalQuadratic) {
  const Quadratic q = quadratic_from_eigenvalues({1.0, 10.0, 100.0});
  for (const RuleCase& c : rule_cases()) {
    const DynamicsReport r = analyze_dynamics(q, c.rule, 150, {1.0, -2.0, 0.5});
    EXPECT_LE(r.max_deviation, 1e-12) << c.what;
    ASSERT_EQ(r.iterated.size(), 151u);
  }
}

TEST(DynamicsClosedForm, AgreesWithSgdRunsOnRotatedQuadratic) {
  const Quadratic q = quadratic_from_matrix(rotated({0.5, 2.0, 9.0, 30.0, 80.0}, 3), 5);
  for (const RuleCase& c : rule_cases()) {
    const DynamicsReport r = analyze_dynamics(q, c.rule, 120, {0.3, -1.0, 2.0, 0.7, -0.4});
    EXPECT_LE(r.max_deviation, 1e-12) << c.what;
  }
}

TEST(DynamicsClosedForm, DeviationDetectsAWrongRule) {
  // The closed form of one rule against the run of another must disagree: the comparison
  // can fail.
  const Quadratic q = quadratic_from_eigenvalues({1.0, 10.0});
  const StepRule heavy{.lr = 0.05, .momentum = 0.5};
  const StepRule nesterov{.lr = 0.05, .momentum = 0.5, .nesterov = true};
  const auto path = iterate_quadratic(q, nesterov, {1.0, 1.0}, 3);
  EXPECT_GT(std::abs(path[3][1] - closed_form_factor(10.0, heavy, 3)), 0.1);  // −0.109 vs −0.25
  EXPECT_NEAR(path[3][1], closed_form_factor(10.0, nesterov, 3), 1e-15);
}

// ---- regimes ------------------------------------------------------------------------------

TEST(DynamicsRegime, PlainGradientDescentBoundaries) {
  const StepRule rule{.lr = 0.5};
  const std::pair<double, Regime> cases[] = {
      {0.0, Regime::Stationary},       {1.0, Regime::MonotoneDecay},  // αλ = 0.5
      {2.0, Regime::MonotoneDecay},                                   // αλ = 1
      {2.5, Regime::OscillatingDecay}, {4.0, Regime::Oscillation},    // αλ = 2
      {4.2, Regime::Divergence},       {-1.0, Regime::Divergence}};
  for (const auto& [lambda, regime] : cases) {
    EXPECT_EQ(direction_dynamics(lambda, rule).regime, regime) << "lambda " << lambda;
  }
  // αλ = 0.02 · 100 is 2 only up to rounding: still the oscillation boundary.
  EXPECT_EQ(direction_dynamics(100.0, {.lr = 0.02}).regime, Regime::Oscillation);
  EXPECT_EQ(direction_dynamics(100.0, {.lr = 0.01}).regime, Regime::MonotoneDecay);
  // The regime is what the run does: signs alternate at αλ = 1.5, |x| stays 1 at αλ = 2.
  EXPECT_LT(closed_form_factor(3.0, rule, 5), 0.0);
  EXPECT_GT(closed_form_factor(3.0, rule, 6), 0.0);
  EXPECT_DOUBLE_EQ(std::abs(closed_form_factor(4.0, rule, 41)), 1.0);
}

TEST(DynamicsRegime, MomentumEigenvaluesAndBoundaries) {
  // Heavy ball: det M = μ, tr M = 1 + μ − αλ.
  const DirectionDynamics under = direction_dynamics(1.0, {.lr = 0.015, .momentum = 0.9});
  EXPECT_NEAR(std::abs(under.r1), sqrt(0.9), 1e-15);  // complex pair on the circle √μ
  EXPECT_GT(under.r1.imag(), 0.0);
  EXPECT_EQ(under.regime, Regime::OscillatingDecay);
  const DirectionDynamics over = direction_dynamics(1.0, {.lr = 0.1, .momentum = 0.01});
  EXPECT_EQ(over.r1.imag(), 0.0);
  EXPECT_NEAR(over.r1.real() + over.r2.real(), 0.91, 1e-15);
  EXPECT_NEAR(over.r1.real() * over.r2.real(), 0.01, 1e-15);
  EXPECT_EQ(over.regime, Regime::MonotoneDecay);
  // Heavy-ball edge αλ = 2(1 + μ): eigenvalue −1.
  EXPECT_EQ(direction_dynamics(3.0, {.lr = 1.0, .momentum = 0.5}).regime, Regime::Oscillation);
  EXPECT_EQ(direction_dynamics(3.1, {.lr = 1.0, .momentum = 0.5}).regime, Regime::Divergence);
  EXPECT_EQ(direction_dynamics(2.9, {.lr = 1.0, .momentum = 0.5}).regime, Regime::OscillatingDecay);
  // Nesterov edge αλ = 2(1 + μ)/(1 + 2μ) = 1.5 for μ = 0.5.
  const StepRule nag{.lr = 1.0, .momentum = 0.5, .nesterov = true};
  EXPECT_EQ(direction_dynamics(1.5, nag).regime, Regime::Oscillation);
  EXPECT_EQ(direction_dynamics(1.55, nag).regime, Regime::Divergence);
  EXPECT_EQ(direction_dynamics(1.45, nag).regime, Regime::OscillatingDecay);
  EXPECT_NEAR(direction_dynamics(0.0, nag).spectral_radius, 1.0, 1e-15);
  EXPECT_EQ(direction_dynamics(0.0, nag).regime, Regime::Stationary);
}

// ---- bounds against long runs ---------------------------------------------------------------

TEST(DynamicsBounds, ClosedFormValues) {
  const DynamicsBounds b = dynamics_bounds({1.0, 10.0, 100.0}, {.lr = 0.01, .momentum = 0.5});
  ASSERT_TRUE(b.defined);
  EXPECT_DOUBLE_EQ(b.kappa, 100.0);
  EXPECT_DOUBLE_EQ(b.stable_lr_gd, 0.02);
  EXPECT_DOUBLE_EQ(b.stable_lr, 0.03);
  EXPECT_DOUBLE_EQ(b.optimal_lr, 2.0 / 101.0);
  EXPECT_DOUBLE_EQ(b.optimal_rate, 99.0 / 101.0);
  EXPECT_DOUBLE_EQ(b.optimal_momentum_lr, 4.0 / 121.0);
  EXPECT_DOUBLE_EQ(b.optimal_momentum, 81.0 / 121.0);
  EXPECT_DOUBLE_EQ(b.optimal_momentum_rate, 9.0 / 11.0);
  EXPECT_DOUBLE_EQ(
      dynamics_bounds({1.0, 100.0}, {.lr = 0.01, .momentum = 0.5, .nesterov = true}).stable_lr,
      0.015);
  EXPECT_FALSE(dynamics_bounds({-1.0, 2.0}, {.lr = 0.1}).defined);
  // A zero eigenvalue (rank-deficient XᵀX) is left out of κ.
  EXPECT_DOUBLE_EQ(dynamics_bounds({0.0, 4.0, 16.0}, {.lr = 0.1}).kappa, 4.0);
}

TEST(DynamicsBounds, OptimalStepRateIsTheMeasuredContraction) {
  const Quadratic q = quadratic_from_matrix(rotated({1.0, 3.0, 7.0, 25.0}, 11), 4);
  const DynamicsBounds b = dynamics_bounds(q.eigen.values, {.lr = 1.0});
  const double at_opt = measured_rate(q, {.lr = b.optimal_lr}, 600);
  EXPECT_NEAR(at_opt, b.optimal_rate, 1e-9);  // the extreme directions contract exactly so
  EXPECT_GT(measured_rate(q, {.lr = 0.9 * b.optimal_lr}, 600), at_opt + 1e-3);
  EXPECT_GT(measured_rate(q, {.lr = 1.1 * b.optimal_lr}, 600), at_opt + 1e-3);
}

TEST(DynamicsBounds, OptimalMomentumRateIsTheMeasuredContraction) {
  const Quadratic q = quadratic_from_matrix(rotated({1.0, 3.0, 7.0, 25.0}, 5), 4);
  const DynamicsBounds b = dynamics_bounds(q.eigen.values, {.lr = 1.0});
  const StepRule best{.lr = b.optimal_momentum_lr, .momentum = b.optimal_momentum};
  // The extreme directions have a double eigenvalue: x_t ∝ (a + bt) rᵗ, so the measured rate
  // exceeds r by a factor → 1 as 2^{1/T}.
  const double at_opt = measured_rate(q, best, 1200);
  EXPECT_NEAR(at_opt, b.optimal_momentum_rate, 2e-3 * b.optimal_momentum_rate);
  EXPECT_LT(at_opt, b.optimal_rate - 0.1);  // momentum beats the best plain step
  const StepRule less{.lr = best.lr, .momentum = 0.8 * best.momentum};
  const StepRule more{.lr = best.lr, .momentum = std::min(0.99, 1.2 * best.momentum)};
  EXPECT_GT(measured_rate(q, less, 1200), at_opt + 1e-2);
  EXPECT_GT(measured_rate(q, more, 1200), at_opt + 1e-2);
}

TEST(DynamicsBounds, StableStepSizeSeparatesDecayFromDivergence) {
  const Quadratic q = quadratic_from_eigenvalues({0.5, 4.0, 20.0});
  for (const StepRule base : {StepRule{.lr = 1.0}, StepRule{.lr = 1.0, .momentum = 0.6},
                              StepRule{.lr = 1.0, .momentum = 0.6, .nesterov = true}}) {
    const double bound = dynamics_bounds(q.eigen.values, base).stable_lr;
    StepRule below = base, above = base;
    below.lr = 0.99 * bound;
    above.lr = 1.01 * bound;
    EXPECT_LT(measured_rate(q, below, 2000), 1.0) << base.optimizer_spec();
    EXPECT_GT(measured_rate(q, above, 2000), 1.0) << base.optimizer_spec();
  }
}

// ---- inputs ------------------------------------------------------------------------------

TEST(DynamicsInput, DesignMatrixGivesXtX) {
  // X = [[1,2],[3,4],[5,6]]: XᵀX = [[35,44],[44,56]], λ = (91 ± √8185)/2.
  const Quadratic q = quadratic_from_design({1, 2, 3, 4, 5, 6}, 3, 2);
  EXPECT_EQ(q.n, 2);
  EXPECT_EQ(q.a, (std::vector<double>{35, 44, 44, 56}));
  EXPECT_NEAR(q.eigen.values[0], (91 - sqrt(8185.0)) / 2, 1e-13);
  EXPECT_NEAR(q.eigen.values[1], (91 + sqrt(8185.0)) / 2, 1e-13);
  const DynamicsReport r = analyze_dynamics(q, {.lr = 0.02, .momentum = 0.5}, 100);
  EXPECT_LE(r.max_deviation, 1e-12);
  // Rank-deficient X (more columns than rows): a zero direction that stays put.
  const Quadratic flat = quadratic_from_design({1, 1}, 1, 2);
  EXPECT_NEAR(flat.eigen.values[0], 0.0, 1e-15);
  const DynamicsReport rf = analyze_dynamics(flat, {.lr = 0.1}, 50, {1.0, 0.0});
  EXPECT_EQ(rf.directions[0].regime, Regime::Stationary);
  EXPECT_NEAR(std::abs(rf.iterated.back()[0]), std::abs(rf.iterated.front()[0]), 1e-14);
}

TEST(DynamicsInput, RejectsBadArguments) {
  const Quadratic q = quadratic_from_eigenvalues({1.0, 2.0});
  EXPECT_THROW(analyze_dynamics(q, {.lr = 0.0}, 10), ValueError);
  EXPECT_THROW(analyze_dynamics(q, {.lr = -0.1}, 10), ValueError);
  EXPECT_THROW(analyze_dynamics(q, {.lr = NAN}, 10), ValueError);
  EXPECT_THROW(analyze_dynamics(q, {.lr = 0.1, .momentum = -0.5}, 10), ValueError);
  EXPECT_THROW(analyze_dynamics(q, {.lr = 0.1, .nesterov = true}, 10), ValueError);
  EXPECT_THROW(analyze_dynamics(q, {.lr = 0.1}, -1), ValueError);
  EXPECT_THROW(analyze_dynamics(q, {.lr = 0.1}, 10, {1.0, 2.0, 3.0}), ValueError);
  EXPECT_THROW(quadratic_from_eigenvalues({}), ValueError);
  EXPECT_THROW(quadratic_from_eigenvalues({1.0, INFINITY}), ValueError);
  EXPECT_THROW(quadratic_from_design({1, 2}, 0, 2), ValueError);
  EXPECT_THROW(quadratic_from_design({1, 2}, 2, 2), ShapeError);
}

TEST(DynamicsInput, NumericCsv) {
  const NumericTable t = parse_numeric_csv(" 1, 2.5 ,-3\r\n\n4,+5,6e-1\n", "m.csv");
  EXPECT_EQ(t.rows, 2);
  EXPECT_EQ(t.cols, 3);
  EXPECT_EQ(t.values, (std::vector<double>{1, 2.5, -3, 4, 5, 0.6}));
  const std::pair<const char*, const char*> bad[] = {
      {"1,2\n3\n", "m.csv:2: row has 1 fields, the first row has 2"},
      {"1,2\n\n3,x\n", "m.csv:3: field 2 is not a finite number: 'x'"},
      {"1,,2\n", "m.csv:1: field 2"},
      {"1,inf\n", "m.csv:1: field 2"},
      {"\n \n", "m.csv: no rows"}};
  for (const auto& [text, message] : bad) {
    try {
      parse_numeric_csv(text, "m.csv");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(read_numeric_csv("/nonexistent/descent/m.csv"), IOError);
  EXPECT_THROW(read_numeric_csv("/"), IOError);
}

}  // namespace
}  // namespace descent::analysis
