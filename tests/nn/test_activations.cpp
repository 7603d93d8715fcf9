// Activation modules and the composite erf/erfc, GELU and softplus: accuracy against the C
// library, stability in the tails, PyTorch's threshold rule, and gradients to second order.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::expect_close;
using nn_test::message_of;
using nn_test::values;

// x = −30 … 30 in uneven steps, hitting the range boundaries ±1 and ±8 and both tails.
std::vector<double> erf_grid() {
  std::vector<double> g;
  for (double x = -30.0; x <= 30.0; x += 0.0625) g.push_back(x + 0.001 * std::sin(7 * x));
  for (double x : {-8.0, -1.0, -1e-300, 0.0, 1e-300, 1e-10, 1.0, 8.0}) g.push_back(x);
  return g;
}

TEST(NnErf, MatchesTheCLibraryToFloat64Rounding) {
  const std::vector<double> g = erf_grid();
  const Tensor x = from_vector(g, {static_cast<int64_t>(g.size())}, DType::Float64);
  const std::vector<double> e = values(erf(x)), c = values(erfc(x));
  for (size_t i = 0; i < g.size(); ++i) {
    EXPECT_NEAR(e[i], std::erf(g[i]), 4e-16 + 4e-16 * std::abs(std::erf(g[i]))) << g[i];
    // erfc keeps its relative accuracy deep into the right tail.
    EXPECT_NEAR(c[i], std::erfc(g[i]), 1e-300 + 2e-15 * std::erfc(g[i])) << g[i];
  }
  EXPECT_TRUE(std::isnan(erf(scalar_tensor(NAN, DType::Float64)).item()));
  EXPECT_TRUE(std::isnan(erfc(scalar_tensor(NAN, DType::Float64)).item()));
  EXPECT_EQ(erf(scalar_tensor(INFINITY, DType::Float64)).item(), 1.0);
  EXPECT_EQ(erfc(scalar_tensor(-INFINITY, DType::Float64)).item(), 2.0);
  // float32 stays float32 and is accurate to float32.
  const Tensor x32 = to(x, DType::Float32);
  EXPECT_EQ(erf(x32).dtype(), DType::Float32);
  expect_close(erf(x32), values(erf(to(x32, DType::Float64))), 3e-7, 0.0, "erf float32");
}

TEST(NnErf, DerivativeIsTwoOverRootPiTimesGaussian) {
  const std::vector<double> g = erf_grid();
  const Tensor x =
      from_vector(g, {static_cast<int64_t>(g.size())}, DType::Float64).set_requires_grad(true);
  const std::vector<double> d = values(grad(sum(erf(x)), x));
  for (size_t i = 0; i < g.size(); ++i) {
    const double want = 2.0 / std::sqrt(std::numbers::pi) * std::exp(-g[i] * g[i]);
    EXPECT_NEAR(d[i], want, 1e-300 + 2e-13 * want) << g[i];
  }
}

TEST(NnErf, GradcheckToSecondOrder) {
  // Points on all three ranges, away from the joins.
  const Tensor x =
      tensor({-9.5, -3.2, -0.7, 0.05, 0.6, 1.7, 5.5, 8.6}, DType::Float64).set_requires_grad(true);
  nn_test::expect_gradients_check([](const std::vector<Tensor>& in) { return erf(in[0]); }, {x},
                                  "erf");
  nn_test::expect_gradients_check([](const std::vector<Tensor>& in) { return erfc(in[0]); }, {x},
                                  "erfc");
}

double phi(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

TEST(NnGelu, ExactFormIsXTimesTheNormalCdf) {
  const std::vector<double> g = {-37, -12, -5, -1, -0.3, 0, 0.3, 1, 5, 12, 40};
  const Tensor x = from_vector(g, {static_cast<int64_t>(g.size())}, DType::Float64);
  const std::vector<double> y = values(gelu(x, GeluApproximate::None));
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(y[i], g[i] * phi(g[i]), 1e-300 + 2e-15 * std::abs(g[i] * phi(g[i]))) << g[i];
  // The left tail keeps its tiny value (−37·Φ(−37) ≈ −2e−298) instead of cancelling to 0.
  EXPECT_LT(y[0], 0.0);
}

TEST(NnGelu, TanhFormAndTheDefault) {
  const std::vector<double> g = {-6, -1, -0.2, 0, 0.5, 2, 7};
  const Tensor x = from_vector(g, {static_cast<int64_t>(g.size())}, DType::Float64);
  const std::vector<double> y = values(gelu(x));  // the default is the tanh approximation
  const double k = std::sqrt(2.0 / std::numbers::pi);
  for (size_t i = 0; i < g.size(); ++i) {
    const double want = 0.5 * g[i] * (1.0 + std::tanh(k * (g[i] + 0.044715 * g[i] * g[i] * g[i])));
    EXPECT_NEAR(y[i], want, 1e-15 + 1e-15 * std::abs(want)) << g[i];
    // The approximation is close to the exact form.
    EXPECT_NEAR(y[i], g[i] * phi(g[i]), 1e-3) << g[i];
  }
  EXPECT_EQ(values(GELU()(x)), y);
  EXPECT_EQ(values(GELU(GeluApproximate::None)(x)), values(gelu(x, GeluApproximate::None)));
}

TEST(NnGelu, GradcheckToSecondOrder) {
  const Tensor x = nn_test::random_input({3, 4}, 1, 3.0);
  for (GeluApproximate a : {GeluApproximate::None, GeluApproximate::Tanh})
    nn_test::expect_gradients_check([a](const std::vector<Tensor>& in) { return gelu(in[0], a); },
                                    {x}, a == GeluApproximate::None ? "gelu exact" : "gelu tanh");
}

TEST(NnSoftplus, IsStableAndAccurateInBothTails) {
  const std::vector<double> g = {-1000, -745, -100, -37, -20, -1, 0, 1, 15, 19.9, 100, 1000};
  const Tensor x = from_vector(g, {static_cast<int64_t>(g.size())}, DType::Float64);
  const std::vector<double> y = values(softplus(x));
  for (size_t i = 0; i < g.size(); ++i) {
    const double want = g[i] > 20 ? g[i] : std::log1p(std::exp(g[i]));
    EXPECT_NEAR(y[i], want, 1e-300 + 1e-15 * std::abs(want)) << g[i];
  }
  // Gradient σ(βx): exactly ½ at 0, finite everywhere, 1 beyond the threshold.
  const Tensor xg = clone(x).set_requires_grad(true);
  const std::vector<double> d = values(grad(sum(softplus(xg)), xg));
  for (size_t i = 0; i < g.size(); ++i) {
    const double want = g[i] > 20 ? 1.0 : 1.0 / (1.0 + std::exp(-g[i]));
    EXPECT_NEAR(d[i], want, 1e-300 + 1e-15 * want) << g[i];
  }
}

TEST(NnSoftplus, BetaAndThresholdAsPyTorch) {
  // β = 2, threshold = 4: x = 2.5 has βx = 5 > 4, so the result is x itself.
  const Tensor x = tensor({-1, 1, 2, 2.5}, DType::Float64);
  const std::vector<double> y = values(softplus(x, 2.0, 4.0));
  EXPECT_NEAR(y[0], std::log1p(std::exp(-2.0)) / 2.0, 1e-15);
  EXPECT_NEAR(y[1], std::log1p(std::exp(2.0)) / 2.0, 1e-15);
  EXPECT_NEAR(y[2], std::log1p(std::exp(4.0)) / 2.0, 1e-15);  // βx = threshold: not beyond
  EXPECT_EQ(y[3], 2.5);
  EXPECT_EQ(values(Softplus(2.0, 4.0)(x)), y);
  message_of<ValueError>([] { Softplus(0.0); });
  message_of<ValueError>([] { softplus(ones({2}), -1.0); });
  message_of<DTypeError>([] { softplus(ones({2}, DType::Int64)); });
}

TEST(NnSoftplus, GradcheckToSecondOrder) {
  const Tensor x = nn_test::random_input({3, 4}, 2, 4.0);
  nn_test::expect_gradients_check([](const std::vector<Tensor>& in) { return softplus(in[0]); },
                                  {x}, "softplus");
  nn_test::expect_gradients_check(
      [](const std::vector<Tensor>& in) { return softplus(in[0], 0.5, 30.0); }, {x},
      "softplus beta=0.5");
  // Including 0, where the two branches meet.
  const Tensor at_zero = tensor({0.0, -1e-3, 1e-3}, DType::Float64).set_requires_grad(true);
  nn_test::expect_gradients_check([](const std::vector<Tensor>& in) { return softplus(in[0]); },
                                  {at_zero}, "softplus at 0");
}

TEST(NnActivations, ModulesCallTheirFunctions) {
  const Tensor x = tensor({-2, -0.5, 0, 0.5, 2});
  EXPECT_EQ(values(ReLU()(x)), values(relu(x)));
  EXPECT_EQ(values(LeakyReLU(0.2)(x)), values(leaky_relu(x, 0.2)));
  EXPECT_EQ(values(LeakyReLU()(x)), values(leaky_relu(x, 0.01)));
  EXPECT_EQ(values(Sigmoid()(x)), values(sigmoid(x)));
  EXPECT_EQ(values(Tanh()(x)), values(tanh(x)));
  EXPECT_TRUE(Identity()(x).impl() == x.impl());
  for (const Tensor& y : {GELU()(x), Softplus()(x)}) EXPECT_EQ(y.dtype(), DType::Float32);
  EXPECT_TRUE(ReLU().parameters().empty());
}

}  // namespace
}  // namespace descent::nn
