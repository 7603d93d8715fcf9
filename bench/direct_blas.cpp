#include "direct_blas.h"

#include <cblas.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "descent/kernels/parallel.h"
#include "timing.h"

namespace descent::bench {

void direct_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                  const float* b, float* c) {
  openblas_set_num_threads(kernels::num_threads());
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), 1.0f, a,
              int(trans_a ? m : k), b, int(trans_b ? k : n), 0.0f, c, int(n));
  openblas_set_num_threads(1);
}

void wait_for_blas_threads_to_sleep() {
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
}

DirectGemms::DirectGemms(std::span<const GemmShape> gemms) {
  for (const GemmShape& g : gemms) {
    Operands o{g, std::vector<float>(size_t(g.m) * g.k), std::vector<float>(size_t(g.k) * g.n),
               std::vector<float>(size_t(g.m) * g.n)};
    for (size_t i = 0; i < o.a.size(); ++i) o.a[i] = std::sin(0.37f * float(i));
    for (size_t i = 0; i < o.b.size(); ++i) o.b[i] = std::cos(0.41f * float(i));
    operands_.push_back(std::move(o));
  }
}

void DirectGemms::pass() {
  for (Operands& o : operands_) {
    const GemmShape& g = o.shape;
    direct_sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, o.a.data(), o.b.data(), o.c.data());
    keep(o.c[0]);
  }
}

double DirectGemms::run_seconds(int64_t passes) {
  pass();  // warm: buffers in cache, BLAS threads started
  const double t0 = now_s();
  for (int64_t i = 0; i < passes; ++i) pass();
  return now_s() - t0;
}

}  // namespace descent::bench
