#include "descent/core/allocator.h"

#include <bit>
#include <cstdint>
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

using detail::FreeBlock;
using detail::kSmallClasses;
using detail::kSmallKeep;
using detail::kSmallMax;
using detail::push_free;
using detail::small_class;
using detail::t_small;

void drop_small_lists() {
  for (int c = 0; c < kSmallClasses; ++c) {
    for (FreeBlock* b = t_small.head[c]; b;) {
      FreeBlock* next = b->next;
      ::operator delete(b, std::align_val_t(kAlign));
      b = next;
    }
    t_small.head[c] = nullptr;
    t_small.count[c] = 0;
  }
}

// Frees this thread's cached blocks when the thread ends; tensors freed after that (during
// thread or program exit) go straight to the heap.
struct SmallListsOwner {
  ~SmallListsOwner() {
    t_small.state = 2;
    drop_small_lists();
  }
};

[[gnu::noinline]] bool register_small_owner() {
  thread_local SmallListsOwner owner;
  (void)owner;
  t_small.state = 1;
  return true;
}

}  // namespace

namespace detail {

// Zero-initialized and trivially destructible: readable at any time, even during thread exit.
constinit thread_local SmallLists t_small{};

void* allocate_slow(size_t nbytes) {
  if (nbytes <= kSmallMax)
    return ::operator new (size_t{64} << small_class(nbytes), std::align_val_t(kAlign));
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

void release_slow(void* p, size_t nbytes) {
  if (!p) return;
  if (nbytes <= kSmallMax) {
    const int c = small_class(nbytes);
    if (t_small.count[c] < kSmallKeep && t_small.state == 0 && register_small_owner())
      return push_free(p, c);
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

}  // namespace detail

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
