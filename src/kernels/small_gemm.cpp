#include "small_gemm.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <utility>
#include <vector>

namespace descent::kernels {
namespace {

template <typename T>
struct MatRef {
  T* p;
  int64_t rs, cs;  // element (r, c) is at p[r * rs + c * cs]
};

template <typename T>
struct Problem {
  int64_t m, n, k;
  T alpha, beta;
  MatRef<const T> a, b;
  MatRef<T> c;
};

// A thread's packing buffer for B, grown on demand and kept for the next call.
template <typename T>
[[gnu::noinline]] T* scratch(size_t n) {
  thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// One MR × NV·L tile of C (L = lanes per vector): C[0:MR, 0:ncols] = alpha · A · B + beta · C,
// where B rows are contiguous with leading dimension ldb and hold NV·L readable columns.
template <typename T, int W, int MR, int NV>
inline void tile(int64_t k, const T* a, int64_t a_rs, int64_t a_cs, const T* b, int64_t ldb,
                 T alpha, T beta, T* c, int64_t c_rs, int64_t c_cs, int64_t ncols) {
  constexpr int L = W / static_cast<int>(sizeof(T));
  typedef T V __attribute__((vector_size(W)));
  V acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[r][v] = V{};
  for (int64_t p = 0; p < k; ++p) {
    V bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) std::memcpy(&bv[v], b + p * ldb + v * L, sizeof(V));
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      const V av = a[r * a_rs + p * a_cs] - V{};  // broadcast (x − 0 is exact, folds away)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[r][v] += av * bv[v];
    }
  }
  if (alpha == T(1) && beta == T(0) && c_cs == 1 && ncols == NV * L) {
    // The common case (a plain product into full rows): store the accumulators as they are.
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) std::memcpy(c + r * c_rs + v * L, &acc[r][v], sizeof(V));
    return;
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
    T* crow = c + r * c_rs;
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) {
      const int64_t j = int64_t{v} * L;
      V out = acc[r][v] * alpha;
      if (c_cs == 1 && j + L <= ncols) {
        if (beta != T(0)) {
          V old;
          std::memcpy(&old, crow + j, sizeof(V));
          out += old * beta;
        }
        std::memcpy(crow + j, &out, sizeof(V));
      } else {
        T lanes[L];
        std::memcpy(lanes, &out, sizeof(V));
        const int64_t nl = std::min<int64_t>(L, ncols - j);
        T* dst = crow + j * c_cs;
        if (beta == T(0) && nl == L) {  // a whole vector, unrolled into lane extracts
#pragma GCC unroll 16
          for (int l = 0; l < L; ++l) dst[l * c_cs] = lanes[l];
        } else if (beta == T(0)) {
          for (int64_t l = 0; l < nl; ++l) dst[l * c_cs] = lanes[l];
        } else {
          for (int64_t l = 0; l < nl; ++l) dst[l * c_cs] = lanes[l] + beta * dst[l * c_cs];
        }
      }
    }
  }
}

// The last `rows` (< MR) rows of a column block, in one tile of exactly that many rows: each
// pass over k then loads B's rows once for all of them.
template <typename T, int W, int MR, int NV>
inline void remainder_tile(const Problem<T>& p, const T* b, int64_t ldb, int64_t i, int64_t rows,
                           T* c, int64_t ncols) {
  if constexpr (MR > 1) {
    if (rows < MR - 1) return remainder_tile<T, W, MR - 1, NV>(p, b, ldb, i, rows, c, ncols);
    tile<T, W, MR - 1, NV>(p.k, p.a.p + i * p.a.rs, p.a.rs, p.a.cs, b, ldb, p.alpha, p.beta,
                           c + i * p.c.rs, p.c.rs, p.c.cs, ncols);
  }
}

// All rows of one column block of NV vectors: full MR-row tiles, then one tile for the rest.
template <typename T, int W, int MR, int NV>
inline void column_block(const Problem<T>& p, const T* b, int64_t ldb, int64_t j0, int64_t ncols) {
  const T* a = p.a.p;
  T* c = p.c.p + j0 * p.c.cs;
  int64_t i = 0;
  for (; i + MR <= p.m; i += MR)
    tile<T, W, MR, NV>(p.k, a + i * p.a.rs, p.a.rs, p.a.cs, b, ldb, p.alpha, p.beta, c + i * p.c.rs,
                       p.c.rs, p.c.cs, ncols);
  if (i < p.m) remainder_tile<T, W, MR, NV>(p, b, ldb, i, p.m - i, c, ncols);
}

// The columns of a block narrower than NV vectors take the matching narrower tile.
template <typename T, int W, int MR, int NV>
inline void narrow_block(const Problem<T>& p, const T* b, int64_t ldb, int64_t j0, int64_t ncols,
                         int64_t nv) {
  if constexpr (NV > 1) {
    if (nv < NV) return narrow_block<T, W, MR, NV - 1>(p, b, ldb, j0, ncols, nv);
  }
  column_block<T, W, MR, NV>(p, b, ldb, j0, ncols);
}

// The same product as Cᵀ = Bᵀ·Aᵀ.
template <typename T>
Problem<T> transposed(const Problem<T>& p) {
  return Problem<T>{p.n,
                    p.m,
                    p.k,
                    p.alpha,
                    p.beta,
                    {p.b.p, p.b.cs, p.b.rs},
                    {p.a.p, p.a.cs, p.a.rs},
                    {p.c.p, p.c.cs, p.c.rs}};
}

// The vector width (bytes) small_gemm uses for n columns when the widest available is max_w:
// the narrowest that covers n, so that few lanes are wasted on narrow products.
constexpr int width_for(int64_t n, size_t elem, int max_w) {
  int w = 16;
  while (w < max_w && static_cast<int64_t>(w / elem) < n) w *= 2;
  return w;
}

// B can be used in place when its rows are contiguous and a whole number of vectors, and when
// it is small enough (or its rows few enough) that striding down its rows cannot thrash the L1
// cache. Otherwise it is packed.
template <typename T>
bool b_in_place(const Problem<T>& p, int64_t lanes) {
  return p.b.cs == 1 && (p.n & (lanes - 1)) == 0 &&  // lanes is a power of two
         (p.k <= 8 || p.k * p.b.rs * static_cast<int64_t>(sizeof(T)) <= 16384);
}

// The cost of packing B (k × n) when it is not used in place: a copy when its rows are
// contiguous, block transposes when its columns are, a gather otherwise; elements past the
// whole R × R blocks of a transpose are gathered. Units as in plan_cost.
template <typename T>
int64_t packing_cost(const Problem<T>& p, int64_t npad) {
  constexpr int64_t R = 32 / static_cast<int64_t>(sizeof(T));
  if (p.b.cs == 1) return p.k * npad / 2;
  const int64_t blocked = p.b.rs == 1 ? p.k / R * R * (p.n / R * R) : 0;
  return blocked / 2 + 2 * (p.k * p.n - blocked);
}

// Estimated cost, in units of one 256-bit FMA issue (half a cycle on AMD Zen 4 and Intel
// cores alike), of computing C = A·B as written with vectors of w bytes along the rows of C:
// the FMAs, the broadcasts of A, the packing of B and the scalar stores of C (every element
// when C's rows are not contiguous, else those of each row's partial last vector).
template <typename T>
int64_t plan_cost(const Problem<T>& p, int w) {
  const int shift = std::countr_zero(static_cast<unsigned>(w / sizeof(T)));  // lanes = 2^shift
  const int64_t lanes = int64_t{1} << shift, nvec = (p.n + lanes - 1) >> shift;
  int64_t cost = p.m * p.k * nvec * (w == 64 ? 2 : 1) + p.m * p.k * 2 / 3;
  if (!b_in_place(p, lanes)) cost += packing_cost(p, nvec * lanes);
  cost += 2 * p.m * (p.c.cs != 1 ? p.n : p.n & (lanes - 1));
  return cost;
}

// How to compute a product (as written or transposed, whichever is cheaper, and with which
// vector width) and its estimated cost.
struct CostedPlan {
  SmallGemmPlan plan;
  int64_t cost;
};

template <typename T>
CostedPlan make_plan(const Problem<T>& p, int max_w) {
  const Problem<T> t = transposed(p);
  const int wp = width_for(p.n, sizeof(T), max_w), wt = width_for(t.n, sizeof(T), max_w);
  const int64_t cp = plan_cost(p, wp), ct = plan_cost(t, wt);
  return ct < cp ? CostedPlan{{true, true, wt}, ct} : CostedPlan{{true, false, wp}, cp};
}

// Transposes an R × R block (R = 32 bytes of T: 8 floats or 4 doubles): row r of dst
// (leading dimension dst_ld) gets element r of each of the R rows of src (leading dimension
// src_ld). Three (floats) or two (doubles) rounds of interleaving shuffles, the usual in-register
// transpose; the compiler maps them to unpack/shuffle/permute instructions.
template <typename T>
inline void transpose_block(const T* src, int64_t src_ld, T* dst, int64_t dst_ld) {
  constexpr int R = 32 / static_cast<int>(sizeof(T));
  typedef T V __attribute__((vector_size(32)));
  V r[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) std::memcpy(&r[i], src + i * src_ld, sizeof(V));
  V out[R];
  if constexpr (R == 8) {
    V t[8], u[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i += 2) {  // pairs of rows interleaved element by element
      t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
      t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
#pragma GCC unroll 8
    for (int i = 0; i < 8; i += 4)  // then pairs of pairs
#pragma GCC unroll 8
      for (int h = 0; h < 2; ++h) {
        u[i + 2 * h] = __builtin_shufflevector(t[i + h], t[i + h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 2 * h + 1] =
            __builtin_shufflevector(t[i + h], t[i + h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
      }
#pragma GCC unroll 8
    for (int i = 0; i < 4; ++i) {  // then the 128-bit halves of rows 0-3 and 4-7
      out[i] = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
      out[i + 4] = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
  } else {
    const V t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 2, 6),
            t1 = __builtin_shufflevector(r[0], r[1], 1, 5, 3, 7),
            t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 2, 6),
            t3 = __builtin_shufflevector(r[2], r[3], 1, 5, 3, 7);
    out[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    out[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    out[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    out[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) std::memcpy(dst + i * dst_ld, &out[i], sizeof(V));
}

// Copies B[0:k, j0:j0+valid] into a panel of `width` columns (rows contiguous, zero-padded
// past `valid`). Rows of B that are contiguous are copied; columns that are contiguous (B is
// the transpose of a row-major matrix, as in the backward pass's A·Wᵀ) go through block
// transposes; anything else is gathered element by element.
template <typename T>
inline void pack_panel(const MatRef<const T>& b, int64_t k, int64_t j0, int64_t valid,
                       int64_t width, T* panel) {
  constexpr int64_t R = 32 / static_cast<int64_t>(sizeof(T));
  const T* src = b.p + j0 * b.cs;
  int64_t kk = 0, jb = 0;  // rows and columns already packed by the fast paths
  if (b.cs == 1) {
    for (; kk < k; ++kk)
      std::memcpy(panel + kk * width, src + kk * b.rs, static_cast<size_t>(valid) * sizeof(T));
    jb = valid;
  } else if (b.rs == 1) {
    kk = k / R * R;
    jb = valid / R * R;
    for (int64_t j = 0; j < jb; j += R)
      for (int64_t p = 0; p < kk; p += R)
        transpose_block(src + j * b.cs + p, b.cs, panel + p * width + j, width);
  }
  // What the fast paths left: the columns past jb of every row, and every column of the rows
  // past kk; then the zero padding. Rows the fast paths filled whole are skipped.
  const bool whole_rows = jb == valid && width == valid;
  for (int64_t p = whole_rows ? kk : 0; p < k; ++p) {
    T* dst = panel + p * width;
    for (int64_t j = p < kk ? jb : 0; j < valid; ++j) dst[j] = src[p * b.rs + j * b.cs];
    for (int64_t j = valid; j < width; ++j) dst[j] = T(0);
  }
}

// B in panels of NV vectors, rows of each panel contiguous: B itself when b_in_place, else
// packed, zero-padded, into the thread's buffer, panel after panel.
template <typename T, int W, int MR, int NV>
inline void run_width(const Problem<T>& p) {
  constexpr int64_t L = W / static_cast<int64_t>(sizeof(T)), P = NV * L;
  const int64_t npad = (p.n + L - 1) / L * L;
  const bool in_place = b_in_place(p, L);
  T* packed = nullptr;
  if (!in_place) {
    packed = scratch<T>(static_cast<size_t>(p.k * npad));
    for (int64_t j0 = 0; j0 < p.n; j0 += P)
      pack_panel(p.b, p.k, j0, std::min(P, p.n - j0), std::min(P, npad - j0), packed + p.k * j0);
  }
  for (int64_t j0 = 0; j0 < p.n; j0 += P) {
    const int64_t ncols = std::min(P, p.n - j0);
    const T* b = in_place ? p.b.p + j0 : packed + p.k * j0;
    const int64_t ldb = in_place ? p.b.rs : std::min(P, npad - j0);
    narrow_block<T, W, MR, NV>(p, b, ldb, j0, ncols, (ncols + L - 1) / L);
  }
}

// Tiles per vector width: MR rows × NV vectors of accumulators, sized to the register file
// (32 vector registers with AVX-512, 16 otherwise).
template <typename T, int MaxW>
inline void run(Problem<T> p, SmallGemmPlan plan) {
  if (p.m <= 0 || p.n <= 0) return;
  // A plan made for another variant (the variant was switched in between) is made again.
  if (plan.width == 0 || plan.width > MaxW) plan = make_plan(p, MaxW).plan;
  if (plan.transpose) p = transposed(p);
  const int w = plan.width;
  if constexpr (MaxW == 64) {
    if (w == 64) return run_width<T, 64, 8, 2>(p);
    if (w == 32) return run_width<T, 32, 8, 1>(p);
    return run_width<T, 16, 8, 1>(p);
  } else if constexpr (MaxW == 32) {
    if (w == 32) return run_width<T, 32, 4, 2>(p);
    return run_width<T, 16, 8, 1>(p);
  } else {
    return run_width<T, 16, 4, 2>(p);
  }
}

// The instruction-set variants. flatten inlines the whole kernel into each, so every loop is
// compiled for that target.
#define DESCENT_AVX512 "avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi,bmi2,popcnt"
#define DESCENT_AVX2 "avx2,fma,bmi,bmi2,popcnt"

[[gnu::target(DESCENT_AVX512), gnu::flatten]] void run_avx512(const Problem<float>& p,
                                                              SmallGemmPlan plan) {
  run<float, 64>(p, plan);
}
[[gnu::target(DESCENT_AVX512), gnu::flatten]] void run_avx512(const Problem<double>& p,
                                                              SmallGemmPlan plan) {
  run<double, 64>(p, plan);
}
[[gnu::target(DESCENT_AVX2), gnu::flatten]] void run_avx2(const Problem<float>& p,
                                                          SmallGemmPlan plan) {
  run<float, 32>(p, plan);
}
[[gnu::target(DESCENT_AVX2), gnu::flatten]] void run_avx2(const Problem<double>& p,
                                                          SmallGemmPlan plan) {
  run<double, 32>(p, plan);
}
[[gnu::flatten]] void run_baseline(const Problem<float>& p, SmallGemmPlan plan) {
  run<float, 16>(p, plan);
}
[[gnu::flatten]] void run_baseline(const Problem<double>& p, SmallGemmPlan plan) {
  run<double, 16>(p, plan);
}

bool isa_supported(SmallGemmIsa isa) {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
                    __builtin_cpu_supports("popcnt");
  switch (isa) {
    case SmallGemmIsa::Avx512:
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
    case SmallGemmIsa::Avx2:
      return avx2;
    default:
      return true;
  }
}

// AVX-512 where its 512-bit FMAs are full width (Intel); AVX2 on AMD, whose Zen 4 splits each
// 512-bit FMA into two 256-bit halves: there the AVX2 variant measured as fast or up to 25%
// faster on the MLP shapes (its 16 × 16 row tiles waste no lanes and its tiles are shorter).
SmallGemmIsa best_isa() {
  if (isa_supported(SmallGemmIsa::Avx512) && !__builtin_cpu_is("amd")) return SmallGemmIsa::Avx512;
  if (isa_supported(SmallGemmIsa::Avx2)) return SmallGemmIsa::Avx2;
  return SmallGemmIsa::Baseline;
}

std::atomic<SmallGemmIsa>& current_isa() {
  static std::atomic<SmallGemmIsa> isa{best_isa()};
  return isa;
}

int isa_width(SmallGemmIsa isa) {
  return isa == SmallGemmIsa::Avx512 ? 64 : isa == SmallGemmIsa::Avx2 ? 32 : 16;
}

template <typename T>
void dispatch_isa(const Problem<T>& p, SmallGemmPlan plan) {
  switch (current_isa().load(std::memory_order_relaxed)) {
    case SmallGemmIsa::Avx512:
      return run_avx512(p, plan);
    case SmallGemmIsa::Avx2:
      return run_avx2(p, plan);
    default:
      return run_baseline(p, plan);
  }
}

}  // namespace

template <typename T>
void small_gemm(const SmallGemmPlan& plan, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                int64_t a_rs, int64_t a_cs, const T* b, int64_t b_rs, int64_t b_cs, T beta, T* c,
                int64_t c_rs, int64_t c_cs) {
  dispatch_isa(Problem<T>{m, n, k, alpha, beta, {a, a_rs, a_cs}, {b, b_rs, b_cs}, {c, c_rs, c_cs}},
               plan);
}
template void small_gemm<float>(const SmallGemmPlan&, int64_t, int64_t, int64_t, float,
                                const float*, int64_t, int64_t, const float*, int64_t, int64_t,
                                float, float*, int64_t, int64_t);
template void small_gemm<double>(const SmallGemmPlan&, int64_t, int64_t, int64_t, double,
                                 const double*, int64_t, int64_t, const double*, int64_t, int64_t,
                                 double, double*, int64_t, int64_t);

SmallGemmPlan plan_small_gemm(int64_t m, int64_t n, int64_t k, int64_t a_rs, int64_t a_cs,
                              int64_t b_rs, int64_t b_cs, int64_t c_rs, int64_t c_cs,
                              size_t elem_size) {
  if (m == 0 || n == 0 || k == 0) return {true, false, 16};
  int64_t mn, mnk;
  if (__builtin_mul_overflow(m, n, &mn) || __builtin_mul_overflow(mn, k, &mnk) ||
      mnk > kSmallGemmMaxWork)
    return {};
  const int max_w = isa_width(current_isa().load(std::memory_order_relaxed));
  const auto plan = [&](auto zero) {
    using T = decltype(zero);
    const Problem<T> p{
        m, n, k, T(1), T(0), {nullptr, a_rs, a_cs}, {nullptr, b_rs, b_cs}, {nullptr, c_rs, c_cs}};
    return make_plan(p, max_w);
  };
  CostedPlan best = elem_size == sizeof(float) ? plan(float{}) : plan(double{});
  // Against the ideal of every lane of every 256-bit FMA busy, plus the cost of a BLAS call.
  const int shift = std::countr_zero(static_cast<unsigned>(std::min(max_w, 32) / elem_size));
  best.plan.suits = best.cost <= 4 * (mnk >> shift) + 256;
  return best.plan;
}

void set_small_gemm_isa(SmallGemmIsa isa) {
  if (isa == SmallGemmIsa::Auto || !isa_supported(isa)) isa = best_isa();
  current_isa().store(isa, std::memory_order_relaxed);
}

SmallGemmIsa small_gemm_isa() {
  return current_isa().load(std::memory_order_relaxed);
}

}  // namespace descent::kernels
