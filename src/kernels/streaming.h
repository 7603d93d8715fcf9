#pragma once
// Writing large outputs around the cache. A plain store first reads the destination's cache
// line from memory, so c = a + b moves four streams of bytes instead of three; non-temporal
// stores skip that read. Used only for outputs well beyond the last-level cache, where the
// written data would be evicted before anyone reads it anyway.
#include <algorithm>
#include <cstdint>

#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace descent::kernels {

constexpr int64_t kStreamingBytes = int64_t{16} << 20;

// dst[0, n) = src[0, n) with non-temporal stores where the target allows it.
template <typename T>
void stream_store(T* dst, const T* src, int64_t n) {
#if defined(__AVX__)
  int64_t i = 0;
  while (i < n && reinterpret_cast<uintptr_t>(dst + i) % 32 != 0) {
    dst[i] = src[i];
    ++i;
  }
  constexpr int64_t kLanes = 32 / sizeof(T);
  for (; i + kLanes <= n; i += kLanes)
    _mm256_stream_si256(reinterpret_cast<__m256i*>(dst + i),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
  for (; i < n; ++i) dst[i] = src[i];
#else
  std::copy(src, src + n, dst);
#endif
}

// Non-temporal stores are weakly ordered: fence them before the range is handed back.
inline void stream_fence() {
#if defined(__AVX__)
  _mm_sfence();
#endif
}

// o[i] = elem(i) for i in [begin, end); with `streaming`, through a small buffer and
// non-temporal stores, which keeps the compute loop as vectorizable as the plain one. The
// buffer is four cache lines of floats: reads and non-temporal writes then alternate finely
// enough to overlap in the memory system (a 2048-element buffer made c = a + b over 16M floats
// 25% slower), and the compute loop is still long enough to vectorize (at one vector per
// store, GCC left tanh's polynomial scalar, 5x slower).
template <typename TO, typename Elem>
void write_range(TO* o, int64_t begin, int64_t end, bool streaming, Elem elem) {
  if (!streaming) {
    for (int64_t i = begin; i < end; ++i) o[i] = elem(i);
    return;
  }
  constexpr int64_t kChunk = 64;
  alignas(64) TO buf[kChunk];
  for (int64_t i0 = begin; i0 < end; i0 += kChunk) {
    const int64_t n = std::min(kChunk, end - i0);
    for (int64_t j = 0; j < n; ++j) buf[j] = elem(i0 + j);
    stream_store(o + i0, buf, n);
  }
  stream_fence();
}

}  // namespace descent::kernels
