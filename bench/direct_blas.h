#pragma once
// cblas_sgemm called directly: the reference descent's products are held to. descent keeps
// OpenBLAS single-threaded and shares each product out over its own pool (kernels/matmul.cpp),
// so the reference turns OpenBLAS's own threads on for its call, as a program that calls
// OpenBLAS itself would have them, and off again after it.
#include <cstdint>
#include <span>

namespace descent::bench {

// C[m, n] = op(A)·op(B) on row-major buffers, op(X) = Xᵀ when the flag is set.
void direct_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                  const float* b, float* c);

// One product C[m,n] = op(A)[m,k]·op(B)[k,n] of a workload.
struct GemmShape {
  int m, n, k;
  bool trans_a, trans_b;
};

// A GEMM floor: the median seconds of one pass over `gemms`, each called directly on its own
// preallocated buffers. What a workload made of these products would cost if everything but
// the products were free.
double direct_gemms_seconds(std::span<const GemmShape> gemms);

}  // namespace descent::bench
