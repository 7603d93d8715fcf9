// Matrix products against naive double-precision loops: every operand layout (row-major,
// transposed, strided, size-1 dimensions with arbitrary strides), broadcast batches, the tiny
// kernel in each instruction-set variant and the BLAS path, zero sizes, and every error path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../src/kernels/small_gemm.h"
#include "descent/core/broadcast.h"
#include "descent/core/rng.h"
#include "descent/core/tensor.h"
#include "descent/kernels/matmul.h"
#include "descent/kernels/parallel.h"

namespace descent::kernels {
namespace {

double get(const Tensor& t, int64_t off) {
  return dispatch(t.dtype(), [&](auto z) {
    using T = decltype(z);
    return static_cast<double>(static_cast<const T*>(t.storage()->data())[off]);
  });
}

// Reference a @ b in double with NumPy batch broadcasting; row-major output values.
std::vector<double> reference(const Tensor& a, const Tensor& b) {
  const size_t ra = a.shape().size(), rb = b.shape().size();
  const int64_t m = a.shape()[ra - 2], k = a.shape()[ra - 1], n = b.shape()[rb - 1];
  const Shape ab(std::span<const int64_t>(a.shape().data(), ra - 2));
  const Shape bb(std::span<const int64_t>(b.shape().data(), rb - 2));
  const Shape batch = broadcast_shapes(ab, bb, "reference");
  const Shape as =
      broadcast_strides(ab, Shape(std::span<const int64_t>(a.strides().data(), ra - 2)), batch);
  const Shape bs =
      broadcast_strides(bb, Shape(std::span<const int64_t>(b.strides().data(), rb - 2)), batch);
  std::vector<double> out;
  for (int64_t t = 0; t < batch.numel(); ++t) {
    int64_t rest = t, ao = a.offset(), bo = b.offset();
    for (size_t d = batch.size(); d-- > 0;) {
      ao += (rest % batch[d]) * as[d];
      bo += (rest % batch[d]) * bs[d];
      rest /= batch[d];
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += get(a, ao + i * a.strides()[ra - 2] + p * a.strides()[ra - 1]) *
               get(b, bo + p * b.strides()[rb - 2] + j * b.strides()[rb - 1]);
        out.push_back(s);
      }
  }
  return out;
}

// Σ|a||b| per output, the scale of the rounding error of a dot product.
std::vector<double> magnitude(const Tensor& a, const Tensor& b) {
  std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  for (double& v : va) v = std::fabs(v);
  for (double& v : vb) v = std::fabs(v);
  const Tensor pa = from_vector(va, a.shape(), DType::Float64);
  const Tensor pb = from_vector(vb, b.shape(), DType::Float64);
  return reference(pa, pb);
}

void expect_matmul(const Tensor& a, const Tensor& b, const std::string& what = "") {
  SCOPED_TRACE(what + " a " + a.shape().str() + " strides " + a.strides().str() + ", b " +
               b.shape().str() + " strides " + b.strides().str());
  const Tensor c = kernels::matmul(a, b);
  const std::vector<double> want = reference(a, b), scale = magnitude(a, b);
  const std::vector<double> got = c.to_vector<double>();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.dtype(), a.dtype());
  ASSERT_EQ(got.size(), want.size());
  const double eps = a.dtype() == DType::Float32 ? 1e-6 : 1e-14;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 4 * eps * (scale[i] + 1e-30)) << "at " << i;
}

Tensor transpose_view(const Tensor& t) {
  Shape s = t.shape(), st = t.strides();
  const size_t r = s.size();
  std::swap(s[r - 1], s[r - 2]);
  std::swap(st[r - 1], st[r - 2]);
  return Tensor::view_of(t, t.offset(), s, st);
}

// A [rows, cols] matrix stored transposed: contiguous [cols, rows] viewed as its transpose.
Tensor stored_transposed(int64_t rows, int64_t cols, Generator& gen, DType dt) {
  return transpose_view(randn({cols, rows}, gen, dt));
}

// A [rows, cols] matrix that BLAS cannot read: every other column of a wider matrix.
Tensor every_other_column(int64_t rows, int64_t cols, Generator& gen, DType dt) {
  const Tensor wide = randn({rows, 2 * cols + 1}, gen, dt);
  return Tensor::view_of(wide, wide.offset() + 1, {rows, cols}, {2 * cols + 1, 2});
}

struct Dims {
  int64_t m, n, k;
};

// Small (tiny kernel) and large (BLAS) products, including the MLP's shapes.
const std::vector<Dims> kDims = {
    {1, 1, 1},   {3, 5, 7},   {32, 16, 2},  {32, 16, 16}, {32, 3, 16},  {16, 16, 32}, {16, 3, 32},
    {2, 16, 32}, {33, 17, 9}, {1, 300, 40}, {300, 1, 40}, {64, 80, 70}, {7, 129, 65}};

TEST(Matmul, EveryLayoutMatchesReference) {
  Generator gen(11);
  for (DType dt : {DType::Float32, DType::Float64})
    for (const Dims& d : kDims) {
      const std::vector<std::pair<std::string, Tensor>> as = {
          {"row-major", randn({d.m, d.k}, gen, dt)},
          {"transposed", stored_transposed(d.m, d.k, gen, dt)},
          {"strided", every_other_column(d.m, d.k, gen, dt)}};
      const std::vector<std::pair<std::string, Tensor>> bs = {
          {"row-major", randn({d.k, d.n}, gen, dt)},
          {"transposed", stored_transposed(d.k, d.n, gen, dt)},
          {"strided", every_other_column(d.k, d.n, gen, dt)}};
      for (const auto& [na, a] : as)
        for (const auto& [nb, b] : bs) expect_matmul(a, b, na + " @ " + nb);
    }
}

TEST(Matmul, SizeOneDimensionsWithArbitraryStrides) {
  // BLAS requires ld >= max(1, cols); the stride of a size-1 dimension must not leak into it.
  Generator gen(12);
  for (DType dt : {DType::Float32, DType::Float64})
    for (int64_t big : {int64_t{5}, int64_t{300}}) {  // tiny kernel, BLAS
      const Tensor row = randn({big}, gen, dt);
      const Tensor col = randn({big}, gen, dt);
      const Tensor mat = randn({big, big}, gen, dt);
      // [1, K] with a zero or huge row stride, and [K, 1] with a strange column stride.
      const Tensor a1 = Tensor::view_of(row, row.offset(), {1, big}, {0, 1});
      const Tensor a2 = Tensor::view_of(row, row.offset(), {1, big}, {12345, 1});
      const Tensor b1 = Tensor::view_of(col, col.offset(), {big, 1}, {1, 0});
      const Tensor b2 = Tensor::view_of(col, col.offset(), {big, 1}, {1, 777});
      const Tensor b3 = Tensor::view_of(row, row.offset(), {1, big}, {3, 1});
      for (const Tensor& a : {a1, a2}) {
        expect_matmul(a, mat);
        expect_matmul(a, b1);
        expect_matmul(a, b2);
      }
      expect_matmul(b1, b3);
      expect_matmul(b2, b3);
      expect_matmul(mat, b1);
      expect_matmul(mat, b2);
    }
}

TEST(Matmul, BroadcastBatches) {
  Generator gen(13);
  for (DType dt : {DType::Float32, DType::Float64}) {
    expect_matmul(randn({2, 1, 3, 4}, gen, dt), randn({5, 4, 2}, gen, dt));
    expect_matmul(randn({3, 4}, gen, dt), randn({2, 4, 5}, gen, dt));
    // [B, M, K] @ [K, N]: the batch folds into the rows.
    expect_matmul(randn({4, 8, 6}, gen, dt), randn({6, 5}, gen, dt));
    expect_matmul(randn({2, 3, 40, 50}, gen, dt), randn({50, 60}, gen, dt));
    expect_matmul(randn({2, 3, 40, 50}, gen, dt), randn({1, 50, 60}, gen, dt));
    expect_matmul(randn({3, 1, 5, 4}, gen, dt), randn({1, 1, 4, 2}, gen, dt));
    // A batch that cannot fold: a transposed batch dimension.
    const Tensor a = randn({5, 4, 6}, gen, dt);
    const Tensor a_perm = Tensor::view_of(a, a.offset(), {4, 5, 6}, {6, 24, 1});
    expect_matmul(a_perm, randn({6, 3}, gen, dt));
    expect_matmul(a_perm, randn({6, 70}, gen, dt));
    // Large batched products on the BLAS path, with a transposed operand.
    expect_matmul(randn({3, 40, 50}, gen, dt), transpose_view(randn({3, 60, 50}, gen, dt)));
    // A broadcast (stride 0) batch dimension of A under a batched B.
    const Tensor one = randn({1, 7, 9}, gen, dt);
    const Tensor expanded = Tensor::view_of(one, one.offset(), {6, 7, 9}, {0, 9, 1});
    expect_matmul(expanded, randn({6, 9, 4}, gen, dt));
    expect_matmul(expanded, randn({9, 4}, gen, dt));
  }
}

TEST(Matmul, ManySmallBatchesInParallel) {
  Generator gen(14);
  expect_matmul(randn({300, 5, 6}, gen, DType::Float32), randn({300, 6, 7}, gen, DType::Float32));
}

TEST(Matmul, ZeroSizes) {
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    const Tensor k0 = kernels::matmul(ones({3, 0}, dt), ones({0, 4}, dt));
    EXPECT_EQ(k0.shape(), (Shape{3, 4}));
    EXPECT_EQ(k0.to_vector<double>(), std::vector<double>(12, 0.0));
    EXPECT_EQ(kernels::matmul(ones({0, 3}, dt), ones({3, 4}, dt)).shape(), (Shape{0, 4}));
    EXPECT_EQ(kernels::matmul(ones({2, 3}, dt), ones({3, 0}, dt)).shape(), (Shape{2, 0}));
    EXPECT_EQ(kernels::matmul(ones({0, 2, 3}, dt), ones({3, 4}, dt)).shape(), (Shape{0, 2, 4}));
    EXPECT_EQ(kernels::matmul(ones({5, 2, 0}, dt), ones({1, 0, 4}, dt)).to_vector<double>(),
              std::vector<double>(40, 0.0));
  }
}

TEST(Matmul, Int64IsExact) {
  Generator gen(15);
  const Tensor a = randint(-1000, 1000, {2, 3, 4}, gen);
  const Tensor b = randint(-1000, 1000, {4, 5}, gen);
  const std::vector<double> want = reference(a, b);
  const std::vector<int64_t> got = kernels::matmul(a, b).to_vector<int64_t>();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(static_cast<double>(got[i]), want[i]);
  EXPECT_EQ(kernels::matmul(transpose_view(b), transpose_view(a)).shape(), (Shape{2, 5, 3}));
  // Overflow wraps instead of being undefined.
  const int64_t big = std::numeric_limits<int64_t>::max();
  const Tensor o = from_vector(std::vector<int64_t>{big, big}, {1, 2});
  EXPECT_EQ(
      kernels::matmul(o, from_vector(std::vector<int64_t>{1, 1}, {2, 1})).to_vector<int64_t>()[0],
      -2);
}

TEST(Matmul, Errors) {
  try {
    kernels::matmul(zeros({2, 3}), zeros({4, 5}));
    FAIL() << "no exception";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("matmul: shapes [2, 3] and [4, 5]"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(kernels::matmul(zeros({3}), zeros({3, 2})), ShapeError);
  EXPECT_THROW(kernels::matmul(zeros({2, 3}), zeros({3})), ShapeError);
  EXPECT_THROW(kernels::matmul(scalar_tensor(1.0), zeros({1, 1})), ShapeError);
  EXPECT_THROW(kernels::matmul(zeros({2, 2, 3}), zeros({3, 3, 4})), ShapeError);
  EXPECT_THROW(kernels::matmul(zeros({2, 3}), zeros({3, 4}, DType::Float64)), DTypeError);
  EXPECT_THROW(kernels::matmul(zeros({2, 3}, DType::Int64), zeros({3, 4})), DTypeError);
  EXPECT_THROW(kernels::matmul(Tensor(), zeros({3, 4})), ValueError);
}

// matmul_2d's transpose flags read the stored matrix as its transpose: the same values (bit
// for bit) as matmul on a transposed view, for every flag pair, layout and dtype.
TEST(Matmul2d, TransposeFlagsMatchTransposedViews) {
  Generator gen(16);
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64})
    for (const Dims& d : kDims)
      for (int flags = 0; flags < 4; ++flags) {
        const bool ta = flags & 1, tb = flags & 2;
        const auto make = [&](int64_t rows, int64_t cols, bool strided) {
          if (dt == DType::Int64) return randint(-50, 50, {rows, cols}, gen);
          return strided ? every_other_column(rows, cols, gen, dt) : randn({rows, cols}, gen, dt);
        };
        for (bool strided : {false, true}) {
          const Tensor a = ta ? make(d.k, d.m, strided) : make(d.m, d.k, strided);
          const Tensor b = tb ? make(d.n, d.k, false) : make(d.k, d.n, false);
          SCOPED_TRACE("m=" + std::to_string(d.m) + " n=" + std::to_string(d.n) +
                       " k=" + std::to_string(d.k) + " flags " + std::to_string(flags) +
                       (strided ? " strided" : ""));
          const Tensor got = kernels::matmul_2d(a, ta, b, tb);
          const Tensor va = ta ? transpose_view(a) : a, vb = tb ? transpose_view(b) : b;
          EXPECT_EQ(got.shape(), (Shape{d.m, d.n}));
          EXPECT_EQ(got.to_vector<double>(), kernels::matmul(va, vb).to_vector<double>());
          expect_matmul(va, vb);
        }
      }
}

TEST(Matmul2d, ZeroSizesAndErrors) {
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    EXPECT_EQ(
        kernels::matmul_2d(ones({0, 3}, dt), true, ones({0, 4}, dt), false).to_vector<double>(),
        std::vector<double>(12, 0.0));
    EXPECT_EQ(kernels::matmul_2d(ones({2, 3}, dt), false, ones({0, 3}, dt), true).shape(),
              (Shape{2, 0}));
  }
  try {
    kernels::matmul_2d(zeros({2, 3}), true, zeros({2, 5}), true);
    FAIL() << "no exception";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 3]ᵀ and [2, 5]ᵀ are not aligned"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(kernels::matmul_2d(zeros({2, 2, 3}), false, zeros({3, 4}), false), ShapeError);
  EXPECT_THROW(kernels::matmul_2d(zeros({2, 3}), false, zeros({3}), false), ShapeError);
  EXPECT_THROW(kernels::matmul_2d(zeros({2, 3}), false, zeros({3, 4}, DType::Float64), false),
               DTypeError);
  EXPECT_THROW(kernels::matmul_2d(Tensor(), false, zeros({3, 4}), false), ValueError);
}

// gemm against the reference, in all four transpose combinations, with alpha and beta.
template <typename T>
void check_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, T beta) {
  SCOPED_TRACE(std::string("gemm ") + (ta ? "T" : "N") + (tb ? "T" : "N") +
               " m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k));
  Generator gen(static_cast<uint64_t>(m * 131 + n * 17 + k));
  const DType dt = dtype_of<T>();
  const int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
  const Tensor a = randn({ta ? k : m, lda}, gen, dt), b = randn({tb ? n : k, ldb}, gen, dt);
  Tensor c = randn({m, ldc}, gen, dt);
  const std::vector<double> c0 = c.to_vector<double>();
  gemm(ta, tb, m, n, k, alpha, a.data<T>(), lda, b.data<T>(), ldb, beta, c.data<T>(), ldc);
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>(),
                            vc = c.to_vector<double>();
  const double eps = std::is_same_v<T, float> ? 1e-6 : 1e-14;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t at = static_cast<size_t>(i * ldc + j);
      if (j >= n) {
        EXPECT_EQ(vc[at], c0[at]) << "padding written at " << i << "," << j;
        continue;
      }
      double s = 0, mag = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = va[static_cast<size_t>(ta ? p * lda + i : i * lda + p)];
        const double y = vb[static_cast<size_t>(tb ? j * ldb + p : p * ldb + j)];
        s += x * y;
        mag += std::fabs(x * y);
      }
      const double want = alpha * s + (beta == T(0) ? 0.0 : beta * c0[at]);
      ASSERT_NEAR(vc[at], want, 8 * eps * (std::fabs(alpha) * mag + std::fabs(beta * c0[at]) + 1))
          << "at " << i << "," << j;
    }
}

TEST(Gemm, TransposeCombinationsAlphaBeta) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Dims& d : {Dims{5, 7, 3}, Dims{32, 16, 16}, Dims{70, 60, 50}, Dims{4, 4, 0}}) {
        check_gemm<float>(ta, tb, d.m, d.n, d.k, 1.0f, 0.0f);
        check_gemm<float>(ta, tb, d.m, d.n, d.k, -0.5f, 2.0f);
        check_gemm<double>(ta, tb, d.m, d.n, d.k, 1.5, 0.0);
        check_gemm<double>(ta, tb, d.m, d.n, d.k, 1.0, -1.0);
      }
}

// Products large enough to be cut into one block of C per thread (by rows when m >= n, by
// columns otherwise), with padded leading dimensions, alpha and beta: right with 2 and 3
// threads, and bit for bit the same whatever the thread count.
TEST(Gemm, SharedOverThreadsMatchesReferenceAtEveryThreadCount) {
  const int saved = num_threads();
  const std::vector<Dims> shapes = {{600, 300, 30}, {150, 700, 20}, {200, 200, 40}, {97, 800, 25}};
  const auto product = [](bool ta, bool tb, const Dims& d) {
    Generator gen(static_cast<uint64_t>(d.m + 7 * d.n + 31 * d.k));
    const int64_t lda = (ta ? d.m : d.k) + 3, ldb = (tb ? d.k : d.n) + 1, ldc = d.n + 2;
    const Tensor a = randn({ta ? d.k : d.m, lda}, gen), b = randn({tb ? d.n : d.k, ldb}, gen);
    Tensor c = randn({d.m, ldc}, gen);
    gemm(ta, tb, d.m, d.n, d.k, 0.5f, a.data<float>(), lda, b.data<float>(), ldb, -1.0f,
         c.data<float>(), ldc);
    return c.to_vector<float>();
  };
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (const Dims& d : shapes) {
        set_num_threads(1);
        const std::vector<float> one = product(ta, tb, d);
        for (int threads : {2, 3}) {
          set_num_threads(threads);
          check_gemm<float>(ta, tb, d.m, d.n, d.k, 0.5f, -1.0f);
          EXPECT_EQ(product(ta, tb, d), one) << threads << " threads, m=" << d.m << " n=" << d.n;
        }
      }
  set_num_threads(saved);
}

// Products whose C is too small to cut into blocks but whose inner dimension is long sum
// slices of it on separate threads: right with 2 and 3 threads, with alpha and beta and padded
// leading dimensions, and the same bits on every repeat at a given thread count.
TEST(Gemm, InnerSlicesOverThreadsMatchReference) {
  const int saved = num_threads();
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (const Dims& d : {Dims{128, 128, 256}, Dims{100, 150, 400}}) {
          check_gemm<float>(ta, tb, d.m, d.n, d.k, 0.5f, -1.0f);
          check_gemm<double>(ta, tb, d.m, d.n, d.k, 1.0, 0.0);
          const Tensor a = randn({d.m, d.k}), b = randn({d.k, d.n});
          EXPECT_EQ(kernels::matmul(a, b).to_vector<float>(),
                    kernels::matmul(a, b).to_vector<float>());
        }
  }
  set_num_threads(saved);
}

TEST(Gemm, BetaZeroIgnoresNanInC) {
  const std::vector<float> a(6, 1.0f), b(6, 1.0f);
  for (int64_t k : {int64_t{3}, int64_t{0}}) {
    std::vector<float> c(4, std::numeric_limits<float>::quiet_NaN());
    gemm(false, false, 2, 2, k, 1.0f, a.data(), 3, b.data(), 2, 0.0f, c.data(), 2);
    for (float v : c) EXPECT_EQ(v, static_cast<float>(k));
  }
}

TEST(Gemm, InvalidArguments) {
  std::vector<double> a(16), b(16), c(16);
  EXPECT_THROW(gemm(false, false, -1, 2, 2, 1.0, a.data(), 2, b.data(), 2, 0.0, c.data(), 2),
               ValueError);
  EXPECT_THROW(gemm(false, false, 2, 3, 4, 1.0, a.data(), 3, b.data(), 3, 0.0, c.data(), 3),
               ValueError);  // lda < k
  EXPECT_THROW(gemm(true, false, 2, 3, 4, 1.0, a.data(), 1, b.data(), 3, 0.0, c.data(), 3),
               ValueError);  // lda < m (transposed)
  EXPECT_THROW(gemm(false, true, 2, 3, 4, 1.0, a.data(), 4, b.data(), 3, 0.0, c.data(), 3),
               ValueError);  // ldb < k (transposed)
  EXPECT_THROW(gemm(false, false, 2, 3, 4, 1.0, a.data(), 4, b.data(), 3, 0.0, c.data(), 2),
               ValueError);  // ldc < n
  std::vector<float> f(4);
  EXPECT_THROW(gemm(false, false, 1, 1, 1, 1.0f, f.data(), 0, f.data(), 1, 0.0f, f.data(), 1),
               ValueError);
}

// The tiny kernel in every instruction-set variant this CPU has, on arbitrary strides
// (including C written transposed, which the narrow-n plan uses) and with alpha and beta.
template <typename T>
void check_small_gemm_variants() {
  const DType dt = dtype_of<T>();
  Generator gen(21);
  const std::vector<Dims> dims = {
      {1, 1, 1},
      {1, 16, 1},
      {8, 16, 2},
      {32, 16, 2},
      {32, 16, 16},
      {32, 3, 16},
      {3, 32, 16},
      {9, 33, 5},
      {17, 40, 11},
      {1, 1024, 32},
      {256, 1, 16},
      {5, 5, 0},
      {13, 20, 30},
      // Transposed B packed in whole 8 × 8 (and 4 × 4) blocks, with ragged edges.
      {8, 8, 8},
      {24, 17, 16},
      {40, 9, 24},
      {6, 32, 19},
      // Every leftover row count (m mod 4, m mod 8) takes one tile of exactly those rows.
      {15, 20, 7},
      {12, 9, 3},
      {31, 3, 16}};
  for (const Dims& d : dims)
    for (int layout = 0; layout < 8; ++layout) {
      const bool ta = layout & 1, tb = layout & 2, tc = layout & 4;
      const Tensor a = ta ? randn({d.k, d.m}, gen, dt) : randn({d.m, d.k}, gen, dt);
      const Tensor b = tb ? randn({d.n, d.k}, gen, dt) : randn({d.k, d.n}, gen, dt);
      const int64_t a_rs = ta ? 1 : d.k, a_cs = ta ? d.m : 1;
      const int64_t b_rs = tb ? 1 : d.n, b_cs = tb ? d.k : 1;
      const int64_t c_rs = tc ? 1 : d.n, c_cs = tc ? d.m : 1;
      const Tensor c0 = randn({d.m * d.n}, gen, dt);
      const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>(),
                                vc0 = c0.to_vector<double>();
      for (const auto& [alpha, beta] : {std::pair<T, T>{1, 0}, std::pair<T, T>{T(0.5), T(-2)}}) {
        const Tensor c = Tensor::empty({d.m * d.n}, dt);
        std::copy(vc0.begin(), vc0.end(), c.data<T>());  // converts double -> T
        small_gemm(d.m, d.n, d.k, alpha, a.data<T>(), a_rs, a_cs, b.data<T>(), b_rs, b_cs, beta,
                   c.data<T>(), c_rs, c_cs);
        const std::vector<double> vc = c.to_vector<double>();
        for (int64_t i = 0; i < d.m; ++i)
          for (int64_t j = 0; j < d.n; ++j) {
            double s = 0, mag = 0;
            for (int64_t p = 0; p < d.k; ++p) {
              const double x = va[static_cast<size_t>(i * a_rs + p * a_cs)];
              const double y = vb[static_cast<size_t>(p * b_rs + j * b_cs)];
              s += x * y;
              mag += std::fabs(x * y);
            }
            const size_t at = static_cast<size_t>(i * c_rs + j * c_cs);
            const double want = alpha * s + beta * vc0[at];
            const double eps = std::is_same_v<T, float> ? 1e-6 : 1e-14;
            ASSERT_NEAR(vc[at], want, 8 * eps * (mag + std::fabs(vc0[at]) + 1))
                << "m=" << d.m << " n=" << d.n << " k=" << d.k << " layout " << layout << " at "
                << i << "," << j;
          }
      }
    }
}

TEST(SmallGemm, EveryInstructionSetVariant) {
  const SmallGemmIsa best = small_gemm_isa();
  for (SmallGemmIsa isa : {SmallGemmIsa::Baseline, SmallGemmIsa::Avx2, SmallGemmIsa::Avx512}) {
    set_small_gemm_isa(isa);
    if (small_gemm_isa() != isa) continue;  // not supported here
    SCOPED_TRACE("isa " + std::to_string(static_cast<int>(isa)));
    check_small_gemm_variants<float>();
    check_small_gemm_variants<double>();
  }
  set_small_gemm_isa(SmallGemmIsa::Auto);
  EXPECT_EQ(small_gemm_isa(), best);
}

}  // namespace
}  // namespace descent::kernels
