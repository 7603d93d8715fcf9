// The lecture's linear classifier slide: every number of its table to two decimals, the
// gradient of the printed total loss, gradient steps, other losses and the points reader.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "descent/app/linear_classifier.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

// Rounds as the slide prints: two decimals.
double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

#define EXPECT_2DP(value, printed) EXPECT_DOUBLE_EQ(round2(value) + 0.0, (printed) + 0.0)

struct TableRow {
  double s0, s1, s2, loss;
};

// The slide's table: x, y are lecture_points(); these are s[0], s[1], s[2] and L.
const TableRow kTable[] = {
    {1.30, -0.10, 0.60, 0.30},  {1.40, 0.90, 1.60, 1.70},   {1.90, -2.10, -0.40, 0.00},
    {0.20, -1.50, -2.00, 3.20}, {1.10, -2.90, -2.10, 6.80}, {-0.30, -1.70, -2.80, 2.40},
    {-0.10, 3.50, 2.00, 2.50},  {-0.70, 3.90, 1.60, 3.30},  {-1.40, 1.70, -1.20, 4.70},
};

LinearEvaluation lecture_evaluation(LinearLoss loss = LinearLoss::Svm, double reg = kLectureReg) {
  return evaluate_linear(lecture_points(), lecture_model(), {.loss = loss, .reg = reg});
}

TEST(LinearClassifier, LectureDataIsTheSlides) {
  const std::vector<Point> p = lecture_points();
  ASSERT_EQ(p.size(), 9u);
  EXPECT_EQ(p[0].x0, 0.5);
  EXPECT_EQ(p[0].x1, 0.4);
  EXPECT_EQ(p[8].x0, -0.4);
  EXPECT_EQ(p[8].x1, -0.5);
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].label, static_cast<int64_t>(i / 3));
  const LinearModel m = lecture_model();
  ASSERT_EQ(m.classes(), 3);
  EXPECT_EQ(m.W[1][1], -4.0);
  EXPECT_EQ(m.b[2], -0.5);
}

TEST(LinearClassifier, ReproducesTheLecturesTableToTwoDecimals) {
  const LinearEvaluation e = lecture_evaluation();
  ASSERT_EQ(e.scores.size(), 9u);
  for (size_t i = 0; i < 9; ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    ASSERT_EQ(e.scores[i].size(), 3u);
    EXPECT_2DP(e.scores[i][0], kTable[i].s0);
    EXPECT_2DP(e.scores[i][1], kTable[i].s1);
    EXPECT_2DP(e.scores[i][2], kTable[i].s2);
    EXPECT_2DP(e.losses[i], kTable[i].loss);
  }
  EXPECT_2DP(e.data_loss, 2.77);
  EXPECT_2DP(e.reg_loss, 3.50);
  EXPECT_2DP(e.total_loss, 6.27);
  // Exactly: the mean of the L column is 24.9 / 9, and λ Σ W² = 0.1 · 35.
  EXPECT_NEAR(e.data_loss, 24.9 / 9, 1e-12);
  EXPECT_NEAR(e.reg_loss, 3.5, 1e-12);
}

TEST(LinearClassifier, GradientOfThePrintedTotalLoss) {
  const LinearEvaluation e = lecture_evaluation();
  // ∂total/∂W = ∂data/∂W + 2λW; b is not penalized. Two decimals of the exact values
  // (−0.2333, 0.3667; 0.8111, −1.1778; 0.6222, 0.2111) and (1/9, −1/9, 0).
  EXPECT_2DP(e.grad.W[0][0], -0.23);
  EXPECT_2DP(e.grad.W[0][1], 0.37);
  EXPECT_2DP(e.grad.W[1][0], 0.81);
  EXPECT_2DP(e.grad.W[1][1], -1.18);
  EXPECT_2DP(e.grad.W[2][0], 0.62);
  EXPECT_2DP(e.grad.W[2][1], 0.21);
  EXPECT_2DP(e.grad.b[0], 0.11);
  EXPECT_2DP(e.grad.b[1], -0.11);
  EXPECT_2DP(e.grad.b[2], 0.00);
  EXPECT_NEAR(e.grad.b[0], 1.0 / 9, 1e-12);

  // Consistent with the printed total: central differences of total_loss agree.
  const double h = 1e-6;
  for (size_t k = 0; k < 3; ++k) {
    for (size_t d = 0; d < 3; ++d) {
      LinearModel plus = lecture_model(), minus = lecture_model();
      double& p = d < 2 ? plus.W[k][d] : plus.b[k];
      double& m = d < 2 ? minus.W[k][d] : minus.b[k];
      p += h;
      m -= h;
      const double numeric = (evaluate_linear(lecture_points(), plus, {}).total_loss -
                              evaluate_linear(lecture_points(), minus, {}).total_loss) /
                             (2 * h);
      const double analytic = d < 2 ? e.grad.W[k][d] : e.grad.b[k];
      EXPECT_NEAR(analytic, numeric, 1e-6) << "entry " << k << "," << d;
    }
  }
}

// The slide's gradient column shows W gradients −0.38, 0.07 / 0.51, −0.58 / 0.17, 0.36 and b
// gradients 0.11, −0.11, 0.00. Its b gradients are the data loss's; its W gradients are the data
// loss's plus (λ/2)·W, not plus 2λ·W as its own total loss (reg loss λΣW² = 3.50) implies.
TEST(LinearClassifier, TheSlidesGradientColumnIsDataGradientPlusHalfLambdaW) {
  const LinearEvaluation data_only = lecture_evaluation(LinearLoss::Svm, 0.0);
  const LinearModel w = lecture_model();
  const double slide_w[3][2] = {{-0.38, 0.07}, {0.51, -0.58}, {0.17, 0.36}};
  const double slide_b[3] = {0.11, -0.11, 0.00};
  for (size_t k = 0; k < 3; ++k) {
    for (size_t d = 0; d < 2; ++d) {
      EXPECT_2DP(data_only.grad.W[k][d] + 0.5 * kLectureReg * w.W[k][d], slide_w[k][d]);
      // ... and not the total loss's gradient.
      EXPECT_NE(round2(data_only.grad.W[k][d] + 2 * kLectureReg * w.W[k][d]), slide_w[k][d]);
    }
    EXPECT_2DP(data_only.grad.b[k], slide_b[k]);
  }
}

TEST(LinearClassifier, OtherLosses) {
  // First point: s = (1.3, −0.1, 0.6), y = 0.
  const LinearEvaluation ova = lecture_evaluation(LinearLoss::OneVsAll);
  EXPECT_NEAR(ova.losses[0], 0.0 + 0.9 + 1.6, 1e-12);
  const LinearEvaluation cs = lecture_evaluation(LinearLoss::Structured);
  EXPECT_NEAR(cs.losses[0], 0.3, 1e-12);
  EXPECT_NEAR(cs.losses[3], 2.7, 1e-12);  // s = (0.2, −1.5, −2.0), y = 1: 1 + 0.2 + 1.5
  const LinearEvaluation ce = lecture_evaluation(LinearLoss::Softmax);
  const double lse = std::log(std::exp(1.3) + std::exp(-0.1) + std::exp(0.6));
  EXPECT_NEAR(ce.losses[0], lse - 1.3, 1e-12);
  for (const LinearEvaluation* e : {&ova, &cs, &ce}) EXPECT_NEAR(e->reg_loss, 3.5, 1e-12);
  // Margin 0: first point's Weston–Watkins loss is max(0, −1.4) + max(0, −0.7) = 0.
  EXPECT_EQ(evaluate_linear(lecture_points(), lecture_model(), {.margin = 0.0}).losses[0], 0.0);
}

TEST(LinearClassifier, GradientStepsLowerTheTotalLoss) {
  const LinearDescent d =
      descend_linear(lecture_points(), lecture_model(), {.loss = LinearLoss::Svm}, 20, 0.1);
  ASSERT_EQ(d.history.size(), 20u);
  EXPECT_LT(d.history.back(), 6.27 - 1.0);
  EXPECT_EQ(d.history.back(), d.evaluation.total_loss);
  // The first step is W − 0.1·∂total/∂W from the lecture's W.
  const LinearDescent one = descend_linear(lecture_points(), lecture_model(), {}, 1, 0.1);
  const LinearEvaluation e0 = lecture_evaluation();
  EXPECT_NEAR(one.model.W[1][1], -4.0 - 0.1 * e0.grad.W[1][1], 1e-12);
  EXPECT_NEAR(one.model.b[0], 0.0 - 0.1 * e0.grad.b[0], 1e-12);
  EXPECT_LT(one.history[0], e0.total_loss);
  // Zero steps: the lecture's state, empty history.
  const LinearDescent none = descend_linear(lecture_points(), lecture_model(), {}, 0, 0.1);
  EXPECT_TRUE(none.history.empty());
  EXPECT_EQ(none.evaluation.total_loss, e0.total_loss);
}

TEST(LinearClassifier, RejectsBadInputs) {
  std::vector<Point> pts = lecture_points();
  pts[4].label = 3;
  try {
    evaluate_linear(pts, lecture_model(), {});
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("point 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3 classes"), std::string::npos) << e.what();
  }
  EXPECT_THROW(evaluate_linear({}, lecture_model(), {}), ValueError);
  EXPECT_THROW(evaluate_linear(lecture_points(), lecture_model(), {.reg = -1}), ValueError);
  EXPECT_THROW(descend_linear(lecture_points(), lecture_model(), {}, 1, 0.0), ValueError);
  EXPECT_THROW(descend_linear(lecture_points(), lecture_model(), {}, -1, 0.1), ValueError);
  EXPECT_EQ(parse_linear_loss("structured"), LinearLoss::Structured);
  EXPECT_EQ(linear_loss_name(LinearLoss::OneVsAll), "ova");
  EXPECT_THROW(parse_linear_loss("hinge"), ValueError);
}

// --- the points reader ---

std::vector<Point> parse(const std::string& text) {
  std::istringstream in(text);
  return parse_points_csv(in, "pts.csv");
}

std::string points_parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const IOError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no IOError for:\n" << text;
  return {};
}

TEST(PointsCsv, ReadsRowsWithOptionalHeaderCommentsAndCrlf) {
  const std::vector<Point> p = parse("x0,x1,y\r\n# a comment\n\n 0.5 , -1e-1, 2\r\n-3,4,0.0\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].x0, 0.5);
  EXPECT_EQ(p[0].x1, -0.1);
  EXPECT_EQ(p[0].label, 2);
  EXPECT_EQ(p[1].label, 0);
  EXPECT_EQ(parse("1,2,3").size(), 1u);  // no header
  // A leading '+' is read as the dataset reader reads it (data/csv_fields.h).
  EXPECT_EQ(parse("+1.5,-2,+1")[0].x0, 1.5);
  EXPECT_NE(points_parse_error("1,+-2,0\n").find("pts.csv:1: x1 '+-2'"), std::string::npos);
}

TEST(PointsCsv, ErrorsNameTheFileAndLine) {
  EXPECT_NE(points_parse_error("x0,x1,y\n1,2,0\n1,2\n").find("pts.csv:3: expected 3 fields"),
            std::string::npos);
  EXPECT_NE(points_parse_error("1,2,0\n1,2,0,4\n").find("pts.csv:2:"), std::string::npos);
  EXPECT_NE(
      points_parse_error("1,2,0\n\n1,abc,0\n").find("pts.csv:3: x1 'abc' is not a finite number"),
      std::string::npos);
  EXPECT_NE(points_parse_error("1,2,0\n1,nan,0\n").find("pts.csv:2:"), std::string::npos);
  EXPECT_NE(points_parse_error("1,2,1.5\n").find("pts.csv:1: label '1.5'"), std::string::npos);
  EXPECT_NE(points_parse_error("1,2,0\n1,2,-1\n").find("pts.csv:2: label '-1'"), std::string::npos);
  EXPECT_NE(points_parse_error("1,2,1e300\n").find("pts.csv:1: label"), std::string::npos);
  EXPECT_NE(points_parse_error("x0,x1,y\n").find("no points"), std::string::npos);
  EXPECT_NE(points_parse_error("").find("no points"), std::string::npos);
  // A header is recognized only on the first row.
  EXPECT_NE(points_parse_error("1,2,0\nx0,x1,y\n").find("pts.csv:2:"), std::string::npos);
  EXPECT_THROW(read_points_csv("/nonexistent/points.csv"), IOError);
}

}  // namespace
}  // namespace descent::app
