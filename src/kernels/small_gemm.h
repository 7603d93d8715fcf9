#pragma once
// The tiny-product GEMM: C = alpha · A · B + beta · C for products so small (m·n·k up to a few
// ten thousand) that a BLAS call costs more in dispatch, packing and threading than in
// arithmetic. A 2→16→16→3 MLP at batch 32 makes eight such products per training step.
//
// Method: register-blocked i-k-j. A tile of MR rows × NV vectors of C lives in registers; for
// each k it takes MR broadcasts of A(i, k) and NV vector loads of row k of B. B rows must be
// contiguous and a whole number of vectors long, so B is packed (zero-padded) into a
// thread-local buffer when it is not (with 8 × 8 block transposes when its columns are
// contiguous, as for the Wᵀ of a backward pass); A is read in place through its strides. When n is
// much narrower than a vector and m is not, the product is computed as Cᵀ = Bᵀ·Aᵀ instead, so the
// vectors run along the longer side. The loops are compiled three times (AVX-512, AVX2+FMA
// and the x86-64 baseline, whatever -march the library is built with) and one is picked for
// the CPU at first use.
#include <cstddef>
#include <cstdint>

namespace descent::kernels {

// How small_gemm computes a product: whether it should at all (`suits`: otherwise BLAS does
// it better), as written or as Cᵀ = Bᵀ·Aᵀ, and with vectors of how many bytes. Made once by
// plan_small_gemm and handed to small_gemm, because for the smallest products the planning
// is a visible part of the call.
struct SmallGemmPlan {
  bool suits = false;
  bool transpose = false;
  int width = 0;  // 0: not planned yet
};

// The plan for C[m, n] = A[m, k] · B[k, n] with the strides that small_gemm takes. It suits
// when m·n·k is at most kSmallGemmMaxWork and the plan's estimated cost is within 4x of the
// ideal vector work (every lane of every 256-bit FMA busy) plus the cost of a BLAS call. Long,
// narrow shapes (matrix·vector with a long inner dimension, 1 × 1024 · 1024 × 32) do not
// suit; BLAS does them better.
SmallGemmPlan plan_small_gemm(int64_t m, int64_t n, int64_t k, int64_t a_rs, int64_t a_cs,
                              int64_t b_rs, int64_t b_cs, int64_t c_rs, int64_t c_cs,
                              size_t elem_size);

// C[m, n] = alpha · A[m, k] · B[k, n] + beta · C, where element (r, c) of an operand X is at
// x[r * x_rs + c * x_cs] (strides in elements, any values; C's must not make distinct elements
// alias). With beta == 0, C is not read (as in BLAS). Runs on the calling thread; allocates only
// when a thread's packing buffer first grows. (Scalars rather than small structs: structs passed
// in memory cost store-forwarding stalls that are a large part of a 30 ns call.) The plan is
// plan_small_gemm's for the same sizes and strides; the overloads without one make it.
// Defined for float and double.
template <typename T>
void small_gemm(const SmallGemmPlan& plan, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                int64_t a_rs, int64_t a_cs, const T* b, int64_t b_rs, int64_t b_cs, T beta, T* c,
                int64_t c_rs, int64_t c_cs);
template <typename T>
void small_gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t a_rs, int64_t a_cs,
                const T* b, int64_t b_rs, int64_t b_cs, T beta, T* c, int64_t c_rs, int64_t c_cs) {
  small_gemm(SmallGemmPlan{}, m, n, k, alpha, a, a_rs, a_cs, b, b_rs, b_cs, beta, c, c_rs, c_cs);
}

// The largest m·n·k that small_gemm takes on; larger products go to BLAS. Measured on an AMD
// EPYC (Zen 4) with OpenBLAS 0.3.21, both run at the FMA throughput limit from about 32³ on,
// and BLAS pulls ahead above it.
constexpr int64_t kSmallGemmMaxWork = 32768;

// Instruction-set variants of small_gemm; Auto picks the best for the CPU (AVX-512 on Intel,
// AVX2 on AMD, where it measured faster). Forcing one the CPU lacks means Auto. For tests and
// benchmarks.
enum class SmallGemmIsa { Auto, Baseline, Avx2, Avx512 };
void set_small_gemm_isa(SmallGemmIsa isa);
// The variant small_gemm currently uses (never Auto).
SmallGemmIsa small_gemm_isa();

}  // namespace descent::kernels
