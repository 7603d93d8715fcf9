#pragma once
// Parallel loops over a small persistent thread pool.
//
// Work is split only when each piece gets at least `grain` elements, so small tensors run on
// the calling thread and never pay for waking a worker; this keeps two threads from ever being
// slower than one on small ops. Splits depend only on the sizes and the thread count, never on
// timing, so results are deterministic for a fixed thread count.
#include <cstdint>
#include <functional>

namespace descent::kernels {

// The most threads the pool takes: far beyond any core count this code is tuned for, and far
// below what exhausts the system's thread limit.
constexpr int kMaxThreads = 256;

// Threads used by descent's kernels, BLAS products included (they are cut into one block per
// thread). Defaults to the hardware concurrency (at most kMaxThreads), or to DESCENT_NUM_THREADS
// when set: a ValueError naming the variable at the first kernel call when that is not an
// integer in [1, kMaxThreads].
int num_threads();
// ValueError for n outside [1, kMaxThreads]; an IOError naming the count when the system refuses
// to start the threads (the pool then keeps those it did start).
void set_num_threads(int n);

// Calls body(begin, end) over disjoint ranges that cover [0, n).
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

// Calls task(i) for every i in [0, count), spread over the pool. Tasks must be independent.
void parallel_tasks(int64_t count, const std::function<void(int64_t)>& task);

// Default minimum elements per piece for cheap elementwise loops.
constexpr int64_t kElementwiseGrain = 65536;

}  // namespace descent::kernels
