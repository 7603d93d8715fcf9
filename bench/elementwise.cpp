// add_16m: a + b over 16M float32 elements into a new tensor, against PyTorch, and as a share
// of this machine's memory bandwidth, which is measured here with STREAM-like loops over the
// same buffers.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DESCENT_BENCH_HAVE_STREAM_STORES 1
#endif

#include "bench.h"
#include "descent/descent.h"
#include "descent/kernels/parallel.h"
#include "team.h"
#include "timing.h"

namespace descent::bench {
namespace {

constexpr int64_t kAddElems = int64_t{16} << 20;

void add_plain(const float* __restrict a, const float* __restrict b, float* __restrict c,
               int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) c[i] = a[i] + b[i];
}

#ifdef DESCENT_BENCH_HAVE_STREAM_STORES
// c = a + b with non-temporal stores (no read-for-ownership of c). Needs c 32-byte aligned at
// `begin`; the tail is plain.
void add_stream(const float* __restrict a, const float* __restrict b, float* __restrict c,
                int64_t begin, int64_t end) {
  int64_t i = begin;
#ifdef __AVX__
  for (; i + 8 <= end; i += 8)
    _mm256_stream_ps(c + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
#else
  for (; i + 4 <= end; i += 4)
    _mm_stream_ps(c + i, _mm_add_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
#endif
  for (; i < end; ++i) c[i] = a[i] + b[i];
  _mm_sfence();
}
#endif

double read_sum(const float* __restrict a, const float* __restrict b, int64_t begin, int64_t end) {
  // Eight independent partial sums, so the loop is limited by memory, not by the add latency.
  float acc[8] = {};
  int64_t i = begin;
  for (; i + 8 <= end; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] + b[i + j];
  for (; i < end; ++i) acc[0] += a[i] + b[i];
  double s = 0;
  for (float v : acc) s += v;
  return s;
}

double gbps(double bytes, double seconds) {
  return bytes / seconds * 1e-9;
}

}  // namespace

void run_add_16m(Context& ctx) {
  const int64_t n = kAddElems;
  const double bytes = 3.0 * double(n) * sizeof(float);  // read a, read b, write c
  Generator gen(2);
  const Tensor a = rand({n}, gen), b = rand({n}, gen);

  // descent's add is timed before and after the bench loops and the better time counts, so
  // that a slow spell of the machine does not land on one side only.
  const auto ours_once = [&] { return measure([&] { keep(a + b); }).median_s; };
  double ours_s = ours_once();

  // The machine's bandwidth, on the same input buffers and a preallocated output.
  const int threads = std::max(2, kernels::num_threads());
  const Tensor c = zeros({n});
  const float* pa = a.data<float>();
  const float* pb = b.data<float>();
  float* pc = c.data<float>();
  const double plain_s =
      measure([&] {
        run_team(threads, n, [&](int, int64_t i0, int64_t i1) { add_plain(pa, pb, pc, i0, i1); });
        keep(pc[0]);
      }).median_s;
  double stream_s = kNaN;
#ifdef DESCENT_BENCH_HAVE_STREAM_STORES
  if (reinterpret_cast<uintptr_t>(pc) % 64 == 0)
    stream_s = measure([&] {
                 run_team(threads, n,
                          [&](int, int64_t i0, int64_t i1) { add_stream(pa, pb, pc, i0, i1); });
                 keep(pc[0]);
               }).median_s;
#endif
  std::vector<double> sums(static_cast<size_t>(threads));
  const double read_s = measure([&] {
                          run_team(threads, n, [&](int t, int64_t i0, int64_t i1) {
                            sums[static_cast<size_t>(t)] = read_sum(pa, pb, i0, i1);
                          });
                          keep(sums[0]);
                        }).median_s;
  ours_s = std::min(ours_s, ours_once());
  const double ours_bw = gbps(bytes, ours_s);
  const double plain_bw = gbps(bytes, plain_s);
  const double stream_bw = std::isfinite(stream_s) ? gbps(bytes, stream_s) : kNaN;
  // The machine's bandwidth is the best any of these loops reached, descent's included (its
  // non-temporal stores go out in runs of a few cache lines, which beat the bench's one vector
  // at a time on this machine).
  const double machine_bw =
      std::max({plain_bw, std::isfinite(stream_bw) ? stream_bw : 0.0, ours_bw});
  const double share = ours_bw / machine_bw;

  Row& row = ctx.add_row("add_16m", ours_s * 1e3, "ms",
                         fmt::format("{:.1f} GB/s = {} of machine", ours_bw, fmt_percent(share)));
  const double torch_bw = gbps(bytes, row.pytorch * 1e-3);

  Section s;
  s.title = fmt::format("memory bandwidth: c = a + b over {}M float32 ({} MiB moved per call)",
                        n >> 20, int64_t(bytes) >> 20);
  s.header = {"loop", "threads", "ms", "GB/s", "% of machine"};
  auto add = [&](const std::string& what, int thr, double seconds) {
    const double bw = gbps(bytes, seconds);
    s.rows.push_back({what, thr ? std::to_string(thr) : "", fmt_value(seconds * 1e3), fmt_value(bw),
                      fmt_percent(bw / machine_bw)});
  };
  add("bench loop, plain stores", threads, plain_s);
  if (std::isfinite(stream_s)) add("bench loop, non-temporal stores", threads, stream_s);
  s.rows.push_back({"bench loop, read a and b only (2 arrays)", std::to_string(threads),
                    fmt_value(read_s * 1e3), fmt_value(gbps(2.0 * n * sizeof(float), read_s)),
                    "(info)"});
  add("descent a + b (new tensor), better of 2 rounds", kernels::num_threads(), ours_s);
  if (std::isfinite(row.pytorch)) add("pytorch a + b (new tensor)", 0, row.pytorch * 1e-3);
  s.notes.push_back(fmt::format(
      "machine bandwidth = the fastest loop above, {:.1f} GB/s; bytes counted as STREAM does "
      "(3 arrays x 4 bytes per element, write-allocate traffic not counted).",
      machine_bw));
  if (std::isfinite(torch_bw))
    s.notes.push_back(
        fmt::format("pytorch: {:.1f} GB/s ({}).", torch_bw, ctx.torch_note("add_16m")));
  ctx.report->sections.push_back(std::move(s));
  ctx.report->goals.push_back(
      {"add_16m: >= 80% of the machine's memory bandwidth",
       fmt::format("{:.1f} of {:.1f} GB/s = {}", ours_bw, machine_bw, fmt_percent(share)),
       share >= 0.80});
}

}  // namespace descent::bench
