// Each API function of the web lab against the app/analysis function it translates, and the
// field-naming errors of malformed requests.
#include <descent/analysis/dynamics.h>
#include <descent/analysis/problems.h>
#include <descent/app/linear_classifier.h>
#include <descent/app/race.h>
#include <descent/core/error.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "serve/api.h"
#include "serve_test_util.h"

namespace descent::serve {
namespace {

using testing::error_of;

TEST(ServeApi, LinearEvaluateOpensOnTheLectureNumbers) {
  const Json r = api_linear_evaluate(api_linear_lecture());
  const app::LinearEvaluation e = app::evaluate_linear(app::lecture_points(), app::lecture_model(),
                                                       {.loss = app::LinearLoss::Svm, .reg = 0.1});
  EXPECT_EQ(r["data_loss"].get<double>(), e.data_loss);
  EXPECT_EQ(r["reg_loss"].get<double>(), e.reg_loss);
  EXPECT_EQ(r["total_loss"].get<double>(), e.total_loss);
  // The slide's numbers, as `descent linear` prints them.
  EXPECT_NEAR(r["data_loss"].get<double>(), 2.77, 0.005);
  EXPECT_NEAR(r["reg_loss"].get<double>(), 3.50, 0.005);
  EXPECT_NEAR(r["total_loss"].get<double>(), 6.27, 0.005);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(r["grad"]["b"][k].get<double>(), e.grad.b[k]);
    for (size_t d = 0; d < 2; ++d) EXPECT_EQ(r["grad"]["W"][k][d].get<double>(), e.grad.W[k][d]);
  }
  EXPECT_EQ(r["rows"].size(), 9u);
  EXPECT_EQ(r["rows"][4]["loss"].get<double>(), e.losses[4]);
  EXPECT_TRUE(r["history"].empty());
}

TEST(ServeApi, LinearStepEqualsDescendLinearForEveryLoss) {
  for (const char* loss : {"svm", "ova", "structured", "softmax"}) {
    nlohmann::json body = api_linear_lecture();
    body["loss"] = loss;
    body["lr"] = 0.05;
    body["steps"] = 4;
    const Json r = api_linear_step(body);
    const app::LinearDescent d =
        app::descend_linear(app::lecture_points(), app::lecture_model(),
                            {.loss = app::parse_linear_loss(loss), .reg = 0.1}, 4, 0.05);
    EXPECT_EQ(r["history"].get<std::vector<double>>(), d.history) << loss;
    EXPECT_EQ(r["params"]["b"].get<std::vector<double>>(), d.model.b) << loss;
    EXPECT_EQ(r["total_loss"].get<double>(), d.evaluation.total_loss) << loss;
  }
  // One small step lowers the total loss (the browser test checks the same on the page).
  const Json before = api_linear_evaluate(api_linear_lecture());
  const Json after = api_linear_step(api_linear_lecture());
  EXPECT_LT(after["total_loss"].get<double>(), before["total_loss"].get<double>());
}

TEST(ServeApi, LinearRegionsAreTheArgmaxOfTheScores) {
  nlohmann::json body = api_linear_lecture();
  body["view"] = {-1.0, 1.0, -2.0, 2.0};
  body["view_n"] = 5;
  const Json r = api_linear_evaluate(body);
  const auto classes = r["regions"]["classes"].get<std::vector<int64_t>>();
  ASSERT_EQ(classes.size(), 25u);
  const app::LinearModel m = app::lecture_model();
  for (int j = 0; j < 5; ++j) {
    for (int i = 0; i < 5; ++i) {
      const double x = -1.0 + 0.5 * i, y = -2.0 + 1.0 * j;
      int64_t best = 0;
      for (int64_t k = 1; k < 3; ++k) {
        if (m.W[k][0] * x + m.W[k][1] * y + m.b[k] >
            m.W[best][0] * x + m.W[best][1] * y + m.b[best])
          best = k;
      }
      EXPECT_EQ(classes[static_cast<size_t>(j * 5 + i)], best) << x << "," << y;
    }
  }
}

TEST(ServeApi, LinearRequestErrorsNameTheField) {
  nlohmann::json body = api_linear_lecture();
  body["points"][2]["y"] = 7;
  EXPECT_NE(error_of([&] { api_linear_evaluate(body); }).find("label 7"), std::string::npos);
  body = api_linear_lecture();
  body["params"]["W"][1] = {1.0, "x"};
  EXPECT_NE(error_of([&] { api_linear_evaluate(body); }).find("params.W[1][1]"), std::string::npos);
  body = api_linear_lecture();
  body["lr"] = -1;
  EXPECT_NE(error_of([&] { api_linear_step(body); }).find("lr"), std::string::npos);
  body = api_linear_lecture();
  body["steps"] = 0;
  EXPECT_NE(error_of([&] { api_linear_step(body); }).find("steps"), std::string::npos);
  // A view whose ends are finite but whose width is not would make a grid of inf and NaN.
  for (const nlohmann::json& view :
       {nlohmann::json{1.0, -1.0, 0.0, 1.0}, nlohmann::json{-1e308, 1e308, 0.0, 1.0}}) {
    body = api_linear_lecture();
    body["view"] = view;
    EXPECT_NE(error_of([&] { api_linear_evaluate(body); }).find("is empty or not finite"),
              std::string::npos)
        << view;
  }
  body = api_linear_lecture();
  body["colour"] = "red";
  EXPECT_NE(error_of([&] { api_linear_evaluate(body); }).find("colour: unknown key"),
            std::string::npos);
}

TEST(ServeApi, ProblemGridIsTheFunctionOnTheGrid) {
  const Json g = api_problem_grid({{"function", "rosenbrock"}, {"n", 7}});
  const analysis::Problem p = analysis::rosenbrock();
  const auto values = g["values"].get<std::vector<double>>();
  ASSERT_EQ(values.size(), 49u);
  for (int j = 0; j < 7; j += 3) {
    for (int i = 0; i < 7; i += 2) {
      const double x = p.range.x_min + (p.range.x_max - p.range.x_min) * i / 6.0;
      const double y = p.range.y_min + (p.range.y_max - p.range.y_min) * j / 6.0;
      EXPECT_NEAR(values[static_cast<size_t>(j * 7 + i)], p(x, y), 1e-9 * (1 + std::fabs(p(x, y))));
    }
  }
  EXPECT_EQ(g["minima"][0][0].get<double>(), 1.0);
  EXPECT_NE(error_of([] {
              api_problem_grid({{"function", "rosenbrock"}, {"n", 1}});
            }).find("n"),
            std::string::npos);
}

TEST(ServeApi, RaceEqualsRunRace) {
  const nlohmann::json body = {{"function", "rosenbrock"},
                               {"optimizers", {"adam:lr=0.05", "sgd:lr=0.001,momentum=0.9"}},
                               {"steps", 50},
                               {"start", {-1.5, 2.0}}};
  const Json r = api_race(body);
  const app::RaceResult expected =
      app::run_race({.function = "rosenbrock",
                     .optimizers = {"adam:lr=0.05", "sgd:lr=0.001,momentum=0.9"},
                     .steps = 50,
                     .start = std::array<double, 2>{-1.5, 2.0}});
  EXPECT_EQ(nlohmann::json(r), nlohmann::json(app::race_json(expected)));
  EXPECT_NE(error_of([] {
              api_race({{"function", "booth"}, {"optimizers", {"adam:lr=x"}}});
            }),
            "(no error)");
  EXPECT_NE(error_of([] {
              api_race({{"function", "booth"}, {"optimizers", {1}}});
            }).find("optimizers[0]"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_race({{"function", "booth"}, {"optimizers", {"adam"}}, {"steps", 99999}});
            }).find("steps"),
            std::string::npos);
}

TEST(ServeApi, DynamicsMatchesAnalysisAndTheRealRun) {
  // Eigenvalues given in descending order: the eigenbasis is ascending, θ is in the given order.
  const nlohmann::json body = {{"eigenvalues", {20.0, 1.0}},
                               {"lr", 0.08},
                               {"momentum", 0.5},
                               {"steps", 30},
                               {"start", {1.0, -2.0}}};
  const Json r = api_dynamics(body);
  const analysis::Quadratic q = analysis::quadratic_from_eigenvalues({20.0, 1.0});
  const analysis::StepRule rule{.lr = 0.08, .momentum = 0.5};
  const analysis::DynamicsReport rep = analysis::analyze_dynamics(q, rule, 30, {1.0, -2.0});
  EXPECT_EQ(r["closed"].get<std::vector<std::vector<double>>>(), rep.closed);
  EXPECT_EQ(r["iterated"].get<std::vector<std::vector<double>>>(), rep.iterated);
  EXPECT_EQ(r["bounds"]["stable_lr"].get<double>(), rep.bounds.stable_lr);
  // θ_t drawn on the 2-D view is the optimizer's own run, checked independently.
  const auto run = analysis::iterate_quadratic(q, rule, {1.0, -2.0}, 30);
  const auto theta = r["theta"].get<std::vector<std::vector<double>>>();
  ASSERT_EQ(theta.size(), run.size());
  for (size_t t = 0; t < run.size(); ++t) {
    EXPECT_NEAR(theta[t][0], run[t][0], 1e-12);
    EXPECT_NEAR(theta[t][1], run[t][1], 1e-12);
  }
  // The grid is ½θᵀAθ at its corners.
  const auto values = r["grid"]["values"].get<std::vector<double>>();
  const double h = r["grid"]["x_max"].get<double>();
  EXPECT_DOUBLE_EQ(values.front(), 0.5 * (20.0 * h * h + 1.0 * h * h));
  EXPECT_NE(error_of([] {
              api_dynamics({{"eigenvalues", {1.0}}, {"lr", 0.0}});
            }).find("lr"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              api_dynamics({{"eigenvalues", {1.0, 2.0}}, {"lr", 0.1}, {"start", {1.0}}});
            }).find("start"),
            std::string::npos);
}

TEST(ServeApi, RegimesAreThoseOfEachStepSize) {
  const Json r = api_dynamics_regimes({{"lambda", 10.0}, {"lr_max", 0.3}, {"n", 30}});
  const auto lrs = r["lr"].get<std::vector<double>>();
  ASSERT_EQ(lrs.size(), 30u);
  for (size_t i = 0; i < lrs.size(); ++i) {
    const analysis::DirectionDynamics d = analysis::direction_dynamics(10.0, {.lr = lrs[i]});
    EXPECT_EQ(r["spectral_radius"][i].get<double>(), d.spectral_radius);
    EXPECT_EQ(r["regime"][i].get<std::string>(), analysis::regime_name(d.regime));
  }
  // Plain GD: monotone below α = 1/λ, oscillating decay up to 2/λ, divergence beyond.
  EXPECT_EQ(r["regime"][0], "monotone decay");
  EXPECT_EQ(r["regime"][14], "oscillating decay");  // α = 0.15
  EXPECT_EQ(r["regime"][29], "divergence");         // α = 0.3
}

}  // namespace
}  // namespace descent::serve
