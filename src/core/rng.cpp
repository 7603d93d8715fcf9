#include "descent/core/rng.h"

#include <cmath>
#include <numbers>

namespace descent {

std::array<uint32_t, 4> Generator::philox(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{kM0} * c[0];
    const uint64_t p1 = uint64_t{kM1} * c[2];
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k[0] += kW0;
    k[1] += kW1;
  }
  return c;
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

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  return fill_floating(shape, dtype, "rand", [&](auto zero) -> double {
    if constexpr (std::is_same_v<decltype(zero), float>) return gen.uniform_float();
    return gen.uniform();
  });
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
