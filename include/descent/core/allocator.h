#pragma once
// The caching allocator behind Storage. Small blocks go to the C++ heap (whose thread caches
// are already fast); large blocks are kept in size-class bins after release and handed out
// again, which avoids returning them to the kernel and paying page faults on every reuse.
#include <cstddef>

namespace descent::allocator {

void* allocate(size_t nbytes);
void release(void* p, size_t nbytes);

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
