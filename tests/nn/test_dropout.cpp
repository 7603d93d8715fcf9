// Dropout: inverted scaling, the drop rate, train/eval, seeding, gradients and errors.
#include <gtest/gtest.h>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::message_of;
using nn_test::values;

TEST(NnDropout, DropsAboutPAndScalesTheSurvivors) {
  Generator gen(1);
  Dropout drop(0.3, gen);
  const Tensor x = ones({200, 500});
  const std::vector<double> y = values(drop(x));
  int64_t zeros_seen = 0;
  for (double v : y) {
    if (v == 0.0) {
      ++zeros_seen;
    } else {
      ASSERT_NEAR(v, 1.0 / 0.7, 1e-6);
    }
  }
  // Binomial(100000, 0.3): standard deviation ≈ 145.
  EXPECT_NEAR(static_cast<double>(zeros_seen), 30000.0, 750.0);
}

TEST(NnDropout, IsTheIdentityInEvalAndForPZero) {
  Generator gen(2);
  Dropout drop(0.5, gen);
  const Tensor x = randn({10, 10}, gen);
  drop.eval();
  EXPECT_TRUE(drop(x).impl() == x.impl());
  drop.train();
  EXPECT_NE(values(drop(x)), values(x));
  EXPECT_TRUE(dropout(x, 0.0, true, gen).impl() == x.impl());
}

TEST(NnDropout, POfOneGivesZeros) {
  Generator gen(3);
  Dropout drop(1.0, gen);
  const Tensor x = randn({4, 5}, gen).set_requires_grad(true);
  const Tensor y = drop(x);
  EXPECT_EQ(values(y), std::vector<double>(20, 0.0));
  sum(y).backward();
  EXPECT_EQ(values(x.grad()), std::vector<double>(20, 0.0));
}

TEST(NnDropout, ASeedFixesTheMask) {
  Generator g1(4), g2(4);
  Dropout a(0.5, g1), b(0.5, g2);
  const Tensor x = ones({64});
  EXPECT_EQ(values(a(x)), values(b(x)));
  EXPECT_EQ(values(a(x)), values(b(x)));  // and the streams stay in step
  // The module draws from the generator it was given (by reference).
  Generator g3(4), g4(4);
  b.set_generator(g3);
  EXPECT_EQ(values(b(x)), values(dropout(x, 0.5, true, g4)));
  EXPECT_EQ(&b.generator(), &g3);
}

TEST(NnDropout, GradientIsTheScaledMask) {
  Generator gen(5);
  const Tensor x = randn({8, 8}, gen, DType::Float64).set_requires_grad(true);
  const Tensor y = dropout(x, 0.25, true, gen);
  sum(y).backward();
  const std::vector<double> xv = values(x), yv = values(y), g = values(x.grad());
  for (size_t i = 0; i < g.size(); ++i) {
    const double scale = yv[i] == 0.0 ? 0.0 : 1.0 / 0.75;
    EXPECT_DOUBLE_EQ(g[i], scale);
    EXPECT_DOUBLE_EQ(yv[i], xv[i] * scale);
  }
  // Fixed mask (a fresh generator with the same seed per call): gradcheck to second order.
  const Tensor z = nn_test::random_input({3, 4}, 6);
  nn_test::expect_gradients_check(
      [](const std::vector<Tensor>& in) {
        Generator g(11);
        return mul(dropout(in[0], 0.4, true, g), in[0]);
      },
      {z}, "dropout");
}

TEST(NnDropout, ProbabilityOutsideTheUnitIntervalIsAValueError) {
  EXPECT_NE(message_of<ValueError>([] { Dropout(1.5); }).find("1.5"), std::string::npos);
  message_of<ValueError>([] { Dropout(-0.1); });
  message_of<ValueError>([] { dropout(ones({2}), 2.0, false); });
  message_of<DTypeError>([] { dropout(ones({2}, DType::Int64), 0.5, true); });
}

}  // namespace
}  // namespace descent::nn
