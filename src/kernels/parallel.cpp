#include "descent/kernels/parallel.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace descent::kernels {
namespace {

thread_local bool t_inside_pool = false;

// Rounds of a polling loop: about 50 µs (see Pool::spin_until_new_job).
constexpr int kSpinRounds = 20000;

// A hint to the core that this thread is polling (frees resources for its sibling thread).
inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Workers sleep on a condition variable between jobs. A job is a count of independent tasks
// that lives on the caller's stack; the caller and the workers claim tasks from its atomic
// counter until none are left, and the caller returns only when every worker has let go of it.
class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop_workers(); }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    stop_workers();
    stopping_ = false;
    stopping_flag_ = false;
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void run(int64_t count, const std::function<void(int64_t)>& task) {
    std::lock_guard one_job_at_a_time(run_mu_);
    Job job{&task, count};
    job.pending.store(count);
    {
      std::lock_guard g(mu_);
      current_ = &job;
      ++generation_;
    }
    wake_.notify_all();
    drain(job);
    // The workers usually finish their last tasks within microseconds of the caller; sleeping
    // on done_ would then cost a futex wake-up and a context switch (tens of microseconds on a
    // virtual machine) on every parallel loop of a training step, so poll for a while first.
    const auto finished = [&] { return job.pending.load() == 0 && job.users.load() == 0; };
    for (int i = 0; i < kSpinRounds && !finished(); ++i) pause();
    std::unique_lock g(mu_);
    done_.wait(g, finished);
    current_ = nullptr;  // under mu_: no worker can join the job from here on
  }

 private:
  struct Job {
    const std::function<void(int64_t)>* task;
    int64_t count;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> pending{0};
    std::atomic<int> users{0};  // workers inside drain(); changed only under mu_
  };

  void drain(Job& job) {
    t_inside_pool = true;
    for (int64_t i; (i = job.next.fetch_add(1)) < job.count;) {
      (*job.task)(i);
      if (job.pending.fetch_sub(1) == 1) {
        std::lock_guard g(mu_);
        done_.notify_all();
      }
    }
    t_inside_pool = false;
  }

  // Waking a sleeping thread costs tens of microseconds, as much as a whole large loop;
  // a worker that just finished a job therefore polls for the next one for a short while
  // (about 50 µs) before going to sleep. Loops in a training step come back to back.
  void spin_until_new_job(uint64_t seen) const {
    for (int i = 0; i < kSpinRounds; ++i) {
      if (generation_.load(std::memory_order_acquire) != seen || stopping_flag_.load()) return;
      pause();
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      Job* job;
      spin_until_new_job(seen);
      {
        std::unique_lock g(mu_);
        wake_.wait(g, [&] { return stopping_ || (generation_ != seen && current_); });
        if (stopping_) return;
        seen = generation_;
        job = current_;
        ++job->users;
      }
      drain(*job);
      std::lock_guard g(mu_);
      --job->users;
      done_.notify_all();
    }
  }

  void stop_workers() {
    {
      std::lock_guard g(mu_);
      stopping_ = true;
      stopping_flag_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::mutex run_mu_, mu_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  Job* current_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  bool stopping_ = false;
  std::atomic<bool> stopping_flag_{false};  // stopping_, readable without the lock
};

int default_threads() {
  if (const char* env = std::getenv("DESCENT_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

Pool& pool() {
  static Pool* p = [] {
    const int n = default_threads();
    // BLAS products are shared out over this pool (matmul.cpp), so OpenBLAS keeps no threads.
    openblas_set_num_threads(1);
    return new Pool(n);  // never destroyed: kernels may run during static destruction
  }();
  return *p;
}

}  // namespace

int num_threads() {
  return pool().threads();
}

void set_num_threads(int n) {
  n = std::max(1, n);
  pool().resize(n);
}

void parallel_tasks(int64_t count, const std::function<void(int64_t)>& task) {
  if (count <= 0) return;
  if (count == 1 || t_inside_pool || pool().threads() == 1) {
    for (int64_t i = 0; i < count; ++i) task(i);
    return;
  }
  // An exception thrown by a task on a worker is carried back and rethrown here.
  std::exception_ptr error;
  std::mutex error_mu;
  pool().run(count, [&](int64_t i) {
    try {
      task(i);
    } catch (...) {
      std::lock_guard g(error_mu);
      if (!error) error = std::current_exception();
    }
  });
  if (error) std::rethrow_exception(error);
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  // Up to four pieces per thread, so that a thread slowed down by something else does not
  // hold up the others: whoever is free takes the next piece. Beyond one piece per thread, a
  // whole number per thread: three pieces on two threads would leave one thread twice the work.
  const int64_t threads = num_threads();
  int64_t pieces =
      std::min<int64_t>(4 * threads, std::max<int64_t>(1, n / std::max<int64_t>(grain, 1)));
  if (pieces > threads) pieces -= pieces % threads;
  if (pieces <= 1 || t_inside_pool) {
    body(0, n);
    return;
  }
  parallel_tasks(pieces, [&](int64_t i) { body(n * i / pieces, n * (i + 1) / pieces); });
}

}  // namespace descent::kernels
