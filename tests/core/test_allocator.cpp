// The caching allocator behind Storage: alignment, usable size, reuse of freed small blocks
// and the per-thread free lists across thread lifetimes.
#include "descent/core/allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "descent/descent.h"

namespace descent {
namespace {

bool aligned64(const void* p) {
  return reinterpret_cast<uintptr_t>(p) % 64 == 0;
}

TEST(Allocator, BlocksAreAlignedAndWritableOverTheirWholeSize) {
  for (size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{1000}, size_t{4096},
                   size_t{32767}, size_t{32768}, size_t{32769}, size_t{100000}}) {
    void* p = allocator::allocate(n);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned64(p)) << n;
    std::memset(p, 0xAB, n);
    EXPECT_EQ(static_cast<unsigned char*>(p)[n - 1], 0xAB);
    allocator::release(p, n);
  }
  allocator::release(nullptr, 128);      // a no-op, as for delete
  void* empty = allocator::allocate(0);  // a valid, distinct block, as operator new gives
  EXPECT_NE(empty, nullptr);
  EXPECT_TRUE(aligned64(empty));
  allocator::release(empty, 0);
}

TEST(Allocator, FreedSmallBlockServesTheNextRequestOfItsClass) {
  // 100 and 128 bytes share the 128-byte class: the block just freed comes back.
  void* p = allocator::allocate(100);
  allocator::release(p, 100);
  void* q = allocator::allocate(128);
  EXPECT_EQ(p, q);
  // 129 bytes is the next class up: a different block.
  void* r = allocator::allocate(129);
  EXPECT_NE(r, q);
  allocator::release(q, 128);
  allocator::release(r, 129);
}

TEST(Allocator, ManyLiveBlocksAreDistinctAndSurviveBeyondTheCacheLimit) {
  // More blocks than a free list keeps: the surplus goes back to the heap on release.
  std::vector<void*> blocks;
  std::set<void*> seen;
  for (int i = 0; i < 1000; ++i) {
    void* p = allocator::allocate(256);
    std::memset(p, i & 0xFF, 256);
    blocks.push_back(p);
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i)
    EXPECT_EQ(static_cast<unsigned char*>(blocks[i])[255], i & 0xFF);
  for (void* p : blocks) allocator::release(p, 256);
}

TEST(Allocator, ThreadsKeepTheirOwnListsAndFreeThemOnExit) {
  // Blocks made on one thread may be freed on another; tensors made and dropped on short-lived
  // threads leave nothing behind (the sanitizer build checks for leaks and bad frees).
  void* from_main = allocator::allocate(512);
  std::thread t([&] {
    allocator::release(from_main, 512);
    for (int i = 0; i < 50; ++i) {
      Tensor x = ones({8, 8});
      Tensor y = add(x, x);
      EXPECT_EQ(y.at({7, 7}), 2.0);
    }
  });
  t.join();
  void* p = allocator::allocate(512);  // this thread's list is untouched by the other's
  EXPECT_TRUE(aligned64(p));
  allocator::release(p, 512);
}

}  // namespace
}  // namespace descent
