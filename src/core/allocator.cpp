#include "descent/core/allocator.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace descent::allocator {
namespace {

constexpr size_t kAlign = 64;
// Blocks at least this large are cached; smaller ones are cheap in the C++ heap already.
constexpr size_t kCacheFrom = 32 * 1024;

// Large blocks are rounded up to a size class (four classes per power of two), so that a
// freed block can serve later requests of a similar size.
size_t size_class(size_t n) {
  if (n < kCacheFrom) return (n + kAlign - 1) / kAlign * kAlign;
  size_t pow2 = kCacheFrom;
  while (pow2 * 2 <= n) pow2 *= 2;
  const size_t quarter = pow2 / 4;
  return (n + quarter - 1) / quarter * quarter;
}

struct Cache {
  std::mutex mu;
  std::map<size_t, std::vector<void*>> bins;
  size_t bytes = 0;
  size_t limit = size_t{2} << 30;

  ~Cache() { drop_all(); }
  void drop_all() {
    for (auto& [size, blocks] : bins)
      for (void* p : blocks) ::operator delete(p, std::align_val_t(kAlign));
    bins.clear();
    bytes = 0;
  }
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: storages may be freed during exit
  return *c;
}

// Small blocks: per-thread free lists for power-of-two classes from 64 B to 32 KiB. A tiny
// network allocates and frees a few dozen such blocks per step; recycling them here costs a
// few instructions where the aligned heap path costs a hundred nanoseconds.
constexpr int kSmallClasses = 10;   // 64 << 9 = 32 KiB
constexpr size_t kSmallKeep = 256;  // blocks kept per class and thread

int small_class(size_t n) {
  int c = 0;
  while ((size_t{64} << c) < n) ++c;
  return c;
}

// Tensors may be freed during thread or program exit, after this thread's cache is gone;
// t_small_cache_dead (trivially destructible, so always readable) sends them to the heap.
thread_local bool t_small_cache_dead = false;

struct SmallCache {
  std::vector<void*> bins[kSmallClasses];
  ~SmallCache() {
    t_small_cache_dead = true;
    for (auto& bin : bins)
      for (void* p : bin) ::operator delete(p, std::align_val_t(kAlign));
  }
};

SmallCache* small_cache() {
  if (t_small_cache_dead) return nullptr;
  thread_local SmallCache c;
  return &c;
}

}  // namespace

void* allocate(size_t nbytes) {
  if (nbytes <= (size_t{64} << (kSmallClasses - 1))) {
    const int c = small_class(nbytes);
    if (SmallCache* cache = small_cache(); cache && !cache->bins[c].empty()) {
      void* p = cache->bins[c].back();
      cache->bins[c].pop_back();
      return p;
    }
    return ::operator new (size_t{64} << c, std::align_val_t(kAlign));
  }
  const size_t n = size_class(nbytes);
  if (n >= kCacheFrom) {
    Cache& c = cache();
    std::lock_guard lock(c.mu);
    auto it = c.bins.find(n);
    if (it != c.bins.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.bytes -= n;
      return p;
    }
  }
  return ::operator new(n, std::align_val_t(kAlign));
}

void release(void* p, size_t nbytes) {
  if (!p) return;
  if (nbytes <= (size_t{64} << (kSmallClasses - 1))) {
    SmallCache* cache = small_cache();
    if (cache && cache->bins[small_class(nbytes)].size() < kSmallKeep) {
      cache->bins[small_class(nbytes)].push_back(p);
      return;
    }
    ::operator delete(p, std::align_val_t(kAlign));
    return;
  }
  const size_t n = size_class(nbytes);
  if (n >= kCacheFrom) {
    Cache& c = cache();
    std::lock_guard lock(c.mu);
    if (c.bytes + n <= c.limit) {
      c.bins[n].push_back(p);
      c.bytes += n;
      return;
    }
  }
  ::operator delete(p, std::align_val_t(kAlign));
}

size_t cached_bytes() {
  std::lock_guard lock(cache().mu);
  return cache().bytes;
}

void set_cache_limit(size_t bytes) {
  std::lock_guard lock(cache().mu);
  cache().limit = bytes;
}

void empty_cache() {
  std::lock_guard lock(cache().mu);
  cache().drop_all();
}

}  // namespace descent::allocator
