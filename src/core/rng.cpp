#include "descent/core/rng.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <numbers>
#include <type_traits>

namespace descent {

namespace {

constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // round multipliers
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // key increments (Weyl sequence)

// Philox4x32-10 on L independent counters at once, words in lanes c[word][lane]. Each round
// is, per lane, (c0, c1, c2, c3) ← (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1,
// lo(M0·c0)), then the key is bumped; with the lanes innermost the compiler turns every step
// into vector instructions (32×32→64-bit multiplies included).
template <int L>
void philox_lanes(uint32_t (&c)[4][L], uint32_t k0, uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    for (int l = 0; l < L; ++l) {
      const uint64_t p0 = uint64_t{kM0} * c[0][l];
      const uint64_t p1 = uint64_t{kM1} * c[2][l];
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c[1][l] ^ k0;
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c[3][l] ^ k1;
      c[0][l] = n0;
      c[1][l] = static_cast<uint32_t>(p1);
      c[2][l] = n2;
      c[3][l] = static_cast<uint32_t>(p0);
    }
    k0 += kW0;
    k1 += kW1;
  }
}

#if defined(__AVX2__)
// philox_lanes for 8 counters in AVX2 registers. _mm256_mul_epu32 multiplies the even 32-bit
// lanes into 64-bit products, so each multiply is done for the even lanes and, shifted down,
// for the odd ones; hi and lo put the products' halves back into the lanes they belong to.
void philox_avx2(__m256i (&c)[4], uint32_t k0, uint32_t k1) {
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kM1));
  const auto hi = [](__m256i even, __m256i odd) {
    return _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0b10101010);
  };
  const auto lo = [](__m256i even, __m256i odd) {
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0b10101010);
  };
  for (int round = 0; round < 10; ++round) {
    const __m256i p0e = _mm256_mul_epu32(c[0], m0);
    const __m256i p0o = _mm256_mul_epu32(_mm256_srli_epi64(c[0], 32), m0);
    const __m256i p1e = _mm256_mul_epu32(c[2], m1);
    const __m256i p1o = _mm256_mul_epu32(_mm256_srli_epi64(c[2], 32), m1);
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
    const __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
    const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi(p1e, p1o), c[1]), key0);
    const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi(p0e, p0o), c[3]), key1);
    c[1] = lo(p1e, p1o);
    c[3] = lo(p0e, p0o);
    c[0] = n0;
    c[2] = n2;
    k0 += kW0;
    k1 += kW1;
  }
}
#endif

// Blocks first, first+1, ..., first+count-1 of the stream with this seed, 4 words each, in
// order: the words `count` refills of next_u32 would give.
void philox_blocks(uint64_t seed, uint64_t first, int64_t count, uint32_t* out) {
  constexpr int kLanes = 8;
  const auto k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int64_t b = 0; b < count; b += kLanes) {
    uint32_t c[4][kLanes];
    for (int l = 0; l < kLanes; ++l) {
      const uint64_t counter = first + static_cast<uint64_t>(b + l);
      c[0][l] = static_cast<uint32_t>(counter);
      c[1][l] = static_cast<uint32_t>(counter >> 32);
      c[2][l] = 0;
      c[3][l] = 0;
    }
#if defined(__AVX2__)
    __m256i v[4];
    for (int w = 0; w < 4; ++w) v[w] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c[w]));
    philox_avx2(v, k0, k1);
    for (int w = 0; w < 4; ++w) _mm256_storeu_si256(reinterpret_cast<__m256i*>(c[w]), v[w]);
#else
    philox_lanes(c, k0, k1);
#endif
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, count - b));
    for (int l = 0; l < lanes; ++l)
      for (int w = 0; w < 4; ++w) out[4 * (b + l) + w] = c[w][l];
  }
}

}  // namespace

std::array<uint32_t, 4> Generator::philox(std::array<uint32_t, 4> counter,
                                          std::array<uint32_t, 2> key) {
  uint32_t c[4][1] = {{counter[0]}, {counter[1]}, {counter[2]}, {counter[3]}};
  philox_lanes(c, key[0], key[1]);
  return {c[0][0], c[1][0], c[2][0], c[3][0]};
}

void Generator::next_u32s(uint32_t* out, int64_t n) {
  int64_t i = 0;
  while (i < n && used_ < 4) out[i++] = block_[used_++];
  const int64_t whole = (n - i) / 4;
  if (whole > 0) {
    philox_blocks(seed_, counter_, whole, out + i);
    counter_ += static_cast<uint64_t>(whole);
    i += 4 * whole;
    std::copy(out + i - 4, out + i, block_.begin());  // the state sequential draws leave
    used_ = 4;
  }
  while (i < n) out[i++] = next_u32();
}

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  counter_ = 0;
  used_ = 4;
  has_spare_ = false;
  spare_ = 0.0;
}

void Generator::refill() {
  const std::array<uint32_t, 4> ctr = {static_cast<uint32_t>(counter_),
                                       static_cast<uint32_t>(counter_ >> 32), 0u, 0u};
  const std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed_),
                                       static_cast<uint32_t>(seed_ >> 32)};
  block_ = philox(ctr, key);
  ++counter_;
  used_ = 0;
}

uint32_t Generator::next_u32() {
  if (used_ >= 4) refill();
  return block_[used_++];
}

uint64_t Generator::next_u64() {
  const uint64_t hi = next_u32();
  return (hi << 32) | next_u32();
}

double Generator::uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

float Generator::uniform_float() {
  return static_cast<float>(next_u32() >> 8) * 0x1.0p-24f;
}

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Box–Muller: for u1 in (0, 1] and u2 in [0, 1), r = sqrt(-2 ln u1) and angle 2πu2 give
  // two independent standard normals r·cos(angle) and r·sin(angle).
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(angle);
  has_spare_ = true;
  return r * std::cos(angle);
}

uint64_t Generator::below(uint64_t n) {
  if (n == 0) throw ValueError("Generator::below: n must be positive");
  // Rejection sampling: accept only draws from the largest multiple of n, so every residue
  // is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % n;
}

Generator::State Generator::state_with_seed() const {
  return State{seed_, counter_, used_, block_, has_spare_, spare_};
}

void Generator::set_state(const State& s) {
  if (s.used > 4) throw ValueError("Generator::set_state: used must be in [0, 4]");
  seed_ = s.seed;
  counter_ = s.counter;
  used_ = s.used;
  block_ = s.block;
  has_spare_ = s.has_spare_normal;
  spare_ = s.spare_normal;
}

Generator& default_generator() {
  static Generator gen(0);
  return gen;
}

void manual_seed(uint64_t seed) {
  default_generator().manual_seed(seed);
}

namespace {
template <typename Draw>
Tensor fill_floating(const Shape& shape, DType dtype, const char* op, Draw draw) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch_floating(dtype, op, [&](auto zero) {
    using T = decltype(zero);
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(draw(zero));
  });
  return t;
}
}  // namespace

// U[0, 1) from the stream in chunks of words drawn at once (next_u32s), exactly as
// uniform_float (one word: its top 24 bits) and uniform (two words, high first: the top 53
// bits of the 64) would draw them one by one.
Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  dispatch_floating(dtype, "rand", [&](auto zero) {
    using T = decltype(zero);
    constexpr int64_t kWordsPer = std::is_same_v<T, float> ? 1 : 2;
    constexpr int64_t kChunk = 1024;  // values per chunk
    uint32_t words[kChunk * kWordsPer];
    T* p = t.data<T>();
    for (int64_t start = 0; start < t.numel(); start += kChunk) {
      const int64_t count = std::min(kChunk, t.numel() - start);
      gen.next_u32s(words, count * kWordsPer);
      for (int64_t i = 0; i < count; ++i) {
        if constexpr (std::is_same_v<T, float>) {
          p[start + i] = static_cast<float>(words[i] >> 8) * 0x1.0p-24f;
        } else {
          const uint64_t bits = (uint64_t{words[2 * i]} << 32) | words[2 * i + 1];
          p[start + i] = static_cast<double>(bits >> 11) * 0x1.0p-53;
        }
      }
    }
  });
  return t;
}
Tensor rand(const Shape& shape, DType dtype) {
  return rand(shape, default_generator(), dtype);
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  return fill_floating(shape, dtype, "randn", [&](auto) { return gen.normal(); });
}
Tensor randn(const Shape& shape, DType dtype) {
  return randn(shape, default_generator(), dtype);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen) {
  if (high <= low)
    throw ValueError("randint: need low < high, got low=" + std::to_string(low) +
                     ", high=" + std::to_string(high));
  Tensor t = Tensor::empty(shape, DType::Int64);
  int64_t* p = t.data<int64_t>();
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = low + static_cast<int64_t>(gen.below(span));
  return t;
}

Tensor randperm(int64_t n, Generator& gen) {
  if (n < 0) throw ValueError("randperm: n must be non-negative, got " + std::to_string(n));
  Tensor t = arange(n, DType::Int64);
  int64_t* p = t.data<int64_t>();
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[gen.below(static_cast<uint64_t>(i) + 1)]);
  return t;
}

}  // namespace descent
