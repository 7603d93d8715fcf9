#pragma once
// The tiny-product GEMM: C = alpha · A · B + beta · C for products so small (m·n·k up to a few
// ten thousand) that a BLAS call costs more in dispatch, packing and threading than in
// arithmetic. A 2→16→16→3 MLP at batch 32 makes eight such products per training step.
//
// Method: register-blocked i-k-j. A tile of MR rows × NV vectors of C lives in registers; for
// each k it takes MR broadcasts of A(i, k) and NV vector loads of row k of B. B rows must be
// contiguous and a whole number of vectors long, so B is packed (zero-padded) into a
// thread-local buffer when it is not; A is read in place through its strides. When n is much
// narrower than a vector and m is not, the product is computed as Cᵀ = Bᵀ·Aᵀ instead, so the
// vectors run along the longer side. The loops are compiled three times (AVX-512, AVX2+FMA
// and the x86-64 baseline, whatever -march the library is built with) and one is picked for
// the CPU at first use.
#include <cstddef>
#include <cstdint>

namespace descent::kernels {

// C[m, n] = alpha · A[m, k] · B[k, n] + beta · C, where element (r, c) of an operand X is at
// x[r * x_rs + c * x_cs] (strides in elements, any values; C's must not make distinct elements
// alias). With beta == 0, C is not read (as in BLAS). Runs on the calling thread; allocates only
// when a thread's packing buffer first grows. (Scalars rather than small structs: structs passed
// in memory cost store-forwarding stalls that are a large part of a 30 ns call.)
void small_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t a_rs,
                int64_t a_cs, const float* b, int64_t b_rs, int64_t b_cs, float beta, float* c,
                int64_t c_rs, int64_t c_cs);
void small_gemm(int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t a_rs,
                int64_t a_cs, const double* b, int64_t b_rs, int64_t b_cs, double beta, double* c,
                int64_t c_rs, int64_t c_cs);

// The largest m·n·k that small_gemm takes on; larger products go to BLAS. Measured on an AMD
// EPYC (Zen 4) with OpenBLAS 0.3.21, both run at the FMA throughput limit from about 32³ on,
// and BLAS pulls ahead above it.
constexpr int64_t kSmallGemmMaxWork = 32768;

// True when small_gemm should compute this product rather than BLAS: m·n·k at most
// kSmallGemmMaxWork, and small_gemm's plan within 4x of the ideal vector work (every lane of
// every 256-bit FMA busy) plus the cost of a BLAS call. Long, narrow shapes (matrix·vector with
// a long inner dimension, 1 × 1024 · 1024 × 32) fail the second test; BLAS does them better.
// Strides as in small_gemm.
bool small_gemm_suits(int64_t m, int64_t n, int64_t k, int64_t a_rs, int64_t a_cs, int64_t b_rs,
                      int64_t b_cs, int64_t c_rs, int64_t c_cs, size_t elem_size);

// Instruction-set variants of small_gemm; Auto picks the best for the CPU (AVX-512 on Intel,
// AVX2 on AMD, where it measured faster). Forcing one the CPU lacks means Auto. For tests and
// benchmarks.
enum class SmallGemmIsa { Auto, Baseline, Avx2, Avx512 };
void set_small_gemm_isa(SmallGemmIsa isa);
// The variant small_gemm currently uses (never Auto).
SmallGemmIsa small_gemm_isa();

}  // namespace descent::kernels
