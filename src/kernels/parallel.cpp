#include "descent/kernels/parallel.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "descent/core/error.h"

namespace descent::kernels {
namespace {

thread_local bool t_inside_pool = false;

// Rounds of a polling loop: about 50 µs.
constexpr int kSpinRounds = 20000;

// A hint to the core that this thread is polling (frees resources for its sibling thread).
inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// A job is a count of independent tasks that lives on the caller's stack; the caller and the
// workers claim tasks from its atomic counter until none are left, and the caller returns only
// when no worker can touch the job any more.
//
// Handing a job over takes no lock. Waking a sleeping thread, or a thread that blocks on a
// mutex another thread holds, costs a futex call and a context switch: tens of microseconds on
// a virtual machine, as much as a whole loop of a training step. So workers poll for the next
// job for about 50 µs before they sleep, the caller polls for the workers' last tasks before
// it sleeps, and the mutex and condition variables are used only on the way to sleep and to
// wake a sleeper. Every flag that decides whether to sleep or to wake is a sequentially
// consistent atomic written by one side and read by the other after its own write (see each
// use), so one of the two always sees the other.
class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop_workers(); }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    stop_workers();
    stopping_.store(false);
    try {
      for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error& e) {
      throw IOError("set_num_threads: could not start " + std::to_string(threads) + " threads (" +
                    e.what() + "); running with " + std::to_string(this->threads()));
    }
  }

  void run(int64_t count, const std::function<void(int64_t)>& task) {
    std::lock_guard one_job_at_a_time(run_mu_);
    Job job{&task, count};
    job.pending.store(count);
    current_.store(&job);
    generation_.fetch_add(1);
    // A worker counts itself in sleepers_ before it checks generation_ for the last time: if
    // it is not counted here, it will see the new generation and not sleep.
    if (sleepers_.load() > 0) {
      std::lock_guard g(mu_);
      wake_.notify_all();
    }
    drain(job);
    for (int i = 0; i < kSpinRounds && job.pending.load() != 0; ++i) pause();
    if (job.pending.load() != 0) {
      std::unique_lock g(mu_);
      // Set before the last look at pending: the worker that finishes the last task reads it
      // after its own decrement, so it either sees it and notifies or we see pending at 0.
      job.caller_sleeping.store(true);
      done_.wait(g, [&] { return job.pending.load() == 0; });
    }
    // From here no worker may take the job. A worker that read current_ before this store
    // counted itself in joining_ first and counts itself in job.users before it leaves
    // joining_, so once both are zero, every worker that saw the job has let go of it.
    // They only have bookkeeping left; yielding after a while lets a worker that was
    // preempted there (more threads than cores) finish it.
    current_.store(nullptr);
    for (int i = 0; joining_.load() != 0 || job.users.load() != 0; ++i) {
      if (i < kSpinRounds)
        pause();
      else
        std::this_thread::yield();
    }
  }

 private:
  struct Job {
    const std::function<void(int64_t)>* task;
    int64_t count;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> pending{0};
    std::atomic<int> users{0};  // workers that joined the job and have not let go of it
    std::atomic<bool> caller_sleeping{false};
  };

  void drain(Job& job) {
    t_inside_pool = true;
    for (int64_t i; (i = job.next.fetch_add(1)) < job.count;) {
      (*job.task)(i);
      if (job.pending.fetch_sub(1) == 1 && job.caller_sleeping.load()) {
        std::lock_guard g(mu_);
        done_.notify_all();
      }
    }
    t_inside_pool = false;
  }

  // Returns when generation_ differs from `seen` or the pool is stopping: polls for about
  // 50 µs (loops in a training step come back to back), then sleeps.
  void wait_for_job(uint64_t seen) {
    const auto ready = [&] { return generation_.load() != seen || stopping_.load(); };
    for (int i = 0; i < kSpinRounds; ++i) {
      if (ready()) return;
      pause();
    }
    std::unique_lock g(mu_);
    sleepers_.fetch_add(1);
    wake_.wait(g, ready);
    sleepers_.fetch_sub(1);
  }

  void worker_loop() {
    uint64_t seen = generation_.load();
    for (;;) {
      wait_for_job(seen);
      if (stopping_.load()) return;
      seen = generation_.load();
      joining_.fetch_add(1);
      Job* job = current_.load();
      if (job) job->users.fetch_add(1);
      joining_.fetch_sub(1);
      if (!job) continue;  // the job of that generation has already ended
      drain(*job);
      job->users.fetch_sub(1);
    }
  }

  void stop_workers() {
    stopping_.store(true);
    {
      std::lock_guard g(mu_);
      wake_.notify_all();
    }
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::mutex run_mu_, mu_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::atomic<Job*> current_{nullptr};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> sleepers_{0};  // workers on their way to sleep or asleep on wake_
  std::atomic<int> joining_{0};   // workers between reading current_ and joining its job
  std::atomic<bool> stopping_{false};
};

int default_threads() {
  const char* env = std::getenv("DESCENT_NUM_THREADS");
  if (env != nullptr && *env != '\0') {  // set and not empty (VAR= clears it for one command)
    const std::string_view text(env);
    int n = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (error != std::errc() || end != text.data() + text.size() || n < 1 || n > kMaxThreads)
      throw ValueError("DESCENT_NUM_THREADS: expected an integer in [1, " +
                       std::to_string(kMaxThreads) + "], got '" + std::string(text) + "'");
    return n;
  }
  return static_cast<int>(
      std::clamp(std::thread::hardware_concurrency(), 1u, static_cast<unsigned>(kMaxThreads)));
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
  if (n < 1 || n > kMaxThreads)
    throw ValueError("set_num_threads: expected a count in [1, " + std::to_string(kMaxThreads) +
                     "], got " + std::to_string(n));
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
