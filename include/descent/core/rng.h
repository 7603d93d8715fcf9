#pragma once
// Generator: descent's own random numbers, identical on every platform for a given seed.
//
// Bits come from Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011), a counter-based generator: block i of the stream is philox(key = seed, counter = i),
// so the state is just (seed, counter, position in the current block) and is trivially saved
// and restored. Uniforms take the top 24 (float) or 53 (double) bits; normals use our own
// Box–Muller transform rather than std::normal_distribution, whose output differs between
// standard libraries.
#include <array>
#include <cstdint>

#include "descent/core/tensor.h"

namespace descent {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }

  void manual_seed(uint64_t seed);
  uint64_t seed() const { return seed_; }

  uint32_t next_u32();
  // The next n words of the stream, the same as n calls of next_u32 (and leaving the same
  // state), but whole blocks are computed many at a time: several times faster for long runs.
  void next_u32s(uint32_t* out, int64_t n);
  uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Uniform in [0, 1) with 24 random bits.
  float uniform_float();
  // Standard normal N(0, 1) by Box–Muller.
  double normal();
  // Uniform integer in [0, n), without modulo bias.
  uint64_t below(uint64_t n);

  // Everything needed to continue the exact same stream elsewhere.
  struct State {
    uint64_t seed = 0;
    uint64_t counter = 0;  // index of the next Philox block
    uint32_t used = 4;     // words of the current block already consumed
    std::array<uint32_t, 4> block{};
    bool has_spare_normal = false;
    double spare_normal = 0.0;
  };
  State state() const { return state_with_seed(); }
  void set_state(const State& s);

  // The raw Philox4x32-10 bijection, exposed for known-answer tests.
  static std::array<uint32_t, 4> philox(std::array<uint32_t, 4> counter,
                                        std::array<uint32_t, 2> key);

 private:
  State state_with_seed() const;
  void refill();

  uint64_t seed_ = 0;
  uint64_t counter_ = 0;
  uint32_t used_ = 4;
  std::array<uint32_t, 4> block_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// The process-wide generator used when none is passed.
Generator& default_generator();
void manual_seed(uint64_t seed);

// U[0, 1) of the given shape.
Tensor rand(const Shape& shape, Generator& gen, DType dtype = DType::Float32);
Tensor rand(const Shape& shape, DType dtype = DType::Float32);
// N(0, 1) of the given shape.
Tensor randn(const Shape& shape, Generator& gen, DType dtype = DType::Float32);
Tensor randn(const Shape& shape, DType dtype = DType::Float32);
// Integers uniform in [low, high).
Tensor randint(int64_t low, int64_t high, const Shape& shape, Generator& gen);
// A random permutation of 0..n-1 (Fisher–Yates), int64.
Tensor randperm(int64_t n, Generator& gen);

}  // namespace descent
