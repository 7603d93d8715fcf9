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
        for (int64_t l = 0; l < nl; ++l) {
          T& dst = crow[(j + l) * c_cs];
          dst = beta == T(0) ? lanes[l] : lanes[l] + beta * dst;
        }
      }
    }
  }
}

// All rows of one column block of NV vectors: full MR-row tiles, then 4-, 2- and 1-row tiles.
template <typename T, int W, int MR, int NV>
inline void column_block(const Problem<T>& p, const T* b, int64_t ldb, int64_t j0, int64_t ncols) {
  const T* a = p.a.p;
  T* c = p.c.p + j0 * p.c.cs;
  int64_t i = 0;
  for (; i + MR <= p.m; i += MR)
    tile<T, W, MR, NV>(p.k, a + i * p.a.rs, p.a.rs, p.a.cs, b, ldb, p.alpha, p.beta, c + i * p.c.rs,
                       p.c.rs, p.c.cs, ncols);
  if constexpr (MR > 4) {
    if (i + 4 <= p.m) {
      tile<T, W, 4, NV>(p.k, a + i * p.a.rs, p.a.rs, p.a.cs, b, ldb, p.alpha, p.beta,
                        c + i * p.c.rs, p.c.rs, p.c.cs, ncols);
      i += 4;
    }
  }
  if constexpr (MR > 2) {
    if (i + 2 <= p.m) {
      tile<T, W, 2, NV>(p.k, a + i * p.a.rs, p.a.rs, p.a.cs, b, ldb, p.alpha, p.beta,
                        c + i * p.c.rs, p.c.rs, p.c.cs, ncols);
      i += 2;
    }
  }
  for (; i < p.m; ++i)
    tile<T, W, 1, NV>(p.k, a + i * p.a.rs, p.a.rs, p.a.cs, b, ldb, p.alpha, p.beta, c + i * p.c.rs,
                      p.c.rs, p.c.cs, ncols);
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

// Estimated cost, in units of one 256-bit FMA issue (half a cycle on AMD Zen 4 and Intel
// cores alike), of computing C = A·B as written with vectors of w bytes along the rows of C:
// the FMAs, the broadcasts of A, the packing of B (a copy when its rows are contiguous, a
// gather otherwise) and scalar stores when C's rows are not contiguous.
template <typename T>
int64_t plan_cost(const Problem<T>& p, int w) {
  const int shift = std::countr_zero(static_cast<unsigned>(w / sizeof(T)));  // lanes = 2^shift
  const int64_t lanes = int64_t{1} << shift, nvec = (p.n + lanes - 1) >> shift;
  int64_t cost = p.m * p.k * nvec * (w == 64 ? 2 : 1) + p.m * p.k * 2 / 3;
  if (!b_in_place(p, lanes)) cost += p.b.cs == 1 ? p.k * nvec * lanes / 2 : 2 * p.k * p.n;
  if (p.c.cs != 1) cost += 2 * p.m * p.n;
  return cost;
}

// How to compute a product: as written or transposed (whichever is cheaper), with which
// vector width, at what estimated cost.
struct Plan {
  bool transpose;
  int width;
  int64_t cost;
};

template <typename T>
Plan make_plan(const Problem<T>& p, int max_w) {
  const Problem<T> t = transposed(p);
  const int wp = width_for(p.n, sizeof(T), max_w), wt = width_for(t.n, sizeof(T), max_w);
  const int64_t cp = plan_cost(p, wp), ct = plan_cost(t, wt);
  return ct < cp ? Plan{true, wt, ct} : Plan{false, wp, cp};
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
    for (int64_t j0 = 0; j0 < p.n; j0 += P) {
      const int64_t width = std::min(P, npad - j0), valid = std::min(P, p.n - j0);
      T* panel = packed + p.k * j0;
      for (int64_t kk = 0; kk < p.k; ++kk) {
        T* dst = panel + kk * width;
        const T* src = p.b.p + kk * p.b.rs + j0 * p.b.cs;
        if (p.b.cs == 1) {
          std::memcpy(dst, src, static_cast<size_t>(valid) * sizeof(T));
        } else {
          for (int64_t j = 0; j < valid; ++j) dst[j] = src[j * p.b.cs];
        }
        for (int64_t j = valid; j < width; ++j) dst[j] = T(0);
      }
    }
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
inline void run(Problem<T> p) {
  if (p.m <= 0 || p.n <= 0) return;
  const Plan plan = make_plan(p, MaxW);
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

[[gnu::target(DESCENT_AVX512), gnu::flatten]] void run_avx512(const Problem<float>& p) {
  run<float, 64>(p);
}
[[gnu::target(DESCENT_AVX512), gnu::flatten]] void run_avx512(const Problem<double>& p) {
  run<double, 64>(p);
}
[[gnu::target(DESCENT_AVX2), gnu::flatten]] void run_avx2(const Problem<float>& p) {
  run<float, 32>(p);
}
[[gnu::target(DESCENT_AVX2), gnu::flatten]] void run_avx2(const Problem<double>& p) {
  run<double, 32>(p);
}
[[gnu::flatten]] void run_baseline(const Problem<float>& p) {
  run<float, 16>(p);
}
[[gnu::flatten]] void run_baseline(const Problem<double>& p) {
  run<double, 16>(p);
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
void dispatch_isa(const Problem<T>& p) {
  switch (current_isa().load(std::memory_order_relaxed)) {
    case SmallGemmIsa::Avx512:
      return run_avx512(p);
    case SmallGemmIsa::Avx2:
      return run_avx2(p);
    default:
      return run_baseline(p);
  }
}

}  // namespace

void small_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t a_rs,
                int64_t a_cs, const float* b, int64_t b_rs, int64_t b_cs, float beta, float* c,
                int64_t c_rs, int64_t c_cs) {
  dispatch_isa(
      Problem<float>{m, n, k, alpha, beta, {a, a_rs, a_cs}, {b, b_rs, b_cs}, {c, c_rs, c_cs}});
}

void small_gemm(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t a_rs,
                int64_t a_cs, const double* b, int64_t b_rs, int64_t b_cs, double beta, double* c,
                int64_t c_rs, int64_t c_cs) {
  dispatch_isa(
      Problem<double>{m, n, k, alpha, beta, {a, a_rs, a_cs}, {b, b_rs, b_cs}, {c, c_rs, c_cs}});
}

bool small_gemm_suits(int64_t m, int64_t n, int64_t k, int64_t a_rs, int64_t a_cs, int64_t b_rs,
                      int64_t b_cs, int64_t c_rs, int64_t c_cs, size_t elem_size) {
  if (m == 0 || n == 0 || k == 0) return true;
  int64_t mn, mnk;
  if (__builtin_mul_overflow(m, n, &mn) || __builtin_mul_overflow(mn, k, &mnk) ||
      mnk > kSmallGemmMaxWork)
    return false;
  const int max_w = isa_width(current_isa().load(std::memory_order_relaxed));
  // The cost of the plan, against the ideal of every lane of every 256-bit FMA busy.
  const auto cost = [&](auto zero) {
    using T = decltype(zero);
    const Problem<T> p{
        m, n, k, T(1), T(0), {nullptr, a_rs, a_cs}, {nullptr, b_rs, b_cs}, {nullptr, c_rs, c_cs}};
    return make_plan(p, max_w).cost;
  };
  const int64_t plan = elem_size == sizeof(float) ? cost(float{}) : cost(double{});
  const int shift = std::countr_zero(static_cast<unsigned>(std::min(max_w, 32) / elem_size));
  return plan <= 4 * (mnk >> shift) + 256;
}

void set_small_gemm_isa(SmallGemmIsa isa) {
  if (isa == SmallGemmIsa::Auto || !isa_supported(isa)) isa = best_isa();
  current_isa().store(isa, std::memory_order_relaxed);
}

SmallGemmIsa small_gemm_isa() {
  return current_isa().load(std::memory_order_relaxed);
}

}  // namespace descent::kernels
