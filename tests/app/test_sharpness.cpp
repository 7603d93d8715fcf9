// Sharpness through the trainer's estimator hook, checked on least squares, whose Hessian is
// known in closed form: L(w, b) = (1/n) Σ (wᵀx_i + b − y_i)²  ⇒  H = (2/n) X̃ᵀX̃ with
// x̃_i = (x_i, 1), constant in θ. The test estimator (exact_sharpness.h) builds H by autograd.
#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "app_test_util.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/app/config.h"
#include "descent/app/experiment_data.h"
#include "descent/app/trainer.h"
#include "descent/autograd/ops.h"
#include "exact_sharpness.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json least_squares(const std::string& optimizer, json extra = json::object()) {
  json j = {{"data", {{"dataset", "linear-regression"}, {"samples", 64}, {"features", 3}}},
            {"model", {"linear"}},
            {"loss", "mse"},
            {"optimizer", optimizer},
            {"epochs", 3},
            {"batch_size", 16}};
  j.update(extra);
  return j;
}

using testing::data_for;

// λmax of (2/n) X̃ᵀX̃ over the first n training examples.
double closed_form_lambda_max(const data::Dataset& train, int64_t n) {
  const Tensor x = contiguous(to(train.inputs, DType::Float64));
  const int64_t d = x.size(1), k = d + 1;
  std::vector<double> h(static_cast<size_t>(k * k), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    std::vector<double> row(x.data<double>() + i * d, x.data<double>() + (i + 1) * d);
    row.push_back(1.0);
    for (int64_t a = 0; a < k; ++a)
      for (int64_t b = 0; b < k; ++b)
        h[a * k + b] += 2.0 * row[a] * row[b] / static_cast<double>(n);
  }
  return analysis::symmetric_eigen(h, k).values.back();
}

struct Collector : TrainingObserver {
  std::vector<DiagnosticsEvent> events;
  void on_diagnostics(const DiagnosticsEvent& e) override { events.push_back(e); }
};

TEST(Sharpness, RecordedEveryKStepsWithTheEdgeOfStability) {
  const ExperimentConfig c = parse_config(least_squares(
      "sgd:lr=0.05", {{"diagnostics", {{"sharpness", {{"every_steps", 2}, {"samples", 32}}}}}}));
  const data::Split data = data_for(c);
  const double expected = closed_form_lambda_max(data.train, 32);
  Trainer trainer(c, data);
  int calls = 0;
  trainer.set_sharpness_estimator([&](const SharpnessProblem& p) {
    ++calls;
    EXPECT_EQ(p.iterations, 20);
    EXPECT_EQ(p.params.size(), 2u);
    return testing::exact_lambda_max(p);
  });
  Collector col;
  trainer.add_observer(&col);
  const RunSummary s = trainer.run();
  ASSERT_EQ(static_cast<int64_t>(col.events.size()), s.steps / 2);
  EXPECT_EQ(calls, s.steps / 2);
  for (const DiagnosticsEvent& e : col.events) {
    EXPECT_EQ(e.step % 2, 0);
    ASSERT_EQ(e.values.size(), 2u);  // diagnostics.every_steps is 0: only the sharpness
    EXPECT_EQ(e.values[0].first, "sharpness");
    // float32 model: the Hessian by autograd agrees with the float64 closed form to ~1e-6.
    EXPECT_NEAR(e.values[0].second, expected, 1e-4 * expected);
    EXPECT_EQ(e.values[1].first, "edge_of_stability");
    EXPECT_DOUBLE_EQ(e.values[1].second, 2.0 / 0.05);
  }
}

TEST(Sharpness, PowerIterationEstimatorMatchesTheClosedForm) {
  // The estimator `descent train` installs: power iteration on exact Hessian-vector products.
  const ExperimentConfig c = parse_config(least_squares(
      "sgd:lr=0.05",
      {{"diagnostics",
        {{"sharpness", {{"every_steps", 3}, {"samples", 32}, {"iterations", 50}}}}}}));
  const data::Split data = data_for(c);
  const double expected = closed_form_lambda_max(data.train, 32);
  Trainer trainer(c, data);
  trainer.set_sharpness_estimator(power_iteration_sharpness);
  Collector col;
  trainer.add_observer(&col);
  trainer.run();
  ASSERT_FALSE(col.events.empty());
  for (const DiagnosticsEvent& e : col.events) {
    EXPECT_EQ(e.values[0].first, "sharpness");
    EXPECT_NEAR(e.values[0].second, expected, 1e-3 * expected);
  }
}

TEST(Sharpness, ARunThatAsksForItNeedsAnEstimator) {
  const ExperimentConfig c =
      parse_config(least_squares("sgd", {{"diagnostics", {{"sharpness", {{"every_steps", 1}}}}}}));
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  try {
    trainer.run();
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("diagnostics.sharpness.every_steps"));
    EXPECT_THAT(e.what(), HasSubstr("no sharpness estimator"));
  }
  EXPECT_EQ(trainer.step(), 0);
}

// lr = 1000 on least squares: lr·λmax ≫ 2, the textbook divergence.
ExperimentConfig diverging(const std::string& on_nonfinite, bool at_divergence = true) {
  return parse_config(least_squares(
      "sgd:lr=1000", {{"epochs", 30},
                      {"on_nonfinite", on_nonfinite},
                      {"diagnostics", {{"sharpness", {{"at_divergence", at_divergence}}}}}}));
}

TEST(Sharpness, DivergenceMessageQuotesLambdaMaxAtTheLastFiniteParameters) {
  const ExperimentConfig c = diverging("stop");
  const data::Split data = data_for(c);
  const double lambda = closed_form_lambda_max(data.train, data.train.size());
  Trainer trainer(c, data);
  int64_t estimated_at = -1;
  trainer.set_sharpness_estimator([&](const SharpnessProblem& p) {
    // The parameters handed over are finite (the last ones whose loss was finite).
    for (const Tensor& t : p.params) EXPECT_TRUE(std::isfinite(sum(abs(t)).item()));
    estimated_at = trainer.step();
    return testing::exact_lambda_max(p);
  });
  const RunSummary s = trainer.run();
  ASSERT_EQ(s.status, RunStatus::Diverged);
  EXPECT_EQ(estimated_at, s.steps);  // only once, when the guard fired
  EXPECT_THAT(s.message, HasSubstr("training diverged at step"));
  EXPECT_THAT(s.message,
              HasSubstr(fmt::format("λmax ≈ {:.6g} at the last finite parameters (step {})", lambda,
                                    s.steps - 1)));
  EXPECT_THAT(s.message, HasSubstr(fmt::format("lr·λmax = {:.6g} > 2", 1000 * lambda)));
  EXPECT_THAT(s.message, HasSubstr("explains the divergence"));
}

TEST(Sharpness, RaiseCarriesTheEstimateAndWithoutEstimatorTheMessageIsUnchanged) {
  {
    const ExperimentConfig c = diverging("raise");
    const data::Split data = data_for(c);
    Trainer trainer(c, data);
    trainer.set_sharpness_estimator(testing::exact_lambda_max);
    EXPECT_THROW(
        {
          try {
            trainer.run();
          } catch (const DivergenceError& e) {
            EXPECT_THAT(e.what(), HasSubstr("lr·λmax = "));
            throw;
          }
        },
        DivergenceError);
  }
  for (const bool with_estimator : {false, true}) {
    const ExperimentConfig c = diverging("stop", /*at_divergence=*/false);
    const data::Split data = data_for(c);
    Trainer trainer(c, data);
    if (with_estimator) {
      trainer.set_sharpness_estimator([](const SharpnessProblem&) -> double {
        ADD_FAILURE() << "at_divergence is off";
        return 0.0;
      });
    }
    const RunSummary s = trainer.run();
    EXPECT_EQ(s.status, RunStatus::Diverged);
    EXPECT_THAT(s.message, Not(HasSubstr("λmax")));
  }
}

// Under on_nonfinite = skip the run continues after the estimate: the parameters it swapped in
// must be put back, so the run ends bitwise where a run without an estimator ends.
TEST(Sharpness, SkippedStepsContinueFromTheSameParameters) {
  const ExperimentConfig c = diverging("skip");
  const data::Split data = data_for(c);
  Trainer a(c, data), b(c, data);
  b.set_sharpness_estimator(testing::exact_lambda_max);
  std::vector<std::string> messages;
  struct Messages : TrainingObserver {
    std::vector<std::string>* out;
    void on_message(const std::string& t) override { out->push_back(t); }
  } m;
  m.out = &messages;
  b.add_observer(&m);
  a.run();
  b.run();
  ASSERT_FALSE(messages.empty());
  EXPECT_THAT(messages[0], HasSubstr("lr·λmax"));
  testing::expect_same_state(a.model(), b.model());
}

TEST(Sharpness, ExplanationSaysWhetherTheBoundIsExceeded) {
  EXPECT_THAT(explain_sharpness(10.0, 0.3, 5), HasSubstr("lr·λmax = 3 > 2"));
  EXPECT_THAT(explain_sharpness(10.0, 0.3, 5), HasSubstr("2/λmax = 0.2"));
  EXPECT_THAT(explain_sharpness(10.0, 0.1, 5), HasSubstr("lr·λmax = 1 <= 2"));
  EXPECT_THAT(explain_sharpness(10.0, 0.1, 5), HasSubstr("does not explain"));
  EXPECT_THAT(explain_sharpness(std::nan(""), 0.1, 5), HasSubstr("not finite"));
}

}  // namespace
}  // namespace descent::app
