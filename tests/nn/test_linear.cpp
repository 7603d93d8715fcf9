// Linear: PyTorch's default initialization, the forward pass, options and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::message_of;
using nn_test::moments;
using nn_test::values;

TEST(NnLinear, DefaultInitIsUniformWithinOneOverSqrtFanIn) {
  Generator gen(1);
  Linear lin(400, 300, true, gen);
  EXPECT_EQ(lin.weight.shape(), (Shape{300, 400}));
  EXPECT_EQ(lin.bias.shape(), (Shape{300}));
  const double bound = 1.0 / std::sqrt(400.0);  // kaiming_uniform_(a = √5) ⇒ U(±1/√fan_in)
  const auto w = moments(lin.weight);
  EXPECT_GE(w.min, -bound);
  EXPECT_LE(w.max, bound);
  EXPECT_LT(w.min, -0.99 * bound);  // the whole interval is used
  EXPECT_GT(w.max, 0.99 * bound);
  EXPECT_NEAR(w.mean, 0.0, 0.01 * bound);
  EXPECT_NEAR(w.std, bound / std::sqrt(3.0), 0.01 * bound / std::sqrt(3.0));
  const auto b = moments(lin.bias);
  EXPECT_GE(b.min, -bound);
  EXPECT_LE(b.max, bound);
  EXPECT_NEAR(b.std, bound / std::sqrt(3.0), 0.15 * bound / std::sqrt(3.0));  // 300 samples
}

TEST(NnLinear, ASeedFixesTheParameters) {
  Generator g1(7), g2(7), g3(8);
  Linear a(5, 3, true, g1), b(5, 3, true, g2), c(5, 3, true, g3);
  EXPECT_EQ(values(a.weight), values(b.weight));
  EXPECT_EQ(values(a.bias), values(b.bias));
  EXPECT_NE(values(a.weight), values(c.weight));
  a.reset_parameters(g3);
  EXPECT_NE(values(a.weight), values(b.weight));
}

TEST(NnLinear, ForwardIsXWTransposedPlusB) {
  Generator gen(2);
  Linear lin(3, 2, true, gen);
  {
    NoGradGuard no_grad;
    lin.weight.copy_(tensor({1, 2, 3, 4, 5, 6}, {2, 3}));
    lin.bias.copy_(tensor({0.5, -1}));
  }
  const Tensor x = tensor({1, 0, -1, 2, 1, 0}, {2, 3});
  EXPECT_EQ(values(lin(x)), (std::vector<double>{-1.5, -3, 4.5, 12}));
  // A single example (1-D) and a batch of sequences (3-D) work too.
  EXPECT_EQ(values(lin(tensor({1, 0, -1}))), (std::vector<double>{-1.5, -3}));
  EXPECT_EQ(lin(zeros({4, 5, 3})).shape(), (Shape{4, 5, 2}));
  // Gradients reach weight and bias: d Σy / dW = Σ_rows x, d Σy / db = rows.
  sum(lin(x)).backward();
  EXPECT_EQ(values(lin.weight.grad()), (std::vector<double>{3, 1, -1, 3, 1, -1}));
  EXPECT_EQ(values(lin.bias.grad()), (std::vector<double>{2, 2}));
}

TEST(NnLinear, WithoutBiasAndInFloat64) {
  Generator gen(3);
  Linear lin(4, 2, false, gen, DType::Float64);
  EXPECT_FALSE(lin.bias.defined());
  EXPECT_EQ(lin.parameters().size(), 1u);
  EXPECT_EQ(lin.weight.dtype(), DType::Float64);
  EXPECT_EQ(lin(ones({3, 4}, DType::Float64)).dtype(), DType::Float64);
  EXPECT_EQ(lin.extra_repr(), "in_features=4, out_features=2, bias=False");
}

TEST(NnLinear, ErrorsNameTheShapes) {
  Generator gen(4);
  Linear lin(3, 2, true, gen);
  const std::string msg = message_of<ShapeError>([&] { lin(zeros({5, 4})); });
  EXPECT_NE(msg.find("[5, 4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
  message_of<ValueError>([&] { Linear(-1, 2); });
  message_of<ShapeError>([&] { linear(zeros({2, 3}), zeros({2, 3}), zeros({3})); });
  message_of<ShapeError>([&] { linear(zeros({2, 3}), zeros({3})); });
}

TEST(NnLinear, GradcheckToSecondOrder) {
  const Tensor x = nn_test::random_input({4, 3}, 1);
  const Tensor w = nn_test::random_input({2, 3}, 2);
  const Tensor b = nn_test::random_input({2}, 3);
  nn_test::expect_gradients_check(
      [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }, {x, w, b},
      "linear");
}

}  // namespace
}  // namespace descent::nn
