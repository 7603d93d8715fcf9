// Small ops with 1 and with 2 threads: descent must never be slower with 2 (PyTorch here runs
// small ops several times slower with 2 threads than with 1). Each case becomes two rows,
// <name>_t1 and <name>_t2, compared with PyTorch at the same thread count.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "bench.h"
#include "descent/descent.h"
#include "descent/kernels/parallel.h"
#include "timing.h"
#include "tiny_net.h"

namespace descent::bench {
namespace {

constexpr double kTolerance = 1.05;  // 2 threads may be at most 5 % slower (noise)

struct Case {
  const char* name;
  const char* what;
  std::function<std::function<void()>()> make;  // builds the state, returns the timed call
};

std::function<void()> make_add(int64_t n) {
  Generator gen(3);
  auto a = std::make_shared<Tensor>(randn({n}, gen));
  auto b = std::make_shared<Tensor>(randn({n}, gen));
  return [a, b] { keep(*a + *b); };
}

std::vector<Case> cases() {
  return {
      {"add_1k", "a + b, 1000 float32", [] { return make_add(1000); }},
      {"add_64k", "a + b, 64Ki float32", [] { return make_add(64 * 1024); }},
      {"add_1m", "a + b, 1Mi float32", [] { return make_add(1024 * 1024); }},
      {"tiny_step", "one tiny_step",
       [] {
         auto net = std::make_shared<TinyNet>();
         return std::function<void()>([net] { keep(net->step()); });
       }},
  };
}

}  // namespace

std::vector<std::string> thread_workload_names() {
  std::vector<std::string> names;
  for (const Case& c : cases())
    for (int t : {1, 2}) names.push_back(fmt::format("{}_t{}", c.name, t));
  return names;
}

void run_threads(Context& ctx) {
  const int restore = kernels::num_threads();
  Section s;
  s.title = "threads: descent with 1 and 2 threads (kernels::set_num_threads)";
  s.header = {"case", "what", "1 thread us", "2 threads us", "2t / 1t", "", "pytorch 2t / 1t"};
  int slower = 0;
  std::string worst;
  double worst_ratio = 0;
  for (const Case& c : cases()) {
    // Two interleaved rounds; the better median of each thread count counts.
    double t[3] = {kNaN, kNaN, kNaN};
    for (int round = 0; round < 2; ++round)
      for (int n : {1, 2}) {
        kernels::set_num_threads(n);
        auto fn = c.make();
        const double v = measure(fn).median_s * 1e6;
        t[n] = std::isfinite(t[n]) ? std::min(t[n], v) : v;
      }
    const double r = t[2] / t[1];
    const bool bad = r > kTolerance;
    slower += bad;
    if (r > worst_ratio) worst_ratio = r, worst = c.name;
    const double tr = ctx.torch_value(fmt::format("{}_t2", c.name)) /
                      ctx.torch_value(fmt::format("{}_t1", c.name));
    s.rows.push_back({c.name, c.what, fmt_value(t[1]), fmt_value(t[2]), fmt::format("{:.2f}", r),
                      bad ? "SLOWER" : "ok", std::isfinite(tr) ? fmt::format("{:.2f}", tr) : "-"});
    for (int n : {1, 2}) {
      Row& row = ctx.add_row(fmt::format("{}_t{}", c.name, n), t[n], "us");
      row.note = fmt::format("{} thread{}, both sides", n, n > 1 ? "s" : "");
    }
  }
  kernels::set_num_threads(restore);
  s.notes.push_back(fmt::format(
      "SLOWER: 2 threads more than {:.0f}% slower than 1. Each time is the better median of two "
      "interleaved rounds.",
      (kTolerance - 1) * 100));
  ctx.report->sections.push_back(std::move(s));
  ctx.report->goals.push_back(
      {"threads: 2 threads never slower than 1 (> 5%)",
       fmt::format("{} slower case(s); worst 2t/1t {:.2f} ({})", slower, worst_ratio, worst),
       slower == 0});
}

}  // namespace descent::bench
