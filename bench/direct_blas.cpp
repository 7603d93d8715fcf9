#include "direct_blas.h"

#include <cblas.h>

#include <cmath>
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

double direct_gemms_seconds(std::span<const GemmShape> gemms) {
  struct Buffers {
    std::vector<float> a, b, c;
  };
  std::vector<Buffers> bufs;
  for (const GemmShape& g : gemms) {
    Buffers b{std::vector<float>(size_t(g.m) * g.k), std::vector<float>(size_t(g.k) * g.n),
              std::vector<float>(size_t(g.m) * g.n)};
    for (size_t i = 0; i < b.a.size(); ++i) b.a[i] = std::sin(0.37f * float(i));
    for (size_t i = 0; i < b.b.size(); ++i) b.b[i] = std::cos(0.41f * float(i));
    bufs.push_back(std::move(b));
  }
  return measure([&] {
           for (size_t i = 0; i < gemms.size(); ++i) {
             const GemmShape& g = gemms[i];
             Buffers& b = bufs[i];
             direct_sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, b.a.data(), b.b.data(), b.c.data());
             keep(b.c[0]);
           }
         })
      .median_s;
}

}  // namespace descent::bench
