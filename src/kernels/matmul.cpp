#include "descent/kernels/matmul.h"

// OpenBLAS's configuration header declares C99 complex types, which clang flags under -Wpedantic.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc99-extensions"
#endif
#include <cblas.h>
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "descent/core/broadcast.h"
#include "descent/kernels/elementwise.h"
#include "descent/kernels/parallel.h"
#include "small_gemm.h"

namespace descent::kernels {
namespace {

// How BLAS can read a [rows, cols] operand with element strides (rs, cs): as it is (NoTrans,
// leading dimension rs), as the transpose of a row-major matrix (Trans, leading dimension cs),
// or not at all (it must be copied). The stride of a size-1 dimension is meaningless and may
// be anything, so it is replaced by what BLAS expects (ld >= max(1, columns as stored)).
struct BlasLayout {
  bool ok = false;
  bool trans = false;
  int64_t ld = 0;
};

BlasLayout blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  const auto fits = [](int64_t v) { return v <= INT_MAX; };
  if ((cols == 1 || cs == 1) && (rows == 1 || rs >= std::max<int64_t>(1, cols))) {
    const int64_t ld = rows == 1 ? std::max<int64_t>(1, cols) : rs;
    if (fits(ld)) return {true, false, ld};
  }
  if ((rows == 1 || rs == 1) && (cols == 1 || cs >= std::max<int64_t>(1, rows))) {
    const int64_t ld = cols == 1 ? std::max<int64_t>(1, rows) : cs;
    if (fits(ld)) return {true, true, ld};
  }
  return {};
}

// Checks that the sizes fit BLAS's int arguments.
void check_blas_sizes(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc) {
  if (std::max({m, n, k, lda, ldb, ldc}) > INT_MAX)
    throw ValueError("gemm: sizes beyond the range of 32-bit BLAS (m=" + std::to_string(m) +
                     ", n=" + std::to_string(n) + ", k=" + std::to_string(k) + ")");
}

// One BLAS call on the calling thread (OpenBLAS runs single-threaded, see parallel.cpp).
void blas_call(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
               int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
void blas_call(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
               int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// Products below this many multiply-adds (about 10 µs on one core) stay on the calling thread.
constexpr int64_t kSharedGemmWork = int64_t{1} << 20;
// Blocks of C start at multiples of this, the width of BLAS's register tiles.
constexpr int64_t kBlockAlign = 16;
// Both sides of every block are at least this long. Measured with this machine's OpenBLAS
// (0.3.21): two concurrent single-threaded calls whose C has a side below 96 run one after the
// other (a pair of 80x128x256 products takes 2.0x one of them, a pair of 96x128x256 1.0x).
constexpr int64_t kMinBlockSide = 96;

// Slices of the inner dimension are at least this long.
constexpr int64_t kMinInnerSlice = 64;

// C = α·op(A)·op(B) + β·C for a C too small to cut into blocks (both sides under two blocks'
// worth) but with a long inner dimension: the sum over k is cut into `pieces` slices,
// op(A)[:, slice]·op(B)[slice, :], one BLAS call each on the pool; the first adds into C with β,
// the others go to scratch and are added to C in order afterwards. The slices are fixed by
// the sizes and the thread count, so results are deterministic for a given thread count (they
// differ from one thread's only in the order of the sums).
template <typename T>
void blas_gemm_inner_split(bool ta, bool tb, int64_t m, int64_t n, int64_t k, int64_t pieces,
                           T alpha, const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c,
                           int64_t ldc) {
  // Left uninitialized: every slice overwrites its part (β = 0).
  const std::unique_ptr<T[]> scratch(new T[static_cast<size_t>((pieces - 1) * m * n)]);
  parallel_tasks(pieces, [&](int64_t i) {
    const int64_t lo = k * i / pieces, size = k * (i + 1) / pieces - lo;
    const T* ai = a + (ta ? lo * lda : lo);  // columns lo.. of op(A)
    const T* bi = b + (tb ? lo : lo * ldb);  // rows lo.. of op(B)
    if (i == 0) return blas_call(ta, tb, m, n, size, alpha, ai, lda, bi, ldb, beta, c, ldc);
    blas_call(ta, tb, m, n, size, alpha, ai, lda, bi, ldb, T(0), scratch.get() + (i - 1) * m * n,
              n);
  });
  for (int64_t i = 1; i < pieces; ++i) {
    const T* part = scratch.get() + (i - 1) * m * n;
    for (int64_t r = 0; r < m; ++r)
      for (int64_t j = 0; j < n; ++j) c[r * ldc + j] += part[r * n + j];
  }
}

// C = α·op(A)·op(B) + β·C, cut into one block of C per thread (rows of C when it has at least
// as many rows as columns, columns otherwise), each block one single-threaded BLAS call on
// descent's pool. Every element of C is still computed by one call over the whole of k, so
// the result does not depend on the thread count. A C too small to cut sums slices of k
// instead (blas_gemm_inner_split).
//
// Why not OpenBLAS's own threads: a training step or a Hessian-vector product alternates
// products with elementwise loops, so two thread teams would share the cores, and OpenBLAS's
// workers spin for a long while after each product, taking a core from descent's workers.
// Measured on the 2-core machine, one HVP of a 784-256-128-10 MLP over 1000 samples took a
// median 1.44x the time of its 14 BLAS calls made back to back; with one team, 1.15x.
template <typename T>
void blas_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
               const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  check_blas_sizes(m, n, k, lda, ldb, ldc);
  const bool by_rows = m >= n;
  const int64_t extent = by_rows ? m : n;
  const int64_t pieces =
      std::min<int64_t>({num_threads(), m * n * k / kSharedGemmWork, extent / kMinBlockSide});
  if (pieces <= 1 || std::min(m, n) < kMinBlockSide) {
    const int64_t slices =
        std::min<int64_t>({num_threads(), m * n * k / (2 * kSharedGemmWork), k / kMinInnerSlice});
    if (std::min(m, n) >= kMinBlockSide && slices > 1)
      return blas_gemm_inner_split(ta, tb, m, n, k, slices, alpha, a, lda, b, ldb, beta, c, ldc);
    return blas_call(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  const auto start = [&](int64_t i) {
    return i == pieces ? extent : (extent * i / pieces) / kBlockAlign * kBlockAlign;
  };
  parallel_tasks(pieces, [&](int64_t i) {
    const int64_t lo = start(i), size = start(i + 1) - lo;
    if (by_rows) {  // rows lo.. of op(A) and of C
      blas_call(ta, tb, size, n, k, alpha, a + (ta ? lo : lo * lda), lda, b, ldb, beta,
                c + lo * ldc, ldc);
    } else {  // columns lo.. of op(B) and of C
      blas_call(ta, tb, m, size, k, alpha, a, lda, b + (tb ? lo * ldb : lo), ldb, beta, c + lo,
                ldc);
    }
  });
}

template <typename T>
void gemm_checked(const char* op, bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha,
                  const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m < 0 || n < 0 || k < 0)
    throw ValueError(std::string(op) + ": negative size (m=" + std::to_string(m) +
                     ", n=" + std::to_string(n) + ", k=" + std::to_string(k) + ")");
  const auto check_ld = [&](const char* name, int64_t ld, int64_t need) {
    if (ld < std::max<int64_t>(1, need))
      throw ValueError(std::string(op) + ": " + name + "=" + std::to_string(ld) +
                       " is smaller than max(1, " + std::to_string(need) + ")");
  };
  check_ld("lda", lda, ta ? m : k);
  check_ld("ldb", ldb, tb ? k : n);
  check_ld("ldc", ldc, n);
  if (m == 0 || n == 0) return;
  const int64_t a_rs = ta ? 1 : lda, a_cs = ta ? lda : 1, b_rs = tb ? 1 : ldb, b_cs = tb ? ldb : 1;
  const SmallGemmPlan plan = plan_small_gemm(m, n, k, a_rs, a_cs, b_rs, b_cs, ldc, 1, sizeof(T));
  if (plan.suits) {
    small_gemm(plan, m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, beta, c, ldc, 1);
    return;
  }
  blas_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// A run of dimensions (sizes, strides) that can be walked as one dimension of `size` elements
// with stride `stride`; false when they cannot. Size-1 dimensions are ignored.
bool merge_dims(const int64_t* sizes, const int64_t* strides, size_t n, int64_t& size,
                int64_t& stride) {
  size = 1;
  stride = 0;
  bool any = false;
  for (size_t i = n; i-- > 0;) {
    if (sizes[i] == 1) continue;
    if (!any) {
      stride = strides[i];
      any = true;
    } else if (strides[i] != stride * size) {
      return false;
    }
    size *= sizes[i];
  }
  return true;
}

// The element offset of batch entry t in an operand with the given (broadcast) batch strides.
void batch_offsets(const Shape& batch, const Shape& strides, std::vector<int64_t>& out) {
  const int64_t nb = batch.numel();
  out.resize(static_cast<size_t>(nb));
  for (int64_t t = 0; t < nb; ++t) {
    int64_t rest = t, off = 0;
    for (size_t d = batch.size(); d-- > 0;) {
      off += (rest % batch[d]) * strides[d];
      rest /= batch[d];
    }
    out[static_cast<size_t>(t)] = off;
  }
}

// Operand geometry for matmul: matrix strides and batch strides broadcast to the output batch.
// Refers to the caller's tensor (no reference-count traffic) unless it had to be copied.
struct Operand {
  const Tensor* t;
  Tensor copy;
  int64_t rs = 0, cs = 0;
  Shape batch_strides;  // empty when there is no batch

  Operand(const Tensor& x, const Shape& batch) : t(&x) { describe(batch); }
  Operand(const Operand&) = delete;
  Operand& operator=(const Operand&) = delete;

  // Replaces the operand by a row-major copy.
  void make_contiguous(const Shape& batch) {
    copy = contiguous(*t);
    t = &copy;
    describe(batch);
  }

 private:
  void describe(const Shape& batch) {
    const size_t r = t->shape().size();
    rs = t->strides()[r - 2];
    cs = t->strides()[r - 1];
    if (!batch.empty())
      batch_strides =
          broadcast_strides(Shape(std::span<const int64_t>(t->shape().data(), r - 2)),
                            Shape(std::span<const int64_t>(t->strides().data(), r - 2)), batch);
  }
};

template <typename T>
void matmul_floating(Operand& a, Operand& b, const Tensor& out, const Shape& batch, int64_t m,
                     int64_t n, int64_t k) {
  const int64_t nb = batch.numel();
  // A batch-broadcast B under a batched A is one product with the batch folded into A's rows,
  // when those rows are evenly spaced ([B, M, K] @ [K, N] as [B·M, K] @ [K, N]).
  bool b_broadcast = true;
  for (size_t d = 0; d < batch.size(); ++d)
    b_broadcast = b_broadcast && (batch[d] == 1 || b.batch_strides[d] == 0);
  int64_t rows = m, a_rs = a.rs;
  bool folded = false;
  const auto fold = [&] {
    if (nb == 1 || !b_broadcast) return;
    Shape sizes = batch, strides = a.batch_strides;
    sizes.push_back(m);
    strides.push_back(a.rs);
    folded = merge_dims(sizes.data(), strides.data(), sizes.size(), rows, a_rs);
    if (!folded) rows = m, a_rs = a.rs;
  };
  fold();
  const SmallGemmPlan plan = plan_small_gemm(rows, n, k, a_rs, a.cs, b.rs, b.cs, n, 1, sizeof(T));
  const bool small = plan.suits;
  if (!small) {
    // BLAS reads only NoTrans or Trans layouts; anything else is copied to row-major first.
    if (!blas_layout(rows, k, a_rs, a.cs).ok) {
      a.make_contiguous(batch);
      rows = m, a_rs = a.rs;
      fold();
    }
    if (!blas_layout(k, n, b.rs, b.cs).ok) b.make_contiguous(batch);
  }
  const T* pa = a.t->data<T>();
  const T* pb = b.t->data<T>();
  T* pc = out.data<T>();

  const auto one = [&](int64_t mm, const T* x, const T* y, T* z) {
    if (small) {
      small_gemm(plan, mm, n, k, T(1), x, a_rs, a.cs, y, b.rs, b.cs, T(0), z, n, 1);
    } else {
      const BlasLayout la = blas_layout(mm, k, a_rs, a.cs), lb = blas_layout(k, n, b.rs, b.cs);
      blas_gemm(la.trans, lb.trans, mm, n, k, T(1), x, la.ld, y, lb.ld, T(0), z, n);
    }
  };
  if (folded || nb == 1) return one(rows, pa, pb, pc);

  std::vector<int64_t> aoff, boff;
  batch_offsets(batch, a.batch_strides, aoff);
  batch_offsets(batch, b.batch_strides, boff);
  const auto run = [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t)
      one(m, pa + aoff[static_cast<size_t>(t)], pb + boff[static_cast<size_t>(t)], pc + t * m * n);
  };
  if (small) {
    // Tiny products are spread over the pool; each BLAS call threads itself.
    parallel_for(nb, 4 * kSmallGemmMaxWork / std::max<int64_t>(1, m * n * k), run);
  } else {
    run(0, nb);
  }
}

void matmul_int64(const Operand& a, const Operand& b, const Tensor& out, const Shape& batch,
                  int64_t m, int64_t n, int64_t k) {
  std::vector<int64_t> aoff, boff;
  batch_offsets(batch, a.batch_strides, aoff);
  batch_offsets(batch, b.batch_strides, boff);
  const int64_t* pa = a.t->data<int64_t>();
  const int64_t* pb = b.t->data<int64_t>();
  int64_t* pc = out.data<int64_t>();
  // Arithmetic in uint64 so that overflow wraps (as in PyTorch) instead of being undefined.
  std::vector<uint64_t> row(static_cast<size_t>(n));
  for (int64_t t = 0; t < batch.numel(); ++t) {
    const int64_t* x = pa + aoff[static_cast<size_t>(t)];
    const int64_t* y = pb + boff[static_cast<size_t>(t)];
    for (int64_t i = 0; i < m; ++i) {
      std::fill(row.begin(), row.end(), uint64_t{0});
      for (int64_t p = 0; p < k; ++p) {
        const uint64_t av = static_cast<uint64_t>(x[i * a.rs + p * a.cs]);
        for (int64_t j = 0; j < n; ++j)
          row[static_cast<size_t>(j)] += av * static_cast<uint64_t>(y[p * b.rs + j * b.cs]);
      }
      int64_t* z = pc + (t * m + i) * n;
      for (int64_t j = 0; j < n; ++j) z[j] = static_cast<int64_t>(row[static_cast<size_t>(j)]);
    }
  }
}

// op(x) of a matrix x, op = transpose when `trans`: its sizes and element strides.
struct MatrixGeometry {
  int64_t rows, cols, rs, cs;
};

MatrixGeometry matrix_geometry(const Tensor& x, bool trans) {
  const int64_t r = x.shape()[0], c = x.shape()[1], rs = x.strides()[0], cs = x.strides()[1];
  return trans ? MatrixGeometry{c, r, cs, rs} : MatrixGeometry{r, c, rs, cs};
}

// A row-major copy of op(x) when BLAS cannot read it as it is; `g` then describes the copy.
template <typename T>
const T* blas_readable(const Tensor& x, MatrixGeometry& g, Tensor& copy) {
  if (blas_layout(g.rows, g.cols, g.rs, g.cs).ok) return static_cast<const T*>(x.raw_data());
  copy = contiguous(Tensor::view_of(x, x.offset(), Shape{g.rows, g.cols}, Shape{g.rs, g.cs}));
  g.rs = g.cols, g.cs = 1;
  return static_cast<const T*>(copy.raw_data());
}

// C = op(a)·op(b) for matrices: the tiny-product kernel with one plan, or BLAS.
template <typename T>
void matmul_2d_floating(const Tensor& a, MatrixGeometry ga, const Tensor& b, MatrixGeometry gb,
                        const Tensor& out) {
  const int64_t m = ga.rows, k = ga.cols, n = gb.cols;
  T* pc = static_cast<T*>(out.raw_data());
  const SmallGemmPlan plan = plan_small_gemm(m, n, k, ga.rs, ga.cs, gb.rs, gb.cs, n, 1, sizeof(T));
  if (plan.suits) {
    small_gemm(plan, m, n, k, T(1), static_cast<const T*>(a.raw_data()), ga.rs, ga.cs,
               static_cast<const T*>(b.raw_data()), gb.rs, gb.cs, T(0), pc, n, 1);
    return;
  }
  Tensor a_copy, b_copy;
  const T* pa = blas_readable<T>(a, ga, a_copy);
  const T* pb = blas_readable<T>(b, gb, b_copy);
  const BlasLayout la = blas_layout(m, k, ga.rs, ga.cs), lb = blas_layout(k, n, gb.rs, gb.cs);
  blas_gemm(la.trans, lb.trans, m, n, k, T(1), pa, la.ld, pb, lb.ld, T(0), pc, n);
}

// op(a)·op(b) for operands already checked: floating, one dtype, aligned, no size zero.
Tensor floating_product_2d(const Tensor& a, const MatrixGeometry& ga, const Tensor& b,
                           const MatrixGeometry& gb) {
  Tensor out = Tensor::empty(Shape{ga.rows, gb.cols}, a.dtype());
  if (a.dtype() == DType::Float32)
    matmul_2d_floating<float>(a, ga, b, gb, out);
  else
    matmul_2d_floating<double>(a, ga, b, gb, out);
  return out;
}

void check_same_dtype(const Tensor& a, const Tensor& b) {
  if (!a.defined() || !b.defined()) throw ValueError("matmul: undefined tensor");
  if (a.dtype() != b.dtype())
    throw DTypeError("matmul: operands have dtypes " + std::string(dtype_name(a.dtype())) +
                     " and " + std::string(dtype_name(b.dtype())) + "; convert one first");
}

}  // namespace

Tensor matmul_2d(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b) {
  check_same_dtype(a, b);
  if (a.dim() != 2 || b.dim() != 2)
    throw ShapeError("matmul_2d: expected matrices, got shapes " + a.shape().str() + " and " +
                     b.shape().str());
  const MatrixGeometry ga = matrix_geometry(a, trans_a), gb = matrix_geometry(b, trans_b);
  if (ga.cols != gb.rows)
    throw ShapeError("matmul: shapes " + a.shape().str() + (trans_a ? "ᵀ" : "") + " and " +
                     b.shape().str() + (trans_b ? "ᵀ" : "") +
                     " are not aligned (inner dimensions " + std::to_string(ga.cols) + " and " +
                     std::to_string(gb.rows) + " differ)");
  if (a.dtype() == DType::Int64 || ga.cols == 0 || ga.rows == 0 || gb.cols == 0) {
    // Not the floating fast path: the general product on (transposed) views.
    const auto view = [](const Tensor& x, const MatrixGeometry& g) {
      return Tensor::view_of(x, x.offset(), Shape{g.rows, g.cols}, Shape{g.rs, g.cs});
    };
    return matmul(view(a, ga), view(b, gb));
  }
  return floating_product_2d(a, ga, b, gb);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_dtype(a, b);
  if (a.dim() < 2 || b.dim() < 2)
    throw ShapeError("matmul: expected operands of rank >= 2, got shapes " + a.shape().str() +
                     " and " + b.shape().str());
  const size_t ra = a.shape().size(), rb = b.shape().size();
  const int64_t m = a.shape()[ra - 2], k = a.shape()[ra - 1], n = b.shape()[rb - 1];
  if (b.shape()[rb - 2] != k)
    throw ShapeError("matmul: shapes " + a.shape().str() + " and " + b.shape().str() +
                     " are not aligned (inner dimensions " + std::to_string(k) + " and " +
                     std::to_string(b.shape()[rb - 2]) + " differ)");
  if (ra == 2 && rb == 2 && a.dtype() != DType::Int64 && m > 0 && n > 0 && k > 0)
    return floating_product_2d(a, matrix_geometry(a, false), b, matrix_geometry(b, false));
  Shape batch;  // empty for plain matrices
  if (ra > 2 || rb > 2) {
    try {
      batch = broadcast_shapes(Shape(std::span<const int64_t>(a.shape().data(), ra - 2)),
                               Shape(std::span<const int64_t>(b.shape().data(), rb - 2)), "matmul");
    } catch (const ShapeError&) {
      throw ShapeError("matmul: batch dimensions of shapes " + a.shape().str() + " and " +
                       b.shape().str() + " cannot be broadcast together");
    }
  }
  Shape out_shape = batch;
  out_shape.resize(batch.size() + 2);
  out_shape[batch.size()] = m;
  out_shape[batch.size() + 1] = n;
  Tensor out = Tensor::empty(out_shape, a.dtype());
  if (out.numel() == 0) return out;
  if (k == 0) {
    std::memset(out.raw_data(), 0, static_cast<size_t>(out.numel()) * dtype_size(out.dtype()));
    return out;
  }
  Operand oa(a, batch), ob(b, batch);
  switch (a.dtype()) {
    case DType::Float32:
      matmul_floating<float>(oa, ob, out, batch, m, n, k);
      break;
    case DType::Float64:
      matmul_floating<double>(oa, ob, out, batch, m, n, k);
      break;
    case DType::Int64:
      matmul_int64(oa, ob, out, batch, m, n, k);
      break;
  }
  return out;
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_checked("gemm", trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc) {
  gemm_checked("gemm", trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace descent::kernels
