#pragma once
// Matrix products. Float32/float64 go to BLAS (OpenBLAS), except tiny products where the call
// overhead dominates, which use a packed register-blocked loop; int64 uses a plain loop.
#include "descent/core/tensor.h"

namespace descent::kernels {

// a [..., M, K] @ b [..., K, N] -> [..., M, N]; both of rank >= 2 and one dtype; the batch
// dimensions broadcast. Any strides are accepted: transposed views are passed to BLAS as
// transposes, other layouts are copied first.
Tensor matmul(const Tensor& a, const Tensor& b);

// op(a) @ op(b) for matrices (rank 2) of one dtype, op(x) = xᵀ where its flag is set: the
// products of a backward pass (dA = dC·Bᵀ, dB = Aᵀ·dC) without making transposed views first.
Tensor matmul_2d(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b);

// Raw row-major GEMM on contiguous or transposed operands:
// C[M,N] = alpha · op(A) · op(B) + beta · C, op(X) = X or Xᵀ per trans flag, as in cblas.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc);

}  // namespace descent::kernels
