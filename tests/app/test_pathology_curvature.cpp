// The high-curvature experiment: its condition numbers against an independent computation
// (the Gram matrix of the design, by symmetric_eigen), and the effect of the cures.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/analysis/symmetric_eigen.h"
#include "descent/app/pathology_curvature.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

// The spectrum of (2/n) ŨᵀŨ, Ũ = [U 1], with U given row by row (n × d), computed here with
// plain loops: for least squares this is exactly the Hessian of the loss.
std::vector<double> hessian_spectrum(const std::vector<std::vector<double>>& u) {
  const auto n = static_cast<int64_t>(u.size());
  const auto m = static_cast<int64_t>(u[0].size()) + 1;
  std::vector<double> h(static_cast<size_t>(m * m), 0.0);
  for (const auto& row : u) {
    std::vector<double> r = row;
    r.push_back(1.0);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < m; ++j) h[i * m + j] += 2.0 * r[i] * r[j] / static_cast<double>(n);
    }
  }
  return analysis::symmetric_eigen(h, m).values;
}

std::vector<std::vector<double>> rows(const data::Dataset& d) {
  const int64_t n = d.inputs.size(0), k = d.inputs.size(1);
  const double* x = d.inputs.data<double>();
  std::vector<std::vector<double>> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i].assign(x + i * k, x + (i + 1) * k);
  return out;
}

// (x − mean)/std per column, population std (what the "standardize" transform fits).
std::vector<std::vector<double>> standardized(std::vector<std::vector<double>> x) {
  const size_t n = x.size(), k = x[0].size();
  for (size_t j = 0; j < k; ++j) {
    double mean = 0.0, var = 0.0;
    for (const auto& r : x) mean += r[j] / static_cast<double>(n);
    for (const auto& r : x) var += (r[j] - mean) * (r[j] - mean) / static_cast<double>(n);
    for (auto& r : x) r[j] = (r[j] - mean) / std::sqrt(var);
  }
  return x;
}

const CurvatureCase& find(const CurvatureExperiment& e, const std::string& name) {
  for (const CurvatureCase& c : e.cases) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no case " + name);
}

TEST(PathologyCurvature, ConditionNumbersMatchTheGramMatrixOfTheDesign) {
  const CurvatureExperimentOptions o;
  const CurvatureExperiment e = run_curvature_experiment(o);
  ASSERT_EQ(e.cases.size(), 3u);
  const auto x = rows(curvature_data(o));
  for (const auto& [name, u] : {std::pair{"raw", x}, std::pair{"standardized", standardized(x)}}) {
    const CurvatureCase& c = find(e, name);
    const std::vector<double> ref = hessian_spectrum(u);
    // float32 data through the standardize transform: agreement to its rounding.
    const double tol = std::string(name) == "raw" ? 1e-9 : 1e-5;
    EXPECT_NEAR(c.lambda_max, ref.back(), tol * ref.back()) << name;
    EXPECT_NEAR(c.lambda_min, ref.front(), tol * ref.back()) << name;
    const double cond = ref.back() / ref.front();
    EXPECT_NEAR(c.cond_hessian, cond, 1e-4 * cond) << name;
    EXPECT_NEAR(c.cond_design, cond, 1e-4 * cond) << name;  // H = (2/n) ŨᵀŨ: same κ
  }
}

TEST(PathologyCurvature, StandardizationAndBatchNormCureTheConditioning) {
  const CurvatureExperiment e = run_curvature_experiment({});
  const CurvatureCase& raw = find(e, "raw");
  const CurvatureCase& std_ = find(e, "standardized");
  const CurvatureCase& bn = find(e, "batchnorm");
  EXPECT_GT(raw.cond_hessian, 1000.0);  // scales 1 and 10, offsets 4: badly conditioned
  EXPECT_LT(std_.cond_hessian, 1.5);    // nearly uncorrelated unit features and the bias
  EXPECT_LT(bn.cond_hessian, 1.5);
  EXPECT_NEAR(bn.cond_hessian, bn.cond_design, 1e-4 * bn.cond_design);
  // The optimal constant step, and the number of steps growing with κ.
  EXPECT_DOUBLE_EQ(raw.lr, 2.0 / (raw.lambda_min + raw.lambda_max));
  ASSERT_GT(raw.steps, 0);
  ASSERT_GT(std_.steps, 0);
  ASSERT_GT(bn.steps, 0);
  EXPECT_GT(raw.steps, 50 * std_.steps);
  EXPECT_LT(bn.steps, raw.steps / 50);
  for (const CurvatureCase& c : e.cases) {
    EXPECT_LE(c.final_loss, e.options.target * c.initial_loss) << c.name;
    EXPECT_DOUBLE_EQ(c.initial_loss, raw.initial_loss) << c.name;  // all start at θ = 0
  }
}

TEST(PathologyCurvature, StableStepIsOneOverLambdaMaxAndSlower) {
  CurvatureExperimentOptions o;
  o.lr_rule = "stable";
  const CurvatureExperiment stable = run_curvature_experiment(o);
  const CurvatureExperiment optimal = run_curvature_experiment({});
  const CurvatureCase& s = find(stable, "raw");
  EXPECT_DOUBLE_EQ(s.lr, 1.0 / s.lambda_max);
  EXPECT_GT(s.steps, find(optimal, "raw").steps);
}

TEST(PathologyCurvature, BadOptionsAreClearErrors) {
  CurvatureExperimentOptions o;
  o.offsets = {1.0};
  EXPECT_THROW(run_curvature_experiment(o), ValueError);
  o = {};
  o.lr_rule = "fast";
  EXPECT_THROW(run_curvature_experiment(o), ValueError);
  o = {};
  o.scales = {1.0, -2.0};
  EXPECT_THROW(run_curvature_experiment(o), ValueError);
  o = {};
  o.max_steps = 10;  // too few: reported as not reached, not an error
  const CurvatureExperiment e = run_curvature_experiment(o);
  EXPECT_EQ(find(e, "raw").steps, -1);
}

}  // namespace
}  // namespace descent::app
