#pragma once
// The lecture's linear classifier (the "Recap. Linear Models" slide, after CS231n's interactive
// demo): scores s = Wx + b for 2-D points x and C classes, a multiclass loss averaged over the
// points, and an L2 penalty λ·Σ W² on the weights (biases are not penalized):
//
//   data loss  = (1/N) Σ_i L_i(s_i, y_i)          reg loss = λ Σ_{k,d} W[k,d]²
//   total loss = data loss + reg loss
//
// evaluate_linear() computes the table of the slide (scores and L_i per point), the three losses
// and the gradient of the total loss with respect to W and b by autodiff; descend_linear() takes
// full-batch gradient steps W ← W − η ∂total/∂W, b ← b − η ∂total/∂b.
//
// Shared by `descent linear` and (later) the web lab, so it holds plain numbers, not Tensors.
//
// About the slide's gradient column: its b gradients (0.11, −0.11, 0.00) are those of the data
// loss, but its W gradients are ∂data/∂W + (λ/2)·W, not the ∂data/∂W + 2λ·W that the printed
// total (with reg loss λ·ΣW² = 3.50) implies. descent reports the gradient of the loss it prints;
// docs/linear-classifier.md shows both and the test pins the difference.
#include <array>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace descent::app {

// The loss L_i of one point. See nn/losses.h for the definitions.
enum class LinearLoss {
  Svm,       // Weston–Watkins multiclass SVM: Σ_{j≠y} max(0, s_j − s_y + Δ) (the lecture's)
  OneVsAll,  // Σ_j max(0, Δ − t_j s_j), t_j = +1 for j = y, −1 otherwise
  Structured,  // Crammer–Singer: max(0, Δ + max_{j≠y} s_j − s_y)
  Softmax,     // cross-entropy −log softmax(s)_y
};

// "svm", "ova", "structured", "softmax".
std::string_view linear_loss_name(LinearLoss loss);
// A one-line human description, e.g. "Weston-Watkins multiclass SVM".
std::string_view linear_loss_title(LinearLoss loss);
// Parses the names above; throws ValueError listing them otherwise.
LinearLoss parse_linear_loss(std::string_view name);

struct Point {
  double x0 = 0.0;
  double x1 = 0.0;
  int64_t label = 0;
};

// W is C×2 (row k: the weights of class k's score), b has C entries.
struct LinearModel {
  std::vector<std::array<double, 2>> W;
  std::vector<double> b;
  int64_t classes() const { return static_cast<int64_t>(b.size()); }
};

struct LinearObjective {
  LinearLoss loss = LinearLoss::Svm;
  double reg = 0.1;     // λ ≥ 0
  double margin = 1.0;  // Δ of the SVM losses (unused by softmax)
};

// The slide's nine points (three per class), W = [[1, 2], [2, −4], [3, −1]], b = [0, 0.5, −0.5]
// and λ = 0.1.
std::vector<Point> lecture_points();
LinearModel lecture_model();
inline constexpr double kLectureReg = 0.1;

struct LinearEvaluation {
  std::vector<std::vector<double>> scores;  // [N][C]: s_i = W x_i + b
  std::vector<double> losses;               // [N]: L_i
  double data_loss = 0.0;                   // mean of L_i
  double reg_loss = 0.0;                    // λ Σ W²
  double total_loss = 0.0;
  LinearModel grad;  // ∂total/∂W and ∂total/∂b, laid out as the model
};

// Evaluates the objective at `model` in float64 with autodiff. Throws ValueError for an empty
// point set, a malformed model (W and b of different lengths, no classes), a label outside
// [0, C) (naming the point), a negative or non-finite λ, or a non-finite margin.
LinearEvaluation evaluate_linear(const std::vector<Point>& points, const LinearModel& model,
                                 const LinearObjective& objective);

// One gradient step: model − lr · grad.
LinearModel step_linear(const LinearModel& model, const LinearModel& grad, double lr);

struct LinearDescent {
  LinearModel model;            // after the last step
  std::vector<double> history;  // total loss after each step (history.size() == steps)
  LinearEvaluation evaluation;  // of `model`
};

// `steps` full-batch gradient-descent steps with learning rate lr > 0 from `model`.
LinearDescent descend_linear(const std::vector<Point>& points, const LinearModel& model,
                             const LinearObjective& objective, int64_t steps, double lr);

// The coloured regions of the slide: the predicted class argmax_k (Wx + b)_k (the lowest k on a
// tie) at the points of an n×n grid spanning [x_min, x_max] × [y_min, y_max], both ends included,
// row-major with y rows ascending. ValueError for n < 2, an empty or non-finite window, or a
// malformed model.
std::vector<int64_t> linear_region_grid(const LinearModel& model, double x_min, double x_max,
                                        double y_min, double y_max, int64_t n);

// --- points files ---
// CSV with one point per line: x0,x1,y. y is a non-negative integer label (written as 2 or
// 2.0). Blank lines and lines starting with '#' are skipped; fields may be padded with spaces;
// CRLF endings are accepted. The first row is a header, and skipped, when none of its three
// fields is a number (e.g. "x0,x1,y"). Errors are IOErrors naming the source and line number:
// a missing file, a row without exactly three fields, a field that is not a finite number, a
// label that is negative or not an integer, and a file without points.
std::vector<Point> read_points_csv(const std::string& path);
std::vector<Point> parse_points_csv(std::istream& in, std::string_view source);

}  // namespace descent::app
