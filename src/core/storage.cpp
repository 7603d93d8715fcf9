#include "descent/core/storage.h"

#include <cstdint>
#include <string>
#include "descent/core/allocator.h"

#include "descent/core/error.h"

namespace descent {

static_assert(sizeof(Storage) <= Storage::kHeaderBytes, "Storage header outgrew its slot");

Ref<Storage> Storage::allocate(size_t nbytes) {
  if (nbytes > SIZE_MAX - kHeaderBytes)
    throw ValueError("storage: " + std::to_string(nbytes) + " bytes cannot be allocated");
  char* block = static_cast<char*>(allocator::allocate(kHeaderBytes + nbytes));
  return Ref<Storage>(new (block) Storage(block + kHeaderBytes, nbytes));
}

void Storage::operator delete(Storage* p, std::destroying_delete_t) {
  const size_t block_bytes = kHeaderBytes + p->nbytes_;
  p->~Storage();
  allocator::release(p, block_bytes);
}

}  // namespace descent
