// Reductions (sum, max, min, argmax, argmin) against naive double-precision loops, over
// contiguous, transposed, strided and broadcast inputs, empty dimensions and every error path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "descent/core/rng.h"
#include "descent/core/tensor.h"
#include "descent/kernels/parallel.h"
#include "descent/kernels/reduce.h"
#include "kernel_test_util.h"

namespace descent::kernels {
namespace {

using test_util::for_each_index;
using test_util::get;
using test_util::Index;
using test_util::transposed;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reference reduction in double: the output in row-major order of the keepdim shape.
std::vector<double> reference(Reduce op, const Tensor& x, const Index& axes) {
  Shape out_shape = x.shape();
  for (int64_t a : axes) out_shape[static_cast<size_t>(a)] = 1;
  const Shape strides = contiguous_strides(out_shape);
  std::vector<double> out(static_cast<size_t>(out_shape.numel()), op == Reduce::Sum   ? 0.0
                                                                  : op == Reduce::Max ? -INFINITY
                                                                                      : INFINITY);
  for_each_index(x.shape(), [&](const Index& idx) {
    int64_t o = 0;
    for (size_t d = 0; d < idx.size(); ++d) o += (out_shape[d] == 1 ? 0 : idx[d]) * strides[d];
    double& acc = out[static_cast<size_t>(o)];
    const double v = get(x, idx);
    if (op == Reduce::Sum)
      acc += v;
    else if (std::isnan(v) || std::isnan(acc))
      acc = kNaN;
    else
      acc = op == Reduce::Max ? std::max(acc, v) : std::min(acc, v);
  });
  return out;
}

Shape expected_shape(const Shape& s, const Index& axes, bool keepdim) {
  Shape r;
  for (size_t d = 0; d < s.size(); ++d) {
    const bool red = std::find(axes.begin(), axes.end(), static_cast<int64_t>(d)) != axes.end();
    if (!red)
      r.push_back(s[d]);
    else if (keepdim)
      r.push_back(1);
  }
  return r;
}

void expect_matches(Reduce op, const Tensor& x, const Index& axes, bool keepdim, double tol) {
  SCOPED_TRACE("shape " + x.shape().str() + " axes " + Shape(axes).str() +
               (keepdim ? " keepdim" : ""));
  const Tensor y = reduce(op, x, axes, keepdim);
  EXPECT_EQ(y.shape(), expected_shape(x.shape(), axes, keepdim));
  EXPECT_EQ(y.dtype(), x.dtype());
  EXPECT_TRUE(y.is_contiguous());
  const std::vector<double> want = reference(op, x, axes);
  const std::vector<double> got = y.to_vector<double>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i]))) << "at " << i;
    }
  }
}

// Every subset of the axes of a rank-r tensor, as sorted lists.
std::vector<Index> all_axis_sets(size_t rank) {
  std::vector<Index> sets;
  for (unsigned mask = 0; mask < (1u << rank); ++mask) {
    Index s;
    for (size_t d = 0; d < rank; ++d)
      if (mask & (1u << d)) s.push_back(static_cast<int64_t>(d));
    sets.push_back(s);
  }
  return sets;
}

TEST(Reduce, EveryAxisSetMatchesReference) {
  Generator gen(1);
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor x = randn({3, 4, 5}, gen, dt);
    const double tol = dt == DType::Float32 ? 1e-6 : 1e-12;
    for (const Index& axes : all_axis_sets(3))
      for (bool keepdim : {false, true})
        for (Reduce op : {Reduce::Sum, Reduce::Max, Reduce::Min})
          expect_matches(op, x, axes, keepdim, tol);
  }
}

TEST(Reduce, SizeOneDimensionsAnywhere) {
  Generator gen(2);
  const Tensor x = randn({1, 3, 1, 4, 1}, gen, DType::Float64);
  for (const Index& axes : all_axis_sets(5))
    for (Reduce op : {Reduce::Sum, Reduce::Max}) expect_matches(op, x, axes, true, 1e-12);
}

TEST(Reduce, TransposedStridedAndBroadcastInputs) {
  Generator gen(3);
  const Tensor base = randn({6, 8, 5}, gen, DType::Float32);
  // A permuted view: memory order differs from logical order.
  const Tensor perm = transposed(base, 0, 2);  // [5, 8, 6]
  // Every other element along dims 0 and 1.
  const Tensor strided = Tensor::view_of(base, base.offset() + 1, {3, 4, 5},
                                         {2 * base.strides()[0], 2 * base.strides()[1], 1});
  // A broadcast (stride 0) dimension.
  const Tensor row = randn({7}, gen, DType::Float32);
  const Tensor bcast = Tensor::view_of(row, row.offset(), {4, 7}, {0, 1});
  for (const Tensor& x : {perm, strided}) {
    for (const Index& axes : all_axis_sets(3))
      for (Reduce op : {Reduce::Sum, Reduce::Min}) expect_matches(op, x, axes, false, 1e-6);
  }
  for (const Index& axes : all_axis_sets(2)) expect_matches(Reduce::Sum, bcast, axes, true, 1e-6);
  // A transposed matrix summed over its rows: handled in place (no copy) by memory order.
  const Tensor w = randn({32, 16}, gen, DType::Float32);
  expect_matches(Reduce::Sum, transposed(w, 0, 1), {1}, false, 1e-6);
  expect_matches(Reduce::Sum, transposed(w, 0, 1), {0}, false, 1e-6);
}

TEST(Reduce, BiasGradientShape) {
  Generator gen(4);
  const Tensor g = randn({32, 16}, gen, DType::Float32);
  expect_matches(Reduce::Sum, g, {0}, false, 1e-6);
  expect_matches(Reduce::Sum, g, {1}, true, 1e-6);
}

// Columns go in groups of 16 and 8 and a last group of 1 to 7: every width up to 40, with a
// NaN in one column for max and min, each column summed over its rows in order (so a float32
// sum is exactly the row-order double sum, rounded once).
TEST(Reduce, ColumnSumsOfEveryGroupWidth) {
  Generator gen(6);
  for (int64_t cols = 1; cols <= 40; ++cols) {
    const Tensor x = randn({5, cols}, gen, DType::Float32);
    expect_matches(Reduce::Max, x, {0}, false, 0);
    expect_matches(Reduce::Min, x, {0}, false, 0);
    const std::vector<float> v = x.to_vector<float>();
    const std::vector<float> sums = reduce(Reduce::Sum, x, Index{0}, false).to_vector<float>();
    for (int64_t j = 0; j < cols; ++j) {
      double want = 0;
      for (int64_t r = 0; r < 5; ++r)
        want += static_cast<double>(v[static_cast<size_t>(r * cols + j)]);
      ASSERT_EQ(sums[static_cast<size_t>(j)], static_cast<float>(want))
          << cols << " columns, " << j;
    }
    std::vector<float> with_nan = v;
    with_nan[static_cast<size_t>(2 * cols + cols - 1)] = std::numeric_limits<float>::quiet_NaN();
    const Tensor xn = from_vector(std::span<const float>(with_nan), {5, cols});
    expect_matches(Reduce::Max, xn, {0}, false, 0);
    expect_matches(Reduce::Min, xn, {0}, false, 0);
  }
}

TEST(Reduce, LargeReductionsUseChunksAndAreThreadCountIndependent) {
  Generator gen(5);
  const Tensor big = rand({1000003}, gen, DType::Float32);
  const Tensor tall = randn({200001, 3}, gen, DType::Float32);
  const Tensor wide = randn({3, 70001}, gen, DType::Float32);
  const int saved = num_threads();
  std::vector<std::vector<float>> results[2];
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    auto& r = results[threads - 1];
    r.push_back(reduce(Reduce::Sum, big, Index{0}, false).to_vector<float>());
    r.push_back(reduce(Reduce::Max, big, Index{0}, false).to_vector<float>());
    r.push_back(reduce(Reduce::Sum, tall, Index{0}, false).to_vector<float>());
    r.push_back(reduce(Reduce::Sum, tall, Index{0, 1}, false).to_vector<float>());
    r.push_back(reduce(Reduce::Sum, wide, Index{1}, false).to_vector<float>());
    r.push_back(reduce(Reduce::Min, wide, Index{0}, false).to_vector<float>());
  }
  set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  expect_matches(Reduce::Sum, big, {0}, false, 1e-6);
  expect_matches(Reduce::Sum, tall, {0}, false, 1e-6);
  expect_matches(Reduce::Max, tall, {0}, false, 0);
  expect_matches(Reduce::Sum, wide, {1}, false, 1e-6);
  expect_matches(Reduce::Sum, wide, {0}, false, 1e-6);
}

TEST(Reduce, Float32SumsAccumulateInDouble) {
  // 2^24 + 1 + 1 + ... is exact in double but stalls in a float accumulator.
  std::vector<float> v(1001, 1.0f);
  v[0] = 16777216.0f;
  const Tensor x = from_vector(std::span<const float>(v), {1001});
  EXPECT_EQ(reduce(Reduce::Sum, x, Index{0}, false).item(), 16777216.0 + 1000.0);
}

TEST(Reduce, NanPropagatesThroughMaxAndMin) {
  for (int64_t n : {5, 40, 45}) {  // the short loop, the eight-lane loop, and its tail
    for (int64_t pos : {int64_t{0}, n / 2, n - 1}) {
      std::vector<double> v(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>(i % 7);
      v[static_cast<size_t>(pos)] = kNaN;
      for (DType dt : {DType::Float32, DType::Float64}) {
        const Tensor x = from_vector(v, {n}, dt);
        EXPECT_TRUE(std::isnan(reduce(Reduce::Max, x, Index{0}, false).item()));
        EXPECT_TRUE(std::isnan(reduce(Reduce::Min, x, Index{0}, false).item()));
        // Columns: the same values down axis 0 of an [n, 2] tensor.
        const Tensor col = Tensor::view_of(x, x.offset(), {n, 2}, {1, 0});
        const std::vector<double> m = reduce(Reduce::Max, col, Index{0}, false).to_vector<double>();
        EXPECT_TRUE(std::isnan(m[0]) && std::isnan(m[1]));
        // Down the rows of contiguous [n, 3] and [n, 9] tensors (columns one by one, and a
        // group of eight plus one), NaN in column 2 only.
        for (int64_t cols : {3, 9}) {
          std::vector<double> w(static_cast<size_t>(n * cols), 1.0);
          for (int64_t i = 0; i < n; ++i)
            w[static_cast<size_t>(i * cols + 2)] = v[static_cast<size_t>(i)];
          const Tensor t = from_vector(w, {n, cols}, dt);
          for (Reduce op : {Reduce::Max, Reduce::Min}) {
            const std::vector<double> r = reduce(op, t, Index{0}, false).to_vector<double>();
            for (int64_t j = 0; j < cols; ++j)
              EXPECT_EQ(std::isnan(r[static_cast<size_t>(j)]), j == 2) << "column " << j;
          }
        }
      }
    }
  }
}

TEST(Reduce, Int64SumsAndExtremes) {
  Generator gen(6);
  const Tensor x = randint(-1000, 1000, {4, 5, 6}, gen);
  for (const Index& axes : all_axis_sets(3))
    for (Reduce op : {Reduce::Sum, Reduce::Max, Reduce::Min}) {
      const Tensor y = reduce(op, x, axes, false);
      EXPECT_EQ(y.dtype(), DType::Int64);
      const std::vector<double> want = reference(op, x, axes);
      const std::vector<int64_t> got = y.to_vector<int64_t>();
      for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(static_cast<double>(got[i]), want[i]);
    }
  // Overflow wraps (no undefined behaviour).
  const int64_t big = std::numeric_limits<int64_t>::max();
  const Tensor o = from_vector(std::vector<int64_t>{big, 1}, {2});
  EXPECT_EQ(reduce(Reduce::Sum, o, Index{0}, false).to_vector<int64_t>()[0],
            std::numeric_limits<int64_t>::min());
}

TEST(Reduce, EmptyAxesCopy) {
  const Tensor x = tensor({1, 2, 3, 4}, {2, 2});
  const Tensor y = reduce(Reduce::Sum, x, Index{}, false);
  EXPECT_FALSE(y.shares_storage(x));
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_EQ(y.to_vector<float>(), x.to_vector<float>());
  const Tensor s = scalar_tensor(2.5);
  EXPECT_EQ(reduce(Reduce::Max, s, Index{}, true).item(), 2.5);
  EXPECT_EQ(reduce(Reduce::Max, s, Index{}, true).dim(), 0);
}

TEST(Reduce, EmptyDimensions) {
  const Tensor x = zeros({0, 3});
  // Sum over the empty axis is zero; over the other axis the result is empty.
  Tensor s0 = reduce(Reduce::Sum, x, Index{0}, false);
  EXPECT_EQ(s0.shape(), (Shape{3}));
  EXPECT_EQ(s0.to_vector<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_EQ(reduce(Reduce::Sum, x, Index{1}, false).shape(), (Shape{0}));
  EXPECT_EQ(reduce(Reduce::Sum, x, Index{0, 1}, true).shape(), (Shape{1, 1}));
  EXPECT_EQ(reduce(Reduce::Sum, x, Index{0, 1}, false).item(), 0.0);
  // Max over a non-empty axis of an empty tensor is empty; over the empty axis it has no value.
  EXPECT_EQ(reduce(Reduce::Max, x, Index{1}, true).shape(), (Shape{0, 1}));
  EXPECT_THROW(reduce(Reduce::Max, x, Index{0}, false), ShapeError);
  EXPECT_THROW(reduce(Reduce::Min, x, Index{0, 1}, false), ShapeError);
  EXPECT_THROW(reduce(Reduce::Max, zeros({3, 0}), Index{1}, false), ShapeError);
}

TEST(Reduce, AxisErrors) {
  const Tensor x = zeros({2, 3});
  EXPECT_THROW(reduce(Reduce::Sum, x, Index{2}, false), IndexError);
  EXPECT_THROW(reduce(Reduce::Sum, x, Index{-1}, false), IndexError);
  EXPECT_THROW(reduce(Reduce::Sum, x, Index{1, 0}, false), ValueError);
  EXPECT_THROW(reduce(Reduce::Sum, x, Index{1, 1}, false), ValueError);
  EXPECT_THROW(reduce(Reduce::Sum, scalar_tensor(1.0), Index{0}, false), IndexError);
  EXPECT_THROW(reduce(Reduce::Sum, Tensor(), Index{0}, false), ValueError);
}

// Reference argmax/argmin: first extreme, NaN counting as the extreme.
std::vector<int64_t> reference_arg(bool is_max, const Tensor& x, int64_t axis) {
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(axis)] = 1;
  std::vector<int64_t> out;
  for_each_index(out_shape, [&](const Index& base) {
    Index idx = base;
    int64_t best_i = 0;
    double best = get(x, idx);
    for (int64_t i = 1; i < x.shape()[static_cast<size_t>(axis)]; ++i) {
      idx[static_cast<size_t>(axis)] = i;
      const double v = get(x, idx);
      if (std::isnan(best)) break;
      if (std::isnan(v) || (is_max ? v > best : v < best)) {
        best = v;
        best_i = i;
      }
    }
    out.push_back(best_i);
  });
  return out;
}

TEST(ArgReduce, MatchesReferenceOnEveryAxis) {
  Generator gen(7);
  const Tensor f = randn({3, 4, 5}, gen, DType::Float32);
  const Tensor i = randint(0, 3, {3, 4, 5}, gen);  // many ties
  const Tensor t = transposed(randn({5, 4, 3}, gen, DType::Float64), 0, 2);
  for (const Tensor& x : {f, i, t})
    for (int64_t axis = 0; axis < 3; ++axis)
      for (bool keepdim : {false, true}) {
        const Tensor mx = kernels::argmax(x, axis, keepdim), mn = kernels::argmin(x, axis, keepdim);
        EXPECT_EQ(mx.dtype(), DType::Int64);
        EXPECT_EQ(mx.shape(), expected_shape(x.shape(), {axis}, keepdim));
        EXPECT_EQ(mx.to_vector<int64_t>(), reference_arg(true, x, axis));
        EXPECT_EQ(mn.to_vector<int64_t>(), reference_arg(false, x, axis));
      }
}

TEST(ArgReduce, FirstOccurrenceAndNan) {
  const Tensor ties = tensor({1, 3, 3, 0, 0}, DType::Float64);
  EXPECT_EQ(kernels::argmax(ties, 0, false).item(), 1);
  EXPECT_EQ(kernels::argmin(ties, 0, false).item(), 3);
  const Tensor nan = tensor({1, kNaN, 5, kNaN, -2}, DType::Float32);
  EXPECT_EQ(kernels::argmax(nan, 0, false).item(), 1);
  EXPECT_EQ(kernels::argmin(nan, 0, false).item(), 1);
  const Tensor col = Tensor::view_of(nan, nan.offset(), {5, 3}, {1, 0});
  EXPECT_EQ(kernels::argmax(col, 0, false).to_vector<int64_t>(), (std::vector<int64_t>{1, 1, 1}));
}

TEST(ArgReduce, EmptyAndScalarAndErrors) {
  EXPECT_EQ(kernels::argmax(zeros({0, 3}), 1, false).shape(), (Shape{0}));
  EXPECT_EQ(kernels::argmax(zeros({0, 3}), 1, true).shape(), (Shape{0, 1}));
  EXPECT_THROW(kernels::argmax(zeros({0, 3}), 0, false), ShapeError);
  EXPECT_THROW(kernels::argmin(zeros({2, 0}), 1, false), ShapeError);
  EXPECT_EQ(kernels::argmax(scalar_tensor(4.0), 0, false).item(), 0);
  EXPECT_THROW(kernels::argmax(zeros({2, 3}), 2, false), IndexError);
  EXPECT_THROW(kernels::argmin(zeros({2, 3}), -1, false), IndexError);
  EXPECT_THROW(kernels::argmax(Tensor(), 0, false), ValueError);
}

}  // namespace
}  // namespace descent::kernels
