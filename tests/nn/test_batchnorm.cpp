// BatchNorm1d: hand-computed normalization, running statistics (momentum and cumulative),
// train/eval, options, errors, and the gradient through the batch statistics.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::expect_close;
using nn_test::message_of;
using nn_test::values;

constexpr double kEps = 1e-5;

TEST(NnBatchNorm, TrainingNormalizesWithTheBatchStatistics) {
  BatchNorm1d bn(2, {.dtype = DType::Float64});
  // Channel 0: {1, 3}: mean 2, biased variance 1. Channel 1: {2, 6}: mean 4, variance 4.
  const Tensor x = tensor({1, 2, 3, 6}, {2, 2}, DType::Float64);
  const double s0 = 1.0 / std::sqrt(1.0 + kEps), s1 = 2.0 / std::sqrt(4.0 + kEps);
  expect_close(bn(x), {-s0, -s1, s0, s1}, 1e-15);
  // Running statistics: (1 − 0.1)·initial + 0.1·batch, the variance unbiased (n/(n−1) = 2).
  expect_close(bn.running_mean, {0.2, 0.4}, 1e-15);
  expect_close(bn.running_var, {0.9 + 0.1 * 2.0, 0.9 + 0.1 * 8.0}, 1e-15);
  EXPECT_EQ(bn.num_batches_tracked.item(), 1.0);
}

TEST(NnBatchNorm, AffineParametersScaleAndShiftPerChannel) {
  BatchNorm1d bn(2, {.dtype = DType::Float64});
  {
    NoGradGuard no_grad;
    bn.weight.copy_(tensor({2, -1}));
    bn.bias.copy_(tensor({0.5, 3}));
  }
  const Tensor x = tensor({1, 2, 3, 6}, {2, 2}, DType::Float64);
  const double s0 = 1.0 / std::sqrt(1.0 + kEps), s1 = 2.0 / std::sqrt(4.0 + kEps);
  expect_close(bn(x), {-2 * s0 + 0.5, s1 + 3, 2 * s0 + 0.5, -s1 + 3}, 1e-15);
}

TEST(NnBatchNorm, ThreeDimensionalInputPoolsBatchAndLength) {
  BatchNorm1d bn(1, {.affine = false, .dtype = DType::Float64});
  // N = 2, L = 2: the four values {0, 2, 4, 6} of the one channel: mean 3, variance 5.
  const Tensor x = tensor({0, 2, 4, 6}, {2, 1, 2}, DType::Float64);
  const double s = 1.0 / std::sqrt(5.0 + kEps);
  expect_close(bn(x), {-3 * s, -s, s, 3 * s}, 1e-15);
  expect_close(bn.running_var, {0.9 + 0.1 * 20.0 / 3.0}, 1e-15);  // unbiased: 20/3
  // A single example is fine when it has several positions.
  EXPECT_EQ(bn(tensor({1, 2, 3}, {1, 1, 3}, DType::Float64)).shape(), (Shape{1, 1, 3}));
}

TEST(NnBatchNorm, CumulativeAverageWithoutMomentum) {
  BatchNorm1d bn(1, {.momentum = std::nullopt, .dtype = DType::Float64});
  const std::vector<std::vector<double>> batches = {{1, 3}, {10, 20, 30}, {-4, 0}};
  double mean_sum = 0.0, var_sum = 0.0;
  for (size_t k = 0; k < batches.size(); ++k) {
    const auto& b = batches[k];
    bn(from_vector(b, {static_cast<int64_t>(b.size()), 1}, DType::Float64));
    double m = 0.0, v = 0.0;
    for (double x : b) m += x / static_cast<double>(b.size());
    for (double x : b) v += (x - m) * (x - m) / static_cast<double>(b.size() - 1);
    mean_sum += m;
    var_sum += v;
    // With factor 1/k the running values are the plain averages of the batches' statistics
    // (the initial 0 and 1 are forgotten at the first step).
    const double k1 = static_cast<double>(k + 1);
    expect_close(bn.running_mean, {mean_sum / k1}, 1e-12);
    expect_close(bn.running_var, {var_sum / k1}, 1e-12);
    EXPECT_EQ(bn.num_batches_tracked.item(), k1);
  }
}

TEST(NnBatchNorm, EvalUsesTheRunningStatistics) {
  BatchNorm1d bn(2, {.dtype = DType::Float64});
  {
    NoGradGuard no_grad;
    bn.running_mean.copy_(tensor({1, -1}));
    bn.running_var.copy_(tensor({4, 0.25}));
    bn.weight.copy_(tensor({3, 1}));
    bn.bias.copy_(tensor({0, 1}));
  }
  bn.eval();
  const Tensor x = tensor({3, 0, 5, -2}, {2, 2}, DType::Float64);
  const double s0 = 3.0 / std::sqrt(4.0 + kEps), s1 = 1.0 / std::sqrt(0.25 + kEps);
  expect_close(bn(x), {2 * s0, 1 * s1 + 1, 4 * s0, -1 * s1 + 1}, 1e-14);
  // Evaluation changes nothing, and a single example is fine.
  EXPECT_EQ(bn.num_batches_tracked.item(), 0.0);
  EXPECT_EQ(values(bn.running_mean), (std::vector<double>{1, -1}));
  EXPECT_EQ(bn(tensor({1, 2}, {1, 2}, DType::Float64)).shape(), (Shape{1, 2}));
}

TEST(NnBatchNorm, WithoutTrackingThereAreNoBuffersAndEvalUsesTheBatch) {
  BatchNorm1d bn(2, {.affine = false, .track_running_stats = false});
  EXPECT_TRUE(bn.buffers().empty());
  EXPECT_TRUE(bn.parameters().empty());
  EXPECT_TRUE(bn.state_dict().empty());
  bn.eval();
  const Tensor x = tensor({1, 2, 3, 6}, {2, 2});
  const double s0 = 1.0 / std::sqrt(1.0 + kEps), s1 = 2.0 / std::sqrt(4.0 + kEps);
  expect_close(bn(x), {-s0, -s1, s0, s1}, 1e-6);
  // Batch statistics in eval: one value per channel is still an error.
  message_of<ValueError>([&] { bn(ones({1, 2})); });
}

TEST(NnBatchNorm, OneValuePerChannelInTrainingIsAnErrorThatChangesNothing) {
  BatchNorm1d bn(3);
  const std::string msg = message_of<ValueError>([&] { bn(ones({1, 3})); });
  EXPECT_NE(msg.find("more than 1 value per channel when training"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 3]"), std::string::npos) << msg;
  EXPECT_EQ(bn.num_batches_tracked.item(), 0.0);
  EXPECT_EQ(values(bn.running_var), std::vector<double>(3, 1.0));
  message_of<ValueError>([&] {
    batch_norm(ones({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true);
  });
}

TEST(NnBatchNorm, ShapeErrorsNameTheShapes) {
  BatchNorm1d bn(3);
  std::string msg = message_of<ShapeError>([&] { bn(ones({4, 2})); });
  EXPECT_NE(msg.find("[4, 2]"), std::string::npos) << msg;
  msg = message_of<ShapeError>([&] { bn(ones({4, 3, 2, 2})); });
  EXPECT_NE(msg.find("[4, 3, 2, 2]"), std::string::npos) << msg;
  message_of<ShapeError>([&] {
    batch_norm(ones({4, 3}), Tensor(), Tensor(), ones({2}), Tensor(), true);
  });
  message_of<ValueError>([&] {
    batch_norm(ones({4, 3}), Tensor(), Tensor(), Tensor(), Tensor(), false);
  });
}

TEST(NnBatchNorm, ParametersOfAnotherDTypePromoteTheOutput) {
  // float32 x with float64 weight and bias takes the composite of ops (the fused primitive
  // needs one dtype): the output is float64, as any op's promotion gives, with the same values
  // as when x is float64 too (x's values are exact in float32).
  const Tensor x32 = tensor({1, 2, 3, 6, 0, -2}, {3, 2}, DType::Float32);
  const Tensor w = tensor({2, -1}, DType::Float64), b = tensor({0.5, 3}, DType::Float64);
  const Tensor y = batch_norm(x32, Tensor(), Tensor(), w, b, true);
  EXPECT_EQ(y.dtype(), DType::Float64);
  const Tensor y64 = batch_norm(to(x32, DType::Float64), Tensor(), Tensor(), w, b, true);
  const std::vector<double> a = y.to_vector<double>(), e = y64.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], e[i], 1e-6) << i;
  EXPECT_EQ(layer_norm(x32, {2}, w, b).dtype(), DType::Float64);
}

TEST(NnBatchNorm, StateDictHasPyTorchsKeysAndDTypes) {
  BatchNorm1d bn(4);
  EXPECT_EQ(bn.state_dict().keys(),
            (std::vector<std::string>{"weight", "bias", "running_mean", "running_var",
                                      "num_batches_tracked"}));
  EXPECT_EQ(bn.num_batches_tracked.dtype(), DType::Int64);
  EXPECT_EQ(bn.num_batches_tracked.dim(), 0);
}

TEST(NnBatchNorm, NormalizedOutputIsInsensitiveToShiftAndScaleOfTheInput) {
  // Without affine and with eps = 0, d Σ_i g_i·y_i / dx sums to zero per channel (the mean is
  // subtracted) and is orthogonal to y (the scale is divided out).
  const Tensor x = nn_test::random_input({6, 3}, 1, 2.0, 1.0);
  const Tensor y = batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 0.0);
  const Tensor g = nn_test::random_input({6, 3}, 2, 1.0, 0.0, false);
  const Tensor dx = grad(sum(mul(y, g)), x);
  expect_close(sum(dx, {0}), {0, 0, 0}, 1e-12);
  expect_close(sum(mul(dx, y.detach()), {0}), {0, 0, 0}, 1e-10);
}

TEST(NnBatchNorm, GradcheckThroughTheBatchStatisticsToSecondOrder) {
  const Tensor w = nn_test::random_input({3}, 3);
  const Tensor b = nn_test::random_input({3}, 4);
  for (const Shape& shape : {Shape{5, 3}, Shape{2, 3, 4}}) {
    const Tensor x = nn_test::random_input(shape, 5, 1.5, 0.5);
    nn_test::expect_gradients_check(
        [](const std::vector<Tensor>& in) {
          return batch_norm(in[0], Tensor(), Tensor(), in[1], in[2], true);
        },
        {x, w, b}, "batch_norm training " + shape.str());
  }
  // Evaluation mode with running statistics (affine in x).
  const Tensor x = nn_test::random_input({4, 3}, 6);
  const Tensor rm = nn_test::random_input({3}, 7, 1.0, 0.0, false);
  const Tensor rv = add(nn_test::random_input({3}, 8, 1.0, 0.0, false), 2.0);
  nn_test::expect_gradients_check(
      [&](const std::vector<Tensor>& in) { return batch_norm(in[0], rm, rv, in[1], in[2], false); },
      {x, w, b}, "batch_norm eval");
}

}  // namespace
}  // namespace descent::nn
