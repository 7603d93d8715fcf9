// Elementwise kernels on the layouts with their own loops: a row (a bias) broadcast along the
// leading dimensions of the other operand, for every row length around the repeated-period
// threshold, in and out of place, split over the pool or not, against plain per-element sums.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
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

}  // namespace
}  // namespace descent::kernels
