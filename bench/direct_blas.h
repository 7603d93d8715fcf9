#pragma once
// cblas_sgemm called directly: the reference descent's products are held to. descent keeps
// OpenBLAS single-threaded and shares each product out over its own pool (kernels/matmul.cpp),
// so the reference turns OpenBLAS's own threads on for its call, as a program that calls
// OpenBLAS itself would have them, and off again after it.
#include <cblas.h>

#include <cstdint>

#include "descent/kernels/parallel.h"

namespace descent::bench {

// C[m, n] = op(A)·op(B) on row-major buffers, op(X) = Xᵀ when the flag is set.
inline void direct_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                         const float* a, const float* b, float* c) {
  openblas_set_num_threads(kernels::num_threads());
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.0f, a,
              int(trans_a ? m : k), b, int(trans_b ? k : n), 0.0f, c, int(n));
  openblas_set_num_threads(1);
}

}  // namespace descent::bench
