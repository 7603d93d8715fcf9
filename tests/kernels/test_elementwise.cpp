// Elementwise kernels on the layouts with their own loops: a row (a bias) broadcast along the
// leading dimensions of the other operand, for every row length around the repeated-period
// threshold, in and out of place, split over the pool or not, against plain per-element sums.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "descent/core/rng.h"
#include "descent/core/tensor.h"
#include "descent/kernels/elementwise.h"
#include "descent/kernels/parallel.h"

namespace descent::kernels {
namespace {

// a (rows × row) op b (row), element by element in double, rounded to float for float32
// tensors (exact: a double holds the sum of two floats, so rounding it once to float is the
// float sum).
std::vector<double> rows_reference(const Tensor& a, const Tensor& b, Binary op) {
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  std::vector<double> out(va.size());
  for (size_t i = 0; i < va.size(); ++i) {
    const double y = vb[i % vb.size()], v = op == Binary::Add ? va[i] + y : va[i] - y;
    out[i] = a.dtype() == DType::Float32 ? static_cast<double>(static_cast<float>(v)) : v;
  }
  return out;
}

Tensor random_of(const Shape& shape, Generator& gen, DType dt) {
  return dt == DType::Int64 ? randint(-1000, 1000, shape, gen) : randn(shape, gen, dt);
}

TEST(ElementwiseRows, BroadcastRowOfEveryLength) {
  Generator gen(31);
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64})
    for (int64_t rows : {int64_t{1}, int64_t{5}, int64_t{32}, int64_t{3000}})
      for (int64_t row : {2, 3, 7, 8, 16, 30, 63, 64, 65, 200})
        for (Binary op : {Binary::Add, Binary::Sub}) {
          SCOPED_TRACE(std::string(dtype_name(dt)) + " rows " + std::to_string(rows) + " row " +
                       std::to_string(row) + (op == Binary::Add ? " add" : " sub"));
          const Tensor a = random_of({rows, row}, gen, dt), b = random_of({row}, gen, dt);
          const std::vector<double> want = rows_reference(a, b, op);
          EXPECT_EQ(binary(op, a, b).to_vector<double>(), want);
          // In place: the output is the first operand.
          const Tensor inplace = cast(a, dt);
          binary_inplace(op, inplace, b);
          EXPECT_EQ(inplace.to_vector<double>(), want);
        }
}

TEST(ElementwiseRows, SameResultOnOneAndTwoThreads) {
  Generator gen(32);
  const Tensor a = randn({5000, 30}, gen), b = randn({30}, gen);
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<double> one = binary(Binary::Add, a, b).to_vector<double>();
  set_num_threads(2);
  const std::vector<double> two = binary(Binary::Add, a, b).to_vector<double>();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, rows_reference(a, b, Binary::Add));
}

TEST(ElementwiseRows, OneElementFirstOperand) {
  Generator gen(33);
  const Tensor a = randn({1, 1}, gen, DType::Float64), b = randn({5}, gen, DType::Float64);
  const std::vector<double> vb = b.to_vector<double>();
  const double x = a.item();
  const std::vector<double> got = binary(Binary::Sub, a, b).to_vector<double>();
  ASSERT_EQ(got.size(), vb.size());
  for (size_t j = 0; j < vb.size(); ++j) EXPECT_EQ(got[j], x - vb[j]);
}

// a += α·b on separate flat arrays (the optimizers' path): small, split over threads, and
// every dtype; then the same update through an overlapping view, which must read b before
// writing. A float element is a + α·b rounded once (where the compiler fuses the multiply-add,
// as PyTorch's vectorized add_ does) or twice (product, then sum).
template <typename T>
void check_axpy(int64_t n, double alpha) {
  Generator gen(static_cast<uint64_t>(n));
  const DType dt = dtype_of<T>();
  const Tensor a = dt == DType::Int64 ? randint(-1000, 1000, {n}, gen) : randn({n}, gen, dt);
  const Tensor b = dt == DType::Int64 ? randint(-1000, 1000, {n}, gen) : randn({n}, gen, dt);
  const std::vector<T> va = a.to_vector<T>(), vb = b.to_vector<T>();
  axpy_inplace(a, b, alpha);
  const std::vector<T> got = a.to_vector<T>();
  const T s = static_cast<T>(alpha);
  for (size_t i = 0; i < va.size(); ++i) {
    const T twice = static_cast<T>(va[i] + static_cast<T>(s * vb[i]));
    if constexpr (std::is_floating_point_v<T>) {
      if (got[i] == std::fma(s, vb[i], va[i])) continue;
    }
    ASSERT_EQ(got[i], twice) << "n=" << n << " at " << i;
  }
}

TEST(Axpy, SeparateFlatArrays) {
  for (int64_t n : {int64_t{1}, int64_t{37}, int64_t{300000}}) {
    check_axpy<float>(n, -0.1);
    check_axpy<double>(n, 0.3);
    check_axpy<int64_t>(n, 3.0);
  }
}

TEST(Axpy, OverlappingViewReadsTheSourceFirst) {
  // a[1:] += 2·a[:-1]: every element gets twice its original left neighbour.
  const Tensor base = arange(6, DType::Float64);
  const Tensor dst = Tensor::view_of(base, 1, {5}, {1});
  const Tensor src = Tensor::view_of(base, 0, {5}, {1});
  axpy_inplace(dst, src, 2.0);
  EXPECT_EQ(base.to_vector<double>(), (std::vector<double>{0, 1, 4, 7, 10, 13}));
}

}  // namespace
}  // namespace descent::kernels
