// The thread pool: every task runs exactly once, whatever the pace of the jobs (back to back,
// so that workers poll; or spaced out, so that they and the caller sleep), errors come back
// to the caller, nested loops run inline, and resizing keeps all of this.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "descent/core/error.h"
#include "descent/kernels/parallel.h"

namespace descent::kernels {
namespace {

// Restores the pool's thread count when a test ends.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : saved_(num_threads()) {}
  ~ThreadCountGuard() { set_num_threads(saved_); }

 private:
  int saved_;
};

// Runs `count` tasks and checks that each ran exactly once.
void expect_each_task_once(int64_t count) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
  parallel_tasks(count, [&](int64_t i) { hits[static_cast<size_t>(i)].fetch_add(1); });
  for (int64_t i = 0; i < count; ++i)
    ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "task " << i << " of " << count;
}

TEST(ThreadPool, EveryTaskRunsOnceAtEveryThreadCount) {
  ThreadCountGuard guard;
  for (int threads : {1, 2, 3, 4}) {
    set_num_threads(threads);
    EXPECT_EQ(num_threads(), threads);
    for (int64_t count : {1, 2, 3, 7, 64, 1000}) expect_each_task_once(count);
  }
}

TEST(ThreadPool, BackToBackJobsEachRunEveryTaskOnce) {
  ThreadCountGuard guard;
  set_num_threads(2);
  // Thousands of tiny jobs in a row: the workers poll and join jobs while the caller is
  // finishing the previous one, the race the hand-over has to get right.
  for (int job = 0; job < 5000; ++job) expect_each_task_once(1 + job % 5);
}

TEST(ThreadPool, SpacedOutJobsWakeSleepingWorkers) {
  ThreadCountGuard guard;
  set_num_threads(3);
  for (int job = 0; job < 20; ++job) {
    // Longer than the workers poll: they are asleep when the job comes.
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    expect_each_task_once(4);
  }
}

TEST(ThreadPool, CallerSleepsUntilSlowTasksFinish) {
  ThreadCountGuard guard;
  set_num_threads(2);
  for (int job = 0; job < 10; ++job) {
    std::atomic<int> done{0};
    // One task outlasts the caller's polling, so the caller waits asleep for it.
    parallel_tasks(2, [&](int64_t i) {
      if (i == 1) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      done.fetch_add(1);
    });
    EXPECT_EQ(done.load(), 2);
  }
}

TEST(ThreadPool, ParallelForCoversTheRangeInWholePiecesPerThread) {
  ThreadCountGuard guard;
  set_num_threads(2);
  for (int64_t n : {1, 100, 3000, 100000}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    std::atomic<int> pieces{0};
    parallel_for(n, 1000, [&](int64_t begin, int64_t end) {
      pieces.fetch_add(1);
      for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
    });
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << i;
    // 3000 elements at a grain of 1000 make three pieces' worth: cut into two, one per thread.
    if (n == 3000) {
      EXPECT_EQ(pieces.load(), 2);
    }
    if (n == 100000) {
      EXPECT_EQ(pieces.load() % 2, 0);
    }
  }
}

TEST(ThreadPool, AnErrorInATaskReachesTheCaller) {
  ThreadCountGuard guard;
  set_num_threads(2);
  std::atomic<int> ran{0};
  EXPECT_THROW(parallel_tasks(8,
                              [&](int64_t i) {
                                ran.fetch_add(1);
                                if (i == 5) throw std::runtime_error("task 5 failed");
                              }),
               std::runtime_error);
  EXPECT_EQ(ran.load(), 8);   // the other tasks still ran
  expect_each_task_once(16);  // and the pool still works
}

TEST(ThreadPool, CountsOutsideOneToTheMaximumAreErrors) {
  ThreadCountGuard guard;
  set_num_threads(2);
  for (int bad : {0, -3, kMaxThreads + 1}) {
    try {
      set_num_threads(bad);
      FAIL() << "no error for " << bad;
    } catch (const ValueError& e) {
      EXPECT_EQ(std::string(e.what()),
                "set_num_threads: expected a count in [1, 256], got " + std::to_string(bad));
    }
  }
  EXPECT_EQ(num_threads(), 2);  // unchanged by the refusals
}

TEST(ThreadPool, NestedLoopsRunInline) {
  ThreadCountGuard guard;
  set_num_threads(2);
  std::atomic<int64_t> total{0};
  parallel_tasks(4, [&](int64_t) {
    parallel_for(1 << 20, 1, [&](int64_t begin, int64_t end) { total.fetch_add(end - begin); });
  });
  EXPECT_EQ(total.load(), 4 * (int64_t{1} << 20));
}

}  // namespace
}  // namespace descent::kernels
