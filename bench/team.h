#pragma once
// A team of plain std::threads for the bench's reference loops (memory-bandwidth bounds), so
// those bounds do not depend on descent's own thread pool.
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace descent::bench {

// Runs body(t, begin, end) for t = 0..threads-1 on `threads` threads over [0, n) split into
// contiguous pieces whose boundaries are multiples of 16 elements (64 bytes). Threads are started
// per call; that costs tens of microseconds against milliseconds of memory traffic.
inline void run_team(int threads, int64_t n,
                     const std::function<void(int, int64_t, int64_t)>& body) {
  auto bound = [&](int t) { return t == threads ? n : (n * t / threads) / 16 * 16; };
  std::vector<std::thread> team;
  for (int t = 1; t < threads; ++t) team.emplace_back([&, t] { body(t, bound(t), bound(t + 1)); });
  body(0, 0, bound(1));
  for (auto& th : team) th.join();
}

}  // namespace descent::bench
