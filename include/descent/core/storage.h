#pragma once
// Storage: one reference-counted, 64-byte-aligned block of bytes shared by a tensor and all of
// its views. Blocks come from a caching allocator (see allocator.h) so that the steady state of
// a training loop allocates no memory from the system.
#include <cstddef>
#include <cstdint>
#include <new>

#include "descent/core/ref.h"

namespace descent {

class Storage : public RefCounted {
 public:
  // Uninitialized bytes. The Storage object and its bytes are one allocation: the header sits
  // in the first kHeaderBytes of the block and the data follows, still 64-byte aligned. A
  // tiny network makes dozens of tensors per step, and a second allocation for each would
  // cost as much as the arithmetic.
  static Ref<Storage> allocate(size_t nbytes);

  // Destroys the header and returns the whole block (C++20 destroying delete, so that
  // Ref<Storage>'s `delete` frees the block the header shares with the data).
  static void operator delete(Storage* p, std::destroying_delete_t);
  // Public only because clang 14 wrongly requires access to it for a destroying delete (which
  // does not call it); Storage objects are still made only by allocate().
  ~Storage() = default;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

  // Bumped by every in-place write, so that autograd can detect that a tensor it saved for
  // the backward pass was overwritten in between.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

  // Bytes in front of the data in a block: the header, padded to the data's alignment.
  static constexpr size_t kHeaderBytes = 64;

 private:
  Storage(void* data, size_t nbytes) : data_(data), nbytes_(nbytes) {}
  void* data_;
  size_t nbytes_;
  uint64_t version_ = 0;
};

}  // namespace descent
