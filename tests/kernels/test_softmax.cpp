// log_softmax and its fused backward against double-precision references and central
// differences, along every dim, on strided inputs, extreme values, empty dims, and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "descent/core/rng.h"
#include "descent/core/tensor.h"
#include "descent/kernels/elementwise.h"
#include "descent/kernels/softmax.h"
#include "kernel_test_util.h"

namespace descent::kernels {
namespace {

using test_util::for_each_index;
using test_util::get;
using test_util::Index;
using test_util::transposed;

// Values of the lane through `idx` along `dim`.
std::vector<double> lane(const Tensor& t, Index idx, size_t dim) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.shape()[dim]; ++i) {
    idx[dim] = i;
    v.push_back(get(t, idx));
  }
  return v;
}

double reference_log_softmax(const Tensor& x, const Index& idx, size_t dim) {
  const std::vector<double> v = lane(x, idx, dim);
  double m = -INFINITY;
  for (double e : v) m = std::max(m, e);
  double s = 0;
  for (double e : v) s += std::exp(e - m);
  return get(x, idx) - m - std::log(s);
}

void expect_log_softmax(const Tensor& x, int64_t dim) {
  SCOPED_TRACE("shape " + x.shape().str() + " dim " + std::to_string(dim));
  const Tensor y = kernels::log_softmax(x, dim);
  ASSERT_EQ(y.shape(), x.shape());
  EXPECT_EQ(y.dtype(), x.dtype());
  EXPECT_TRUE(y.is_contiguous());
  const size_t d = static_cast<size_t>(dim < 0 ? dim + x.dim() : dim);
  const double tol = x.dtype() == DType::Float32 ? 2e-6 : 1e-13;
  for_each_index(x.shape(), [&](const Index& i) {
    const double want = reference_log_softmax(x, i, d);
    ASSERT_NEAR(get(y, i), want, tol * (1 + std::fabs(want)));
  });
}

TEST(LogSoftmax, EveryDimAndLayout) {
  Generator gen(41);
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor x = randn({3, 4, 5}, gen, dt);
    const Tensor perm = transposed(randn({5, 4, 3}, gen, dt), 0, 2);
    for (const Tensor& t : {x, perm})
      for (int64_t dim : {0, 1, 2, -1}) expect_log_softmax(t, dim);
    // Long rows and wide column blocks.
    expect_log_softmax(randn({2, 1000}, gen, dt), 1);
    expect_log_softmax(randn({7, 300}, gen, dt), 0);
    expect_log_softmax(randn({32, 3}, gen, dt), 1);
  }
}

// Short rows (a classifier's logits) go through transposed tiles of 64 rows: several tiles,
// a partial one, the longest short row (16) and the first long one (17).
TEST(LogSoftmax, ShortRowsAcrossTiles) {
  Generator gen(44);
  for (DType dt : {DType::Float32, DType::Float64}) {
    for (const Shape& shape : {Shape{200, 5}, Shape{130, 16}, Shape{3, 17}, Shape{1, 2}}) {
      const Tensor x = randn(shape, gen, dt);
      expect_log_softmax(x, 1);
      const Tensor g = randn(shape, gen, dt);
      const Tensor y = kernels::log_softmax(x, 1);
      const Tensor gx = log_softmax_backward(y, g, 1);
      const double tol = dt == DType::Float32 ? 1e-5 : 1e-13;
      for_each_index(shape, [&](const Index& i) {
        double s = 0;
        for (double v : lane(g, i, 1)) s += v;
        const double want = get(g, i) - std::exp(get(y, i)) * s;
        ASSERT_NEAR(get(gx, i), want, tol * (1 + std::fabs(want)));
      });
    }
  }
}

// The short-row backward (flat blocks of rows) and the column backward (the same tensor
// transposed, reduced along a non-innermost axis) sum in the same order: identical results.
TEST(LogSoftmaxBackward, ShortRowsAgreeExactlyWithColumns) {
  Generator gen(45);
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor y = kernels::log_softmax(randn({70, 5}, gen, dt), 1), g = randn({70, 5}, gen, dt);
    const std::vector<double> rows = log_softmax_backward(y, g, 1).to_vector<double>();
    const Tensor yt = kernels::contiguous(transposed(y, 0, 1)),
                 gt = kernels::contiguous(transposed(g, 0, 1));
    const Tensor cols = log_softmax_backward(yt, gt, 0);
    for (int64_t r = 0; r < 70; ++r)
      for (int64_t i = 0; i < 5; ++i)
        ASSERT_EQ(rows[static_cast<size_t>(r * 5 + i)], get(cols, {i, r})) << r << ", " << i;
  }
}

TEST(LogSoftmax, ShortFloatRowsWithNanOrInfinity) {
  // One bad row among good ones in the same tile: the bad row alone is NaN.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = tensor({1, nan, 2, 3, 4, 5, INFINITY, 0, 1, -INFINITY, 0, 1}, {4, 3});
  const std::vector<double> y = kernels::log_softmax(x, 1).to_vector<double>();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(y[static_cast<size_t>(i)]));
  for (int i = 3; i < 6; ++i) EXPECT_TRUE(std::isfinite(y[static_cast<size_t>(i)]));
  for (int i = 6; i < 9; ++i) EXPECT_TRUE(std::isnan(y[static_cast<size_t>(i)]));  // as PyTorch
  EXPECT_EQ(y[9], -INFINITY);
  EXPECT_NEAR(y[10], 0.0 - std::log(1 + std::exp(1.0)), 1e-6);
}

TEST(LogSoftmax, StableForExtremeInputsAndNormalized) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor x = tensor({1000, 999, -1000, 0, 88, 89, -88, 90}, {2, 4}, dt);
    const Tensor y = kernels::log_softmax(x, 1);
    for (double v : y.to_vector<double>()) EXPECT_TRUE(std::isfinite(v)) << v;
    expect_log_softmax(x, 1);
    expect_log_softmax(x, 0);
    const Tensor z = kernels::log_softmax(tensor({0.5, -1.5, 2.0, 7.0}, dt), 0);
    double s = 0;
    for (double v : z.to_vector<double>()) s += std::exp(v);
    EXPECT_NEAR(s, 1.0, 1e-6);
  }
}

TEST(LogSoftmax, NanPoisonsItsLaneOnly) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = tensor({1, nan, 2, 3, 4, 5}, {2, 3}, DType::Float64);
  const std::vector<double> y = kernels::log_softmax(x, 1).to_vector<double>();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(y[static_cast<size_t>(i)]));
  for (int i = 3; i < 6; ++i) EXPECT_TRUE(std::isfinite(y[static_cast<size_t>(i)]));
}

TEST(LogSoftmax, EmptyAndScalar) {
  EXPECT_EQ(kernels::log_softmax(zeros({0, 3}), 1).shape(), (Shape{0, 3}));
  EXPECT_EQ(kernels::log_softmax(zeros({0, 3}), 0).shape(), (Shape{0, 3}));
  EXPECT_EQ(kernels::log_softmax(zeros({3, 0}), 1).shape(), (Shape{3, 0}));
  EXPECT_EQ(log_softmax_backward(zeros({3, 0}), zeros({3, 0}), 1).shape(), (Shape{3, 0}));
  const Tensor s = kernels::log_softmax(scalar_tensor(3.0, DType::Float64), 0);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item(), 0.0);
}

TEST(LogSoftmax, Errors) {
  EXPECT_THROW(kernels::log_softmax(zeros({2, 3}, DType::Int64), 1), DTypeError);
  EXPECT_THROW(kernels::log_softmax(zeros({2, 3}), 2), IndexError);
  EXPECT_THROW(kernels::log_softmax(zeros({2, 3}), -3), IndexError);
  EXPECT_THROW(kernels::log_softmax(Tensor(), 0), ValueError);
  const Tensor y = zeros({2, 3});
  EXPECT_THROW(log_softmax_backward(y, zeros({3, 2}), 1), ShapeError);
  EXPECT_THROW(log_softmax_backward(y, zeros({2, 3}, DType::Float64), 1), DTypeError);
  EXPECT_THROW(log_softmax_backward(zeros({2, 3}, DType::Int64), zeros({2, 3}, DType::Int64), 1),
               DTypeError);
  EXPECT_THROW(log_softmax_backward(y, y, 5), IndexError);
  EXPECT_THROW(log_softmax_backward(y, Tensor(), 0), ValueError);
}

TEST(LogSoftmaxBackward, MatchesFormulaOnEveryDim) {
  Generator gen(42);
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor x = randn({3, 4, 5}, gen, dt);
    const Tensor g = transposed(randn({5, 4, 3}, gen, dt), 0, 2);  // strided gradient
    for (int64_t dim = 0; dim < 3; ++dim) {
      const Tensor y = kernels::log_softmax(x, dim);
      const Tensor gx = log_softmax_backward(y, g, dim);
      ASSERT_EQ(gx.shape(), x.shape());
      const double tol = dt == DType::Float32 ? 1e-5 : 1e-13;
      for_each_index(x.shape(), [&](const Index& i) {
        const std::vector<double> gl = lane(g, i, static_cast<size_t>(dim));
        double s = 0;
        for (double v : gl) s += v;
        const double want = get(g, i) - std::exp(get(y, i)) * s;
        ASSERT_NEAR(get(gx, i), want, tol * (1 + std::fabs(want)));
      });
    }
  }
}

TEST(LogSoftmaxBackward, IsTheGradient) {
  // d/dx Σ w·log_softmax(x) by central differences, in float64.
  Generator gen(43);
  const Tensor x = randn({3, 4}, gen, DType::Float64);
  const Tensor w = randn({3, 4}, gen, DType::Float64);
  const std::vector<double> wv = w.to_vector<double>();
  for (int64_t dim : {0, 1}) {
    const Tensor gx = log_softmax_backward(kernels::log_softmax(x, dim), w, dim);
    const std::vector<double> got = gx.to_vector<double>();
    const auto loss = [&](const std::vector<double>& xv) {
      const std::vector<double> y =
          kernels::log_softmax(from_vector(xv, {3, 4}, DType::Float64), dim).to_vector<double>();
      double s = 0;
      for (size_t i = 0; i < y.size(); ++i) s += wv[i] * y[i];
      return s;
    };
    const std::vector<double> x0 = x.to_vector<double>();
    for (size_t i = 0; i < x0.size(); ++i) {
      std::vector<double> xp = x0, xm = x0;
      const double h = 1e-6;
      xp[i] += h;
      xm[i] -= h;
      EXPECT_NEAR(got[i], (loss(xp) - loss(xm)) / (2 * h), 1e-7);
    }
  }
}

}  // namespace
}  // namespace descent::kernels
