#pragma once
// The caching allocator behind storages, tensor headers and graph nodes. Small blocks are
// recycled through per-thread free lists (below); large blocks are kept in size-class bins
// after release and handed out again, which avoids returning them to the kernel and paying
// page faults on every reuse.
#include <bit>
#include <cstddef>
#include <cstdint>

namespace descent::allocator {

namespace detail {

// Small blocks: per-thread free lists for power-of-two classes from 64 B to 32 KiB. A tiny
// network allocates and frees about 80 such blocks per training step (tensors, storages, graph
// nodes); recycling them here costs a few instructions where the aligned heap path costs a
// hundred nanoseconds. The lists are intrusive (a free block holds the pointer to the next
// one) and live in a constant-initialized, trivially destructible thread_local, so the hot
// path below is inlined into its callers with no thread-local guard or wrapper call. Blocks
// of other sizes, an empty list, a full list and a thread without its owner object (which
// frees the lists at thread exit) take the out-of-line paths in allocator.cpp.
constexpr int kSmallClasses = 10;  // 64 << 9 = 32 KiB
constexpr size_t kSmallMax = size_t{64} << (kSmallClasses - 1);
constexpr uint32_t kSmallKeep = 256;  // blocks kept per class and thread

struct FreeBlock {
  FreeBlock* next;
};

struct SmallLists {
  FreeBlock* head[kSmallClasses];
  uint32_t count[kSmallClasses];
  // 0: no owner yet, 1: owner registered, 2: the thread is exiting (blocks go to the heap).
  uint8_t state;
};
extern constinit thread_local SmallLists t_small;

// The class c with 64 << (c - 1) < n <= 64 << c, and 0 for n <= 64 (zero bytes included):
// ceil(log2(n)) - 6 from the bit width of n - 1.
inline int small_class(size_t n) {
  return n <= 64 ? 0 : static_cast<int>(std::bit_width(n - 1)) - 6;
}

// Puts a free block of class c on this thread's list.
inline void push_free(void* p, int c) {
  FreeBlock* b = static_cast<FreeBlock*>(p);
  b->next = t_small.head[c];
  t_small.head[c] = b;
  ++t_small.count[c];
}

void* allocate_slow(size_t nbytes);
void release_slow(void* p, size_t nbytes);

}  // namespace detail

// A block of at least nbytes, 64-byte aligned; give it back with release(p, nbytes).
inline void* allocate(size_t nbytes) {
  using namespace detail;
  if (nbytes <= kSmallMax) {
    const int c = small_class(nbytes);
    if (FreeBlock* b = t_small.head[c]) {
      t_small.head[c] = b->next;
      --t_small.count[c];
      return b;
    }
  }
  return allocate_slow(nbytes);
}

inline void release(void* p, size_t nbytes) {
  using namespace detail;
  if (p && nbytes <= kSmallMax) {
    const int c = small_class(nbytes);
    if (t_small.count[c] < kSmallKeep && t_small.state == 1) return push_free(p, c);
  }
  release_slow(p, nbytes);
}

// Bytes currently parked in the cache, and the cap above which freed blocks go back to the
// system instead.
size_t cached_bytes();
void set_cache_limit(size_t bytes);
// Returns every cached block to the system.
void empty_cache();

// A standard allocator over allocate/release, for std::allocate_shared of graph nodes.
template <typename T>
struct BlockAllocator {
  using value_type = T;
  BlockAllocator() = default;
  template <typename U>
  BlockAllocator(const BlockAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(descent::allocator::allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { descent::allocator::release(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const BlockAllocator<U>&) const {
    return true;
  }
};

}  // namespace descent::allocator
