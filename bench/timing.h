#pragma once
// The one way every benchmark is timed (tools/bench_torch.py does exactly the same in Python):
// call the function until `warmup_s` has passed (at least twice); from that, size a batch to
// last about `batch_s` (at least one call), run batches until `total_s` has passed (at least
// `min_batches`), and report the median time per call over the batches.
//
// Batches are kept short on purpose: when other processes share the cores, the scheduler takes
// the CPU away for whole time slices (milliseconds); a short batch is either untouched or
// visibly slow, and the median keeps the untouched ones. A long batch would average the
// neighbours' time slices into the result.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace descent::bench {

struct TimingConfig {
  double total_s = 0.5;
  int min_batches = 7;
  double batch_s = 0.002;
  double warmup_s = 0.05;
};

// Full runs and --quick smoke runs.
inline constexpr TimingConfig kFullTiming{0.5, 7, 0.002, 0.05};
inline constexpr TimingConfig kQuickTiming{0.05, 3, 0.002, 0.01};

// Set once by main() from the command line; read by every workload.
inline TimingConfig& timing_config() {
  static TimingConfig config = kFullTiming;
  return config;
}

struct Measurement {
  double median_s = 0;  // per call
  double min_s = 0;     // per call, fastest batch
  int64_t calls_per_batch = 0;
};

inline double now_s() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// Keeps the compiler from discarding a value that is computed only to be timed.
template <typename T>
inline void keep(const T& value) {
  asm volatile("" : : "g"(&value) : "memory");
}

template <typename F>
Measurement measure(F&& fn, const TimingConfig& cfg = timing_config()) {
  int64_t calls = 0;
  double elapsed = 0;
  const double start = now_s();
  do {
    fn();
    ++calls;
    elapsed = now_s() - start;
  } while (calls < 2 || elapsed < cfg.warmup_s);

  const double per_call = elapsed / static_cast<double>(calls);
  const int64_t iters = std::max<int64_t>(1, std::llround(cfg.batch_s / std::max(per_call, 1e-9)));
  std::vector<double> times;
  for (const double start2 = now_s();
       static_cast<int>(times.size()) < cfg.min_batches || now_s() - start2 < cfg.total_s;) {
    const double t0 = now_s();
    for (int64_t i = 0; i < iters; ++i) fn();
    times.push_back((now_s() - t0) / static_cast<double>(iters));
  }
  std::sort(times.begin(), times.end());
  const size_t n = times.size();
  const double median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
  return {median, times.front(), iters};
}

}  // namespace descent::bench
