// The lecture's linear classifier: evaluation by autodiff and full-batch gradient descent.
#include "descent/app/linear_classifier.h"

#include <fmt/core.h>

#include <cmath>
#include <span>

#include "descent/autograd/engine.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/data/synthetic.h"
#include "descent/nn/losses.h"
#include "descent/nn/penalty.h"

namespace descent::app {
namespace {

struct LossName {
  LinearLoss loss;
  std::string_view name;
  std::string_view title;
};

constexpr LossName kLossNames[] = {
    {LinearLoss::Svm, "svm", "Weston-Watkins multiclass SVM"},
    {LinearLoss::OneVsAll, "ova", "One-vs-All hinge"},
    {LinearLoss::Structured, "structured", "Crammer-Singer structured SVM"},
    {LinearLoss::Softmax, "softmax", "softmax cross-entropy"},
};

void validate(const std::vector<Point>& points, const LinearModel& model,
              const LinearObjective& objective) {
  if (points.empty()) throw ValueError("linear classifier: there are no points");
  if (model.b.empty() || model.W.size() != model.b.size())
    throw ValueError(fmt::format(
        "linear classifier: W must have one row per class and b one entry per class; got W "
        "with {} rows and b with {} entries",
        model.W.size(), model.b.size()));
  if (!(objective.reg >= 0.0) || !std::isfinite(objective.reg))
    throw ValueError(
        fmt::format("linear classifier: the regularization strength λ must be a finite "
                    "number ≥ 0, got {}",
                    objective.reg));
  if (!std::isfinite(objective.margin))
    throw ValueError(
        fmt::format("linear classifier: the margin must be finite, got {}", objective.margin));
  const int64_t classes = model.classes();
  for (size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (p.label < 0 || p.label >= classes)
      throw ValueError(fmt::format(
          "linear classifier: point {} ({}, {}) has label {}, but the model has {} classes "
          "(labels 0..{})",
          i + 1, p.x0, p.x1, p.label, classes, classes - 1));
  }
}

// L_i for every point: the chosen loss with no reduction.
Tensor point_losses(const Tensor& scores, const Tensor& labels, const LinearObjective& o) {
  using nn::HingeVariant;
  using nn::Reduction;
  const auto hinge = [&](HingeVariant v) {
    return nn::multiclass_hinge_loss(
        scores, labels, {.variant = v, .margin = o.margin, .reduction = Reduction::None});
  };
  switch (o.loss) {
    case LinearLoss::Svm:
      return hinge(HingeVariant::WestonWatkins);
    case LinearLoss::OneVsAll:
      return hinge(HingeVariant::OneVsAll);
    case LinearLoss::Structured:
      return hinge(HingeVariant::CrammerSinger);
    case LinearLoss::Softmax:
      return nn::cross_entropy(scores, labels, {.reduction = Reduction::None});
  }
  throw ValueError("linear classifier: unknown loss");
}

}  // namespace

std::string_view linear_loss_name(LinearLoss loss) {
  for (const LossName& l : kLossNames)
    if (l.loss == loss) return l.name;
  return "?";
}

std::string_view linear_loss_title(LinearLoss loss) {
  for (const LossName& l : kLossNames)
    if (l.loss == loss) return l.title;
  return "?";
}

LinearLoss parse_linear_loss(std::string_view name) {
  for (const LossName& l : kLossNames)
    if (l.name == name) return l.loss;
  throw ValueError(fmt::format(
      "unknown loss '{}' for the linear classifier; expected svm, ova, structured or softmax",
      name));
}

std::vector<Point> lecture_points() {
  std::vector<Point> points;
  for (const data::LecturePoint& p : data::kLecturePoints) points.push_back({p.x0, p.x1, p.label});
  return points;
}

LinearModel lecture_model() {
  return LinearModel{.W = {{1.0, 2.0}, {2.0, -4.0}, {3.0, -1.0}}, .b = {0.0, 0.5, -0.5}};
}

LinearEvaluation evaluate_linear(const std::vector<Point>& points, const LinearModel& model,
                                 const LinearObjective& objective) {
  validate(points, model, objective);
  const int64_t n = static_cast<int64_t>(points.size());
  const int64_t c = model.classes();

  std::vector<double> xs;
  std::vector<int64_t> ys;
  xs.reserve(2 * points.size());
  ys.reserve(points.size());
  for (const Point& p : points) {
    xs.push_back(p.x0);
    xs.push_back(p.x1);
    ys.push_back(p.label);
  }
  std::vector<double> ws;
  for (const auto& row : model.W) ws.insert(ws.end(), row.begin(), row.end());

  const Tensor x = from_vector(std::span<const double>(xs), Shape{n, 2}, DType::Float64);
  const Tensor y = from_vector(std::span<const int64_t>(ys), Shape{n});
  Tensor w = from_vector(std::span<const double>(ws), Shape{c, 2}, DType::Float64);
  Tensor b = from_vector(std::span<const double>(model.b), Shape{c}, DType::Float64);
  w.set_requires_grad(true);
  b.set_requires_grad(true);

  // s = W x + b for every point at once: S = X Wᵀ + b, [N, C].
  const Tensor scores = add(matmul(x, transpose(w, 0, 1)), b);
  const Tensor losses = point_losses(scores, y, objective);
  const Tensor data_loss = mean(losses);
  // λ Σ W²; b is 1-D and so excluded by l2_penalty's bias rule.
  const Tensor reg_loss =
      mul(nn::l2_penalty(nn::NamedParameters{{"W", w}, {"b", b}}), objective.reg);
  const Tensor total = add(data_loss, reg_loss);
  const std::vector<Tensor> grads = grad({total}, {w, b});

  LinearEvaluation e;
  const std::vector<double> s = scores.to_vector<double>();
  for (int64_t i = 0; i < n; ++i) e.scores.emplace_back(s.begin() + i * c, s.begin() + (i + 1) * c);
  e.losses = losses.to_vector<double>();
  e.data_loss = data_loss.item();
  e.reg_loss = reg_loss.item();
  e.total_loss = total.item();
  const std::vector<double> gw = grads[0].to_vector<double>();
  e.grad.W.resize(static_cast<size_t>(c));
  for (size_t k = 0; k < e.grad.W.size(); ++k) e.grad.W[k] = {gw[2 * k], gw[2 * k + 1]};
  e.grad.b = grads[1].to_vector<double>();
  return e;
}

LinearModel step_linear(const LinearModel& model, const LinearModel& grad, double lr) {
  if (grad.W.size() != model.W.size() || grad.b.size() != model.b.size())
    throw ValueError("linear classifier: the gradient does not match the model's shape");
  LinearModel next = model;
  for (size_t k = 0; k < next.W.size(); ++k) {
    next.W[k][0] -= lr * grad.W[k][0];
    next.W[k][1] -= lr * grad.W[k][1];
    next.b[k] -= lr * grad.b[k];
  }
  return next;
}

LinearDescent descend_linear(const std::vector<Point>& points, const LinearModel& model,
                             const LinearObjective& objective, int64_t steps, double lr) {
  if (steps < 0)
    throw ValueError(fmt::format("linear classifier: steps must be ≥ 0, got {}", steps));
  if (!(lr > 0.0) || !std::isfinite(lr))
    throw ValueError(
        fmt::format("linear classifier: the learning rate must be a finite "
                    "number > 0, got {}",
                    lr));
  LinearDescent d;
  d.model = model;
  d.evaluation = evaluate_linear(points, d.model, objective);
  d.history.reserve(static_cast<size_t>(steps));
  for (int64_t t = 0; t < steps; ++t) {
    d.model = step_linear(d.model, d.evaluation.grad, lr);
    d.evaluation = evaluate_linear(points, d.model, objective);
    d.history.push_back(d.evaluation.total_loss);
  }
  return d;
}

}  // namespace descent::app
