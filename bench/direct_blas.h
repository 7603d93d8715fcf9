#pragma once
// cblas_sgemm called directly: the reference descent's products are held to. descent keeps
// OpenBLAS single-threaded and shares each product out over its own pool (kernels/matmul.cpp),
// so the reference turns OpenBLAS's own threads on for its call, as a program that calls
// OpenBLAS itself would have them, and off again after it.
#include <cstdint>
#include <span>
#include <vector>

namespace descent::bench {

// C[m, n] = op(A)·op(B) on row-major buffers, op(X) = Xᵀ when the flag is set.
void direct_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                  const float* b, float* c);

// OpenBLAS's own threads poll (sched_yield) for new work for about 0.1 s after a threaded
// product before they sleep, taking time from whatever runs next. Timings that follow direct
// products call this first.
void wait_for_blas_threads_to_sleep();

// One product C[m,n] = op(A)[m,k]·op(B)[k,n] of a workload.
struct GemmShape {
  int m, n, k;
  bool trans_a, trans_b;
};

// A GEMM floor: the products of a workload, each called directly on its own preallocated
// buffers. What the workload would cost if everything but the products were free.
class DirectGemms {
 public:
  explicit DirectGemms(std::span<const GemmShape> gemms);
  // One pass: every product once.
  void pass();
  // Seconds of `passes` passes over every product, back to back, timed as one whole (for
  // workloads that are themselves timed whole, such as an epoch).
  double run_seconds(int64_t passes);

 private:
  struct Operands {
    GemmShape shape;
    std::vector<float> a, b, c;
  };
  std::vector<Operands> operands_;
};

}  // namespace descent::bench
