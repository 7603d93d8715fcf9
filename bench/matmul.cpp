// Matrix products: matmul_1024 against PyTorch, and the GEMMs of a 784-256-128-10 MLP at
// batch 128 against PyTorch (results.csv) and against cblas_sgemm called directly on the same
// buffers (printed section; the ≥ 95 % goal).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "bench.h"
#include "descent/descent.h"
#include "descent/kernels/parallel.h"
#include "direct_blas.h"
#include "timing.h"

namespace descent::bench {
namespace {

// C[m,n] = op(A)[m,k] · op(B)[k,n]; a transposed operand is a transposed view of a contiguous
// tensor, as the backward pass produces them.
struct GemmSpec {
  const char* name;
  const char* role;
  int64_t m, n, k;
  bool trans_a, trans_b;
};

// Keep in step with MLP_GEMMS in tools/bench_torch.py. The input layer needs no dX.
constexpr GemmSpec kMlpGemms[] = {
    {"mlp_fwd1", "x[128,784] @ W1[784,256]", 128, 256, 784, false, false},
    {"mlp_fwd2", "h1[128,256] @ W2[256,128]", 128, 128, 256, false, false},
    {"mlp_fwd3", "h2[128,128] @ W3[128,10]", 128, 10, 128, false, false},
    {"mlp_bwd_dx3", "dY3[128,10] @ W3^T[10,128]", 128, 128, 10, false, true},
    {"mlp_bwd_dw3", "h2^T[128,128] @ dY3[128,10]", 128, 10, 128, true, false},
    {"mlp_bwd_dx2", "dY2[128,128] @ W2^T[128,256]", 128, 256, 128, false, true},
    {"mlp_bwd_dw2", "h1^T[256,128] @ dY2[128,128]", 256, 128, 128, true, false},
    {"mlp_bwd_dw1", "x^T[784,128] @ dY1[128,256]", 784, 256, 128, true, false},
};

double gflops(int64_t m, int64_t n, int64_t k, double seconds) {
  return 2.0 * double(m) * double(n) * double(k) / seconds * 1e-9;
}

// The best of three interleaved rounds for descent's product and the direct BLAS call, so
// that a slow spell of the machine does not land on one side only.
template <typename F, typename G>
std::pair<double, double> best_of_interleaved(F&& ours, G&& blas) {
  double a = std::numeric_limits<double>::infinity(), b = a;
  for (int round = 0; round < 3; ++round) {
    a = std::min(a, measure(ours).median_s);
    b = std::min(b, measure(blas).median_s);
    wait_for_blas_threads_to_sleep();
  }
  return {a, b};
}

}  // namespace

std::vector<std::string> mlp_gemm_names() {
  std::vector<std::string> names;
  for (const GemmSpec& s : kMlpGemms) names.emplace_back(s.name);
  return names;
}

void run_matmul_1024(Context& ctx) {
  constexpr int64_t n = 1024;
  Generator gen(0);
  const Tensor a = randn({n, n}, gen), b = randn({n, n}, gen);
  Tensor c = zeros({n, n});
  const float *pa = a.data<float>(), *pb = b.data<float>();
  float* pc = c.data<float>();
  const auto ours = [&] { keep(matmul(a, b)); };
  const auto blas = [&] {
    direct_sgemm(false, false, n, n, n, pa, pb, pc);
    keep(pc[0]);
  };
  const auto [t_ours, t_blas] = best_of_interleaved(ours, blas);
  Row& row = ctx.add_row(
      "matmul_1024", t_ours * 1e3, "ms",
      fmt::format("{:.0f} GFLOP/s; direct cblas {} ms ({} of BLAS)", gflops(n, n, n, t_ours),
                  fmt_value(t_blas * 1e3), fmt_percent(t_blas / t_ours)));
  ctx.report->goals.push_back({"matmul_1024: on par with PyTorch (ratio <= 1.05)",
                               fmt::format("ratio {:.3f}", row.ratio()),
                               std::isfinite(row.ratio()) && row.ratio() <= 1.05});
}

void run_mlp_gemm(Context& ctx) {
  Section s;
  s.title = fmt::format(
      "MLP 784-256-128-10, batch 128: descent matmul vs cblas_sgemm called directly ({} threads)",
      kernels::num_threads());
  s.header = {"gemm", "product", "descent us", "cblas us", "% of BLAS", "GFLOP/s", "max |diff|"};
  double total_descent = 0, total_blas = 0;
  double worst = 1e9;
  std::string worst_name;
  Generator gen(1);
  for (const GemmSpec& g : kMlpGemms) {
    // Contiguous storage; the operand is a transposed view when the spec says so.
    const Tensor a_base = randn(g.trans_a ? Shape{g.k, g.m} : Shape{g.m, g.k}, gen);
    const Tensor b_base = randn(g.trans_b ? Shape{g.n, g.k} : Shape{g.k, g.n}, gen);
    const Tensor a = g.trans_a ? transpose(a_base, 0, 1) : a_base;
    const Tensor b = g.trans_b ? transpose(b_base, 0, 1) : b_base;
    Tensor c = zeros({g.m, g.n});
    const float* pa = a_base.data<float>();
    const float* pb = b_base.data<float>();
    float* pc = c.data<float>();
    const auto blas = [&] {
      direct_sgemm(g.trans_a, g.trans_b, g.m, g.n, g.k, pa, pb, pc);
      keep(pc[0]);
    };
    const auto ours = [&] { keep(matmul(a, b)); };

    // Same numbers? (BLAS vs a small-GEMM kernel may differ in summation order only.)
    blas();
    const Tensor d = matmul(a, b);
    double diff = 0;
    const std::vector<float> dv = d.to_vector<float>();
    for (size_t i = 0; i < dv.size(); ++i) diff = std::max(diff, double(std::fabs(dv[i] - pc[i])));

    const auto [t_ours, t_blas] = best_of_interleaved(ours, blas);
    total_descent += t_ours;
    total_blas += t_blas;
    const double share = t_blas / t_ours;  // our throughput as a fraction of BLAS's
    if (share < worst) worst = share, worst_name = g.name;
    s.rows.push_back({g.name, g.role, fmt_value(t_ours * 1e6), fmt_value(t_blas * 1e6),
                      fmt_percent(share) + (share < 0.95 ? " <" : ""),
                      fmt_value(gflops(g.m, g.n, g.k, t_ours)), fmt::format("{:.1e}", diff)});
    ctx.add_row(g.name, t_ours * 1e6, "us", fmt::format("{:.0f}% of direct BLAS", 100 * share));
  }
  const double total_share = total_blas / total_descent;
  s.rows.push_back({"all", "one forward + backward", fmt_value(total_descent * 1e6),
                    fmt_value(total_blas * 1e6), fmt_percent(total_share), "", ""});
  s.notes.push_back(
      "% of BLAS = cblas time / descent time: descent's throughput as a share of the same "
      "OpenBLAS called directly on the same buffers, output preallocated (\"<\": below 95%).");
  s.notes.push_back(
      "descent's time includes making its output tensor and the dispatch; results.csv compares "
      "these rows with PyTorch's torch.matmul instead.");
  ctx.report->sections.push_back(std::move(s));
  ctx.report->goals.push_back({"MLP GEMMs: >= 95% of direct BLAS throughput (each and in total)",
                               fmt::format("total {}, worst {} {}", fmt_percent(total_share),
                                           worst_name, fmt_percent(worst)),
                               worst >= 0.95 && total_share >= 0.95});
}

}  // namespace descent::bench
