// grad_stats: Σ x² in float64 and the gradient norms the training loop's divergence guard reads.
#include "descent/app/grad_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "descent/descent.h"
#include "descent/kernels/parallel.h"

namespace descent::app {
namespace {

// Σ_{i=1..n} i² = n(n+1)(2n+1)/6; every partial sum is an integer below 2^53, so any order of
// summation gives exactly this.
double sum_of_squares_1_to(int64_t n) {
  return static_cast<double>(n) * static_cast<double>(n + 1) * static_cast<double>(2 * n + 1) / 6.0;
}

Tensor one_to(int64_t n, DType dtype) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>(i + 1);
  return dtype == DType::Float64 ? from_vector(v, {n}, DType::Float64)
                                 : to(from_vector(v, {n}, DType::Float64), dtype);
}

class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(kernels::num_threads()) { kernels::set_num_threads(n); }
  ~ThreadCount() { kernels::set_num_threads(saved_); }

 private:
  int saved_;
};

TEST(GradStats, SumOfSquaresMatchesClosedFormAcrossBlockSizes) {
  // Sizes around the 16-lane loop and the 16Ki-element blocks, and several blocks (in parallel).
  for (const int64_t n : {1, 15, 16, 17, 1000, 16383, 16384, 16385, 65536 * 3 + 7}) {
    for (const DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
      // float32 holds the integers up to 2^24 exactly, and so every value here.
      EXPECT_EQ(sum_of_squares(one_to(n, dtype)), sum_of_squares_1_to(n))
          << "n=" << n << " dtype=" << dtype_name(dtype);
    }
  }
}

TEST(GradStats, SumOfSquaresIsAccumulatedInFloat64) {
  // 2^20 values of 2^-12: in float32 the running sum would stall; in float64 it is exact.
  const Tensor t = full({int64_t{1} << 20}, std::ldexp(1.0, -12));
  EXPECT_EQ(sum_of_squares(t), std::ldexp(1.0, 20 - 24));
}

TEST(GradStats, SumOfSquaresReadsNonContiguousViews) {
  const Tensor m = reshape(one_to(6, DType::Float32), {2, 3});
  EXPECT_EQ(sum_of_squares(transpose(m, 0, 1)), 91.0);
  EXPECT_EQ(sum_of_squares(slice(m, 1, 1, 3)), 4.0 + 9.0 + 25.0 + 36.0);
}

TEST(GradStats, SumOfSquaresDoesNotDependOnTheThreadCount) {
  Generator gen(3);
  const Tensor t = randn({300'001}, gen);
  double one = 0, two = 0;
  {
    ThreadCount threads(1);
    one = sum_of_squares(t);
  }
  {
    ThreadCount threads(2);
    two = sum_of_squares(t);
  }
  EXPECT_EQ(one, two);  // bitwise: fixed blocks summed in order
  // And close to a plain float64 loop.
  double plain = 0;
  for (const float x : t.to_vector<float>()) plain += double(x) * double(x);
  EXPECT_NEAR(one, plain, 1e-12 * plain);
}

TEST(GradStats, SumOfSquaresPropagatesNonFiniteValues) {
  std::vector<float> v(40'000, 1.0f);
  v[33'333] = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(std::isinf(sum_of_squares(from_vector(v, {40'000}))));
  v[33'333] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(sum_of_squares(from_vector(v, {40'000}))));
}

std::pair<std::string, Tensor> param_with_grad(const std::string& name, std::vector<float> grad) {
  const auto n = static_cast<int64_t>(grad.size());
  Tensor p = zeros({n});
  p.set_requires_grad();
  p.set_grad(from_vector(grad, {n}));
  return {name, p};
}

TEST(GradStats, GradNormsGiveTotalAndLargest) {
  const std::vector<std::pair<std::string, Tensor>> params = {
      param_with_grad("a", {3.0f, 4.0f}),         // norm 5
      param_with_grad("b", {12.0f}),              // norm 12
      {"no_grad", zeros({3})},                    // skipped
      param_with_grad("c", {0.0f, 0.0f, 0.0f})};  // norm 0
  const GradNorms n = grad_norms(params);
  EXPECT_DOUBLE_EQ(n.total, 13.0);
  EXPECT_EQ(n.largest, "b");
  EXPECT_DOUBLE_EQ(n.largest_norm, 12.0);
}

TEST(GradStats, GradNormsNameTheNonFiniteGradient) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const GradNorms n =
      grad_norms({param_with_grad("big", {1e6f}), param_with_grad("bad", {1.0f, nan}),
                  param_with_grad("later", {1e7f})});
  EXPECT_TRUE(std::isnan(n.total));
  EXPECT_EQ(n.largest, "bad");
  EXPECT_TRUE(std::isnan(n.largest_norm));
}

}  // namespace
}  // namespace descent::app
