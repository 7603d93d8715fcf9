// LayerNorm: hand-computed values, shapes, options, errors and gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::expect_close;
using nn_test::message_of;

TEST(NnLayerNorm, NormalizesEachRowOverTheLastDimension) {
  LayerNorm ln({3}, {.dtype = DType::Float64});
  // Row {1, 2, 3}: mean 2, biased variance 2/3. Row {0, 0, 6}: mean 2, variance 8.
  const Tensor x = tensor({1, 2, 3, 0, 0, 6}, {2, 3}, DType::Float64);
  const double a = 1.0 / std::sqrt(2.0 / 3.0 + 1e-5), b = 1.0 / std::sqrt(8.0 + 1e-5);
  expect_close(ln(x), {-a, 0, a, -2 * b, -2 * b, 4 * b}, 1e-14);
  EXPECT_EQ(ln.weight.shape(), (Shape{3}));
  // Training and evaluation agree (no running statistics).
  ln.eval();
  expect_close(ln(x), {-a, 0, a, -2 * b, -2 * b, 4 * b}, 1e-14);
}

TEST(NnLayerNorm, OverSeveralTrailingDimensionsWithAffine) {
  LayerNorm ln({2, 2}, {.eps = 0.0, .dtype = DType::Float64});
  {
    NoGradGuard no_grad;
    ln.weight.copy_(tensor({1, 2, 3, 4}, {2, 2}));
    ln.bias.copy_(tensor({0, 0, 0, 1}, {2, 2}));
  }
  // {1, 3, 5, 7}: mean 4, variance 5.
  const double s = 1.0 / std::sqrt(5.0);
  expect_close(ln(tensor({1, 3, 5, 7}, {1, 2, 2}, DType::Float64)),
               {-3 * s, -2 * s, 3 * s, 4 * 3 * s + 1}, 1e-14);
  LayerNorm plain({4}, {.elementwise_affine = false});
  EXPECT_TRUE(plain.parameters().empty());
}

TEST(NnLayerNorm, ErrorsNameTheShapes) {
  LayerNorm ln({3, 4});
  const std::string msg = message_of<ShapeError>([&] { ln(ones({2, 4, 3})); });
  EXPECT_NE(msg.find("[3, 4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 4, 3]"), std::string::npos) << msg;
  message_of<ShapeError>([&] { ln(ones({4})); });
  message_of<ValueError>([] { LayerNorm(Shape{}); });
  message_of<ShapeError>([] { layer_norm(ones({2, 3}), {3}, ones({2})); });
}

TEST(NnLayerNorm, GradcheckToSecondOrder) {
  const Tensor x = nn_test::random_input({3, 2, 4}, 1, 1.5, -0.5);
  const Tensor w = nn_test::random_input({2, 4}, 2);
  const Tensor b = nn_test::random_input({2, 4}, 3);
  nn_test::expect_gradients_check(
      [](const std::vector<Tensor>& in) {
        return layer_norm(in[0], {2, 4}, in[1], in[2]);
      },
      {x, w, b}, "layer_norm");
  const Tensor x2 = nn_test::random_input({4, 5}, 4);
  nn_test::expect_gradients_check(
      [](const std::vector<Tensor>& in) { return layer_norm(in[0], {5}); }, {x2},
      "layer_norm without affine");
}

}  // namespace
}  // namespace descent::nn
