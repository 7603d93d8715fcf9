// Loss functions against hand-computed values, for every reduction, and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "descent/descent.h"
#include "descent/nn/losses.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::F64;
using nn_test::message_of;

Tensor labels(std::initializer_list<int64_t> v) {
  return from_vector(std::span<const int64_t>(v.begin(), v.size()),
                     Shape{static_cast<int64_t>(v.size())});
}

void expect_values(const Tensor& t, const std::vector<double>& want, double tol = 1e-12) {
  const std::vector<double> got = t.to_vector<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "entry " << i;
}

// Two examples: logits (1, 2, 3) with label 2 and (0, 0, 0) with label 1.
struct CeExample {
  Tensor logits = tensor({1, 2, 3, 0, 0, 0}, {2, 3}, F64);
  Tensor target = labels({2, 1});
  // −log softmax: lse(1, 2, 3) − 3 and log 3.
  double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  double l1 = std::log(3.0);
};

TEST(CrossEntropy, ValuesForEveryReduction) {
  CeExample ex;
  expect_values(cross_entropy(ex.logits, ex.target, {.reduction = Reduction::None}),
                {ex.l0, ex.l1});
  expect_values(cross_entropy(ex.logits, ex.target), {(ex.l0 + ex.l1) / 2});
  expect_values(cross_entropy(ex.logits, ex.target, {.reduction = Reduction::Sum}),
                {ex.l0 + ex.l1});
  // The module form holds the same options.
  const CrossEntropyLoss loss{{.reduction = Reduction::Sum}};
  expect_values(loss(ex.logits, ex.target), {ex.l0 + ex.l1});
}

TEST(CrossEntropy, ClassWeightsNormalizeTheMeanByTheTargetsWeights) {
  CeExample ex;
  const Tensor w = tensor({1, 2, 3}, F64);
  // ℓ = (3·l0, 2·l1); the mean divides by w[2] + w[1] = 5, not by N = 2.
  expect_values(cross_entropy(ex.logits, ex.target, {.reduction = Reduction::None, .weight = w}),
                {3 * ex.l0, 2 * ex.l1});
  expect_values(cross_entropy(ex.logits, ex.target, {.weight = w}), {(3 * ex.l0 + 2 * ex.l1) / 5});
  expect_values(cross_entropy(ex.logits, ex.target, {.reduction = Reduction::Sum, .weight = w}),
                {3 * ex.l0 + 2 * ex.l1});
}

TEST(CrossEntropy, LabelSmoothingMixesInTheUniformTarget) {
  CeExample ex;
  // Row 0: −log p = (l0 + 2, l0 + 1, l0), whose mean over classes is l0 + 1; so
  // ℓ = 0.7·l0 + 0.3·(l0 + 1) = l0 + 0.3. Row 1 is uniform: smoothing changes nothing.
  expect_values(
      cross_entropy(ex.logits, ex.target, {.reduction = Reduction::None, .label_smoothing = 0.3}),
      {ex.l0 + 0.3, ex.l1});
  // With weights (1, 2, 3): the smooth term is Σ_c w_c(−log p_c)/3 and the mean still divides
  // by Σ w[y_i] = 5.
  const Tensor w = tensor({1, 2, 3}, F64);
  const double smooth0 = (1 * (ex.l0 + 2) + 2 * (ex.l0 + 1) + 3 * ex.l0) / 3;
  const double smooth1 = (1 + 2 + 3) * ex.l1 / 3;
  const double r0 = 0.7 * 3 * ex.l0 + 0.3 * smooth0;
  const double r1 = 0.7 * 2 * ex.l1 + 0.3 * smooth1;
  expect_values(cross_entropy(ex.logits, ex.target,
                              {.reduction = Reduction::None, .label_smoothing = 0.3, .weight = w}),
                {r0, r1});
  expect_values(cross_entropy(ex.logits, ex.target, {.label_smoothing = 0.3, .weight = w}),
                {(r0 + r1) / 5});
}

TEST(CrossEntropy, IgnoredExamplesLeaveTheMean) {
  CeExample ex;
  const Tensor target = labels({2, -100});
  expect_values(
      cross_entropy(ex.logits, target, {.reduction = Reduction::None, .ignore_index = -100}),
      {ex.l0, 0.0});
  expect_values(cross_entropy(ex.logits, target, {.ignore_index = -100}), {ex.l0});
}

TEST(CrossEntropy, ProbabilityTargets) {
  // Uniform logits: −log p_c = log 2 for each class, whatever the target distribution.
  const Tensor logits = tensor({0, 0, 2, 0}, {2, 2}, F64);
  const Tensor probs = tensor({0.25, 0.75, 1, 0}, {2, 2}, F64);
  const double row1 = std::log(1 + std::exp(-2.0));  // −log σ(2)
  expect_values(cross_entropy(logits, probs, {.reduction = Reduction::None}),
                {std::log(2.0), row1});
  // Weighted probability targets divide the mean by N, not by the weights.
  const Tensor w = tensor({2, 1}, F64);
  expect_values(cross_entropy(logits, probs, {.weight = w}),
                {((0.5 + 0.75) * std::log(2.0) + 2 * row1) / 2});
}

TEST(CrossEntropy, HugeLogitsStayFinite) {
  const Tensor logits = tensor({1000, -1000, 0, -800, 800, 799}, {2, 3}, F64);
  const Tensor l = cross_entropy(logits, labels({1, 2}), {.reduction = Reduction::None});
  expect_values(l, {2000.0, 1.0 + std::log1p(std::exp(-1.0))}, 1e-9);
}

TEST(NllLoss, ValuesAndWeights) {
  const Tensor logp = tensor({-1, -2, -0.5, -3}, {2, 2}, F64);
  const Tensor y = labels({1, 0});
  expect_values(nll_loss(logp, y, {.reduction = Reduction::None}), {2.0, 0.5});
  expect_values(nll_loss(logp, y), {1.25});
  expect_values(nll_loss(logp, y, {.reduction = Reduction::Sum}), {2.5});
  const Tensor w = tensor({1, 3}, F64);
  expect_values(nll_loss(logp, y, {.weight = w}), {(3 * 2.0 + 0.5) / 4});
  expect_values(NllLoss{{.reduction = Reduction::Sum, .weight = w}}(logp, y), {6.5});
}

TEST(BceWithLogits, ValuesIncludingExtremeLogits) {
  // log(1 + e^x) at x = 2 and 3, and the exact extremes.
  const Tensor x = tensor({0, 2, -3, 800, -800}, F64);
  const Tensor t = tensor({1, 0, 1, 0, 1}, F64);
  const std::vector<double> want = {std::log(2.0), std::log1p(std::exp(2.0)),
                                    std::log1p(std::exp(3.0)), 800.0, 800.0};
  expect_values(binary_cross_entropy_with_logits(x, t, {.reduction = Reduction::None}), want);
  double s = 0;
  for (double v : want) s += v;
  expect_values(binary_cross_entropy_with_logits(x, t, {.reduction = Reduction::Sum}), {s});
  expect_values(binary_cross_entropy_with_logits(x, t), {s / 5});
}

TEST(BceWithLogits, WeightAndPosWeight) {
  const Tensor x = tensor({0, 0, 2, 2}, {2, 2}, F64);
  const Tensor t = tensor({1, 0, 1, 0.5}, {2, 2}, F64);
  const Tensor pos = tensor({2, 3}, F64);         // per class (last dimension)
  const Tensor w = tensor({1, 10}, {2, 1}, F64);  // per row
  const double sp2 = std::log1p(std::exp(-2.0));  // −log σ(2)
  // ℓ = w·[p·t·softplus(−x) + (1 − t)·softplus(x)], softplus(x) = x + softplus(−x).
  expect_values(
      binary_cross_entropy_with_logits(
          x, t, {.reduction = Reduction::None, .weight = w, .pos_weight = pos}),
      {2 * std::log(2.0), std::log(2.0), 10 * 2 * sp2, 10 * (3 * 0.5 * sp2 + 0.5 * (2 + sp2))});
  // The exact gradient at x = 0 is σ(0) − t = −0.5 for t = 1 (no abs() kink in the way).
  Tensor x0 = tensor({0.0}, F64).set_requires_grad(true);
  binary_cross_entropy_with_logits(x0, tensor({1.0}, F64)).backward();
  EXPECT_NEAR(x0.grad().item(), -0.5, 1e-15);
}

TEST(Regression, MseL1Huber) {
  const Tensor x = tensor({1, 2, 3}, F64);
  const Tensor t = tensor({0, 2, 5}, F64);
  expect_values(mse_loss(x, t, {.reduction = Reduction::None}), {1, 0, 4});
  expect_values(mse_loss(x, t), {5.0 / 3});
  expect_values(MseLoss{{.reduction = Reduction::Sum}}(x, t), {5});
  expect_values(l1_loss(x, t, {.reduction = Reduction::None}), {1, 0, 2});
  expect_values(l1_loss(x, t), {1});
  expect_values(L1Loss{{.reduction = Reduction::Sum}}(x, t), {3});

  const Tensor d = tensor({0.5, -2, 3}, F64);
  const Tensor zero = zeros({3}, F64);
  // δ = 1: ½d² inside, δ(|d| − ½δ) outside.
  expect_values(huber_loss(d, zero, {.reduction = Reduction::None}), {0.125, 1.5, 2.5});
  expect_values(huber_loss(d, zero), {(0.125 + 1.5 + 2.5) / 3});
  // δ = 2: |d| = 2 is on the linear side, where both pieces agree (½·4 = 2·(2 − 1)).
  expect_values(HuberLoss{{.reduction = Reduction::Sum, .delta = 2}}(d, zero), {0.125 + 2 + 4});
}

// Two rows of the lecture's table: s = (1.3, −0.1, 0.6) with y = 0, s = (0.2, −1.5, −2.0), y = 1.
struct SvmExample {
  Tensor s = tensor({1.3, -0.1, 0.6, 0.2, -1.5, -2.0}, {2, 3}, F64);
  Tensor y = labels({0, 1});
};

MultiHingeOptions per_example(HingeVariant v, double margin = 1.0, bool squared = false) {
  return {.variant = v, .margin = margin, .squared = squared, .reduction = Reduction::None};
}

TEST(MulticlassHinge, WestonWatkinsIsTheLecturesLoss) {
  SvmExample ex;
  // Row 0: max(0, −0.1 − 1.3 + 1) + max(0, 0.6 − 1.3 + 1) = 0 + 0.3.
  // Row 1: max(0, 0.2 + 1.5 + 1) + max(0, −2 + 1.5 + 1) = 2.7 + 0.5 = 3.2.
  expect_values(multiclass_hinge_loss(ex.s, ex.y, per_example(HingeVariant::WestonWatkins)),
                {0.3, 3.2}, 1e-12);
  expect_values(multiclass_hinge_loss(ex.s, ex.y), {1.75}, 1e-12);
  expect_values(MultiHingeLoss{{.reduction = Reduction::Sum}}(ex.s, ex.y), {3.5}, 1e-12);
  // Margin 0.5: row 1 becomes 2.2 + 0; squared hinge: 0.3² and 2.7² + 0.5².
  expect_values(multiclass_hinge_loss(ex.s, ex.y, per_example(HingeVariant::WestonWatkins, 0.5)),
                {0.0, 2.2}, 1e-12);
  expect_values(
      multiclass_hinge_loss(ex.s, ex.y, per_example(HingeVariant::WestonWatkins, 1.0, true)),
      {0.09, 7.54}, 1e-12);
}

TEST(MulticlassHinge, OneVsAll) {
  SvmExample ex;
  // Row 0: max(0, 1 − 1.3) + max(0, 1 − 0.1) + max(0, 1 + 0.6) = 0 + 0.9 + 1.6.
  // Row 1: max(0, 1 + 0.2) + max(0, 1 − 1.5)... with t_1 = +1: max(0, 1 + 1.5) = 2.5;
  //        max(0, 1 + 0.2) = 1.2 and max(0, 1 − 2) = 0.
  expect_values(multiclass_hinge_loss(ex.s, ex.y, per_example(HingeVariant::OneVsAll)), {2.5, 3.7},
                1e-12);
  expect_values(multiclass_hinge_loss(
                    ex.s, ex.y, {.variant = HingeVariant::OneVsAll, .reduction = Reduction::Sum}),
                {6.2}, 1e-12);
}

TEST(MulticlassHinge, CrammerSingerTakesTheWorstViolator) {
  SvmExample ex;
  // Row 0: max(0, 1 + 0.6 − 1.3) = 0.3. Row 1: max(0, 1 + 0.2 + 1.5) = 2.7.
  expect_values(multiclass_hinge_loss(ex.s, ex.y, per_example(HingeVariant::CrammerSinger)),
                {0.3, 2.7}, 1e-12);
  expect_values(multiclass_hinge_loss(ex.s, ex.y, {.variant = HingeVariant::CrammerSinger}), {1.5},
                1e-12);
  // Only the worst class gets a gradient: −1 on the true class, +1 on the runner-up.
  Tensor s = ex.s.detach().set_requires_grad(true);
  sum(multiclass_hinge_loss(s, ex.y, per_example(HingeVariant::CrammerSinger))).backward();
  expect_values(s.grad(), {-1, 0, 1, 1, -1, 0});
  // A single class has nobody to violate it.
  expect_values(multiclass_hinge_loss(tensor({5.0}, {1, 1}, F64), labels({0}),
                                      per_example(HingeVariant::CrammerSinger)),
                {0.0});
}

TEST(CosineLoss, ValuesAndZeroVectors) {
  const Tensor y = tensor({1, 0, 1, 1, 1, 0, 3, 4, 0, 0}, {5, 2}, F64);
  const Tensor t = tensor({0, 1, 2, 2, -1, 0, 4, 3, 1, 2}, {5, 2}, F64);
  // Orthogonal, parallel, opposite, cos = 24/25, zero y (cosine taken as 0).
  expect_values(cosine_loss(y, t, {.reduction = Reduction::None}), {1, 0, 2, 0.04, 1}, 1e-12);
  expect_values(cosine_loss(y, t), {(1 + 0 + 2 + 0.04 + 1) / 5.0}, 1e-12);
  expect_values(CosineLoss{{.reduction = Reduction::Sum}}(y, t), {4.04}, 1e-12);
  // At a zero vector the loss is 1 − y·t/eps, so the gradient is −t/eps: finite, not NaN.
  Tensor yz = zeros({1, 3}, F64).set_requires_grad(true);
  cosine_loss(yz, tensor({1, 2, 3}, {1, 3}, F64), {.eps = 1e-4}).backward();
  expect_values(yz.grad(), {-1e4, -2e4, -3e4}, 1e-9);
  // A rank-1 pair is one row: the unreduced loss is 0-dimensional.
  EXPECT_EQ(
      cosine_loss(tensor({1, 0}, F64), tensor({1, 0}, F64), {.reduction = Reduction::None}).dim(),
      0);
}

TEST(Losses, Float32InputsGiveFloat32Losses) {
  const Tensor x = tensor({1, 2, 3, 0, 0, 0}, {2, 3});
  EXPECT_EQ(cross_entropy(x, labels({2, 1})).dtype(), DType::Float32);
  EXPECT_EQ(multiclass_hinge_loss(x, labels({2, 1})).dtype(), DType::Float32);
  EXPECT_NEAR(cross_entropy(x, labels({2, 1})).item(), CeExample().l0 / 2 + CeExample().l1 / 2,
              1e-6);
}

TEST(Losses, EmptyBatchMeanIsNaNAndSumIsZero) {
  const Tensor x = zeros({0, 3}, F64);
  const Tensor y = from_vector(std::span<const int64_t>(), Shape{0});
  EXPECT_TRUE(std::isnan(cross_entropy(x, y).item()));
  EXPECT_EQ(cross_entropy(x, y, {.reduction = Reduction::Sum}).item(), 0.0);
  EXPECT_EQ(multiclass_hinge_loss(x, y, {.reduction = Reduction::Sum}).item(), 0.0);
}

TEST(LossErrors, NameTheLossAndTheShapes) {
  const Tensor x = zeros({4, 3}, F64);
  std::string m = message_of<ShapeError>([&] { cross_entropy(x, labels({0, 1})); });
  EXPECT_NE(m.find("cross_entropy"), std::string::npos) << m;
  EXPECT_NE(m.find("[2]"), std::string::npos) << m;
  EXPECT_NE(m.find("[4, 3]"), std::string::npos) << m;

  m = message_of<IndexError>([&] { cross_entropy(x, labels({0, 1, 3, 0})); });
  EXPECT_NE(m.find("target[2] = 3"), std::string::npos) << m;
  m = message_of<IndexError>([&] { multiclass_hinge_loss(x, labels({0, -1, 0, 0})); });
  EXPECT_NE(m.find("multiclass_hinge_loss"), std::string::npos) << m;

  m = message_of<DTypeError>([&] { nll_loss(x, zeros({4}, F64)); });
  EXPECT_NE(m.find("int64"), std::string::npos) << m;
  m = message_of<DTypeError>([&] {
    cross_entropy(zeros({4, 3}, DType::Int64), labels({0, 0, 0, 0}));
  });
  EXPECT_NE(m.find("float32 or float64"), std::string::npos) << m;

  m = message_of<ShapeError>([&] { mse_loss(zeros({3}, F64), zeros({3, 1}, F64)); });
  EXPECT_NE(m.find("mse_loss"), std::string::npos) << m;
  EXPECT_NE(m.find("[3, 1]"), std::string::npos) << m;
  m = message_of<ShapeError>([&] { cosine_loss(zeros({2, 3}, F64), zeros({2, 4}, F64)); });
  EXPECT_NE(m.find("cosine_loss"), std::string::npos) << m;
  m = message_of<ShapeError>([&] {
    cross_entropy(x, labels({0, 0, 0, 0}), {.weight = tensor({1, 2}, F64)});
  });
  EXPECT_NE(m.find("weight"), std::string::npos) << m;
  m = message_of<ShapeError>([&] {
    binary_cross_entropy_with_logits(x, x, {.pos_weight = tensor({1, 2}, F64)});
  });
  EXPECT_NE(m.find("pos_weight"), std::string::npos) << m;

  EXPECT_THROW(huber_loss(x, x, {.delta = 0}), ValueError);
  EXPECT_THROW(cross_entropy(x, labels({0, 0, 0, 0}), {.label_smoothing = 1.5}), ValueError);
  EXPECT_THROW(cosine_loss(x, x, {.eps = 0}), ValueError);
  EXPECT_THROW(cross_entropy(x, x, {.ignore_index = 0}), ValueError);
  // Every loss error is a descent::Error.
  EXPECT_THROW(l1_loss(x, zeros({4}, F64)), Error);
}

}  // namespace
}  // namespace descent::nn
