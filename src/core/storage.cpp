#include "descent/core/storage.h"

#include "descent/core/allocator.h"

namespace descent {

Ref<Storage> Storage::allocate(size_t nbytes) {
  return Ref<Storage>(new Storage(allocator::allocate(nbytes), nbytes));
}

Storage::~Storage() {
  allocator::release(data_, nbytes_);
}

}  // namespace descent
