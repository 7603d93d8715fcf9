// L2 and L1 penalties: the lecture's regularization loss, the bias rule and gradients.
#include <gtest/gtest.h>

#include "descent/descent.h"
#include "descent/nn/penalty.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::F64;

TEST(Penalty, L2IsTheLecturesSumOfSquaresWithoutBiases) {
  // The lecture's W and b: Σ W² = 1 + 4 + 4 + 16 + 9 + 1 = 35, so λ Σ W² = 3.5 at λ = 0.1.
  const Tensor w = tensor({1, 2, 2, -4, 3, -1}, {3, 2}, F64);
  const Tensor b = tensor({0, 0.5, -0.5}, F64);
  EXPECT_DOUBLE_EQ(l2_penalty(NamedParameters{{"W", w}, {"b", b}}).item(), 35.0);
  EXPECT_DOUBLE_EQ(0.1 * l2_penalty(std::vector<Tensor>{w, b}).item(), 3.5);
  EXPECT_DOUBLE_EQ(l2_penalty(NamedParameters{{"W", w}, {"b", b}}, {.include_biases = true}).item(),
                   35.5);
}

TEST(Penalty, L1SumsAbsoluteValues) {
  const Tensor w = tensor({1, -2, 0, 3}, {2, 2}, F64);
  const Tensor b = tensor({-5}, F64);
  EXPECT_DOUBLE_EQ(l1_penalty(std::vector<Tensor>{w, b}).item(), 6.0);
  EXPECT_DOUBLE_EQ(l1_penalty(std::vector<Tensor>{w, b}, {.include_biases = true}).item(), 11.0);
}

TEST(Penalty, BiasRuleUsesNameOrRank) {
  const Tensor matrix = zeros({2, 2}), vector = zeros({2});
  EXPECT_TRUE(is_bias_parameter("fc1.bias", matrix));     // by name, whatever the rank
  EXPECT_TRUE(is_bias_parameter("norm.weight", vector));  // rank 1: scales are not decayed
  EXPECT_TRUE(is_bias_parameter("", zeros({})));
  EXPECT_FALSE(is_bias_parameter("fc1.weight", matrix));
  EXPECT_FALSE(is_bias_parameter("", zeros({2, 3, 4})));
  // A named 2-D "bias" is skipped: only the 1×1 weight counts.
  const Tensor w = tensor({3}, {1, 1}, F64);
  EXPECT_DOUBLE_EQ(l2_penalty(NamedParameters{{"w", w}, {"odd.bias", ones({2, 2}, F64)}}).item(),
                   9.0);
}

TEST(Penalty, NothingChosenIsZero) {
  EXPECT_EQ(l2_penalty(std::vector<Tensor>{}).item(), 0.0);
  EXPECT_EQ(l1_penalty(NamedParameters{{"bias", ones({3})}}).item(), 0.0);
}

TEST(Penalty, GradientsAreTwoWAndSignW) {
  Tensor w = tensor({1, -2, 0, 3}, {2, 2}, F64).set_requires_grad(true);
  Tensor b = tensor({1, 1}, F64).set_requires_grad(true);
  const std::vector<Tensor> g2 =
      grad({l2_penalty(NamedParameters{{"w", w}, {"b", b}})}, {w, b}, {.allow_unused = true});
  EXPECT_EQ(g2[0].to_vector<double>(), (std::vector<double>{2, -4, 0, 6}));
  EXPECT_FALSE(g2[1].defined());  // the bias is not part of the penalty
  const Tensor g1 = grad(l1_penalty(std::vector<Tensor>{w}), w);
  EXPECT_EQ(g1.to_vector<double>(), (std::vector<double>{1, -1, 0, 1}));

  const DifferentiableFn fn = [](const std::vector<Tensor>& in) {
    return l2_penalty(std::vector<Tensor>{in[0]});
  };
  Tensor x = randn({3, 2}, DType::Float64).set_requires_grad(true);
  EXPECT_TRUE(gradcheck(fn, {x}).ok);
  EXPECT_TRUE(gradgradcheck(fn, {x}).ok);
}

TEST(Penalty, RejectsIntegerAndUndefinedParameters) {
  EXPECT_THROW(l2_penalty(std::vector<Tensor>{zeros({2, 2}, DType::Int64)}), DTypeError);
  EXPECT_THROW(l2_penalty(std::vector<Tensor>{Tensor()}), ValueError);
}

}  // namespace
}  // namespace descent::nn
