#pragma once
// Storage: one reference-counted, 64-byte-aligned block of bytes shared by a tensor and all of
// its views. Blocks come from a caching allocator (see allocator.h) so that the steady state of
// a training loop allocates no memory from the system.
#include <cstddef>
#include <cstdint>

#include "descent/core/ref.h"

namespace descent {

class Storage : public RefCounted {
 public:
  // Uninitialized bytes.
  static Ref<Storage> allocate(size_t nbytes);
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }

  // Bumped by every in-place write, so that autograd can detect that a tensor it saved for
  // the backward pass was overwritten in between.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  Storage(void* data, size_t nbytes) : data_(data), nbytes_(nbytes) {}
  void* data_;
  size_t nbytes_;
  uint64_t version_ = 0;
};

}  // namespace descent
