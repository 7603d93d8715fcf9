// The generator gives the same numbers everywhere: known answers for Philox4x32-10 and for
// our own uniform and normal transforms, and exact state save/restore.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "descent/descent.h"

namespace descent {
namespace {

TEST(Rng, PhiloxKnownAnswers) {
  // Known-answer vectors of Philox4x32-10 from the Random123 distribution.
  EXPECT_EQ(Generator::philox({0, 0, 0, 0}, {0, 0}),
            (std::array<uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
  EXPECT_EQ(Generator::philox({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                              {0xffffffffu, 0xffffffffu}),
            (std::array<uint32_t, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
  EXPECT_EQ(Generator::philox({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                              {0xa4093822u, 0x299f31d0u}),
            (std::array<uint32_t, 4>{0xd16cfe09u, 0x94fdcceb, 0x5001e420u, 0x24126ea1u}));
}

TEST(Rng, SameSeedSameNumbers) {
  Generator a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, b.normal());
    if (i == 0) {
      EXPECT_NE(x, c.normal());
    }
  }
  EXPECT_EQ(randn({5}, a).to_vector<float>(), randn({5}, b).to_vector<float>());
}

// next_u32s (whole blocks computed many at a time, vectorized) gives the words and leaves the
// state that one-by-one next_u32 calls do: from any position in a block, for lengths around the
// vector width, with a seed using both key words and counters that cross 2^32.
TEST(Rng, BulkWordsEqualOneByOne) {
  for (uint64_t counter : {uint64_t{0}, (uint64_t{1} << 32) - 5})
    for (uint32_t skip : {0u, 1u, 3u})
      for (int64_t n : {0, 1, 3, 4, 5, 31, 32, 33, 100, 1000}) {
        Generator bulk(0x123456789abcdefULL), single(0x123456789abcdefULL);
        Generator::State start = bulk.state();
        start.counter = counter;
        bulk.set_state(start);
        single.set_state(start);
        for (uint32_t i = 0; i < skip; ++i) EXPECT_EQ(bulk.next_u32(), single.next_u32());
        std::vector<uint32_t> got(static_cast<size_t>(n));
        bulk.next_u32s(got.data(), n);
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(got[static_cast<size_t>(i)], single.next_u32())
              << "word " << i << " of " << n << ", counter " << counter << ", skip " << skip;
        const Generator::State a = bulk.state(), b = single.state();
        EXPECT_EQ(a.counter, b.counter);
        EXPECT_EQ(a.used, b.used);
        EXPECT_EQ(a.block, b.block);
        EXPECT_EQ(bulk.next_u32(), single.next_u32());
      }
}

// rand draws in bulk exactly what uniform_float / uniform draw one by one.
TEST(Rng, RandEqualsOneByOneUniforms) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Generator bulk(5), single(5);
    bulk.next_u32();  // start mid-block
    single.next_u32();
    const Tensor t = rand({3, 1001}, bulk, dt);
    const std::vector<double> got = t.to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i) {
      const double want = dt == DType::Float32 ? double(single.uniform_float()) : single.uniform();
      ASSERT_EQ(got[i], want) << "value " << i;
    }
    EXPECT_EQ(bulk.next_u32(), single.next_u32());
  }
}

TEST(Rng, StateRoundTrips) {
  Generator g(9);
  g.normal();  // leaves a spare normal behind
  g.next_u32();
  const Generator::State s = g.state();
  std::vector<double> first;
  for (int i = 0; i < 7; ++i) first.push_back(g.normal());
  Generator h(0);
  h.set_state(s);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(h.normal(), first[static_cast<size_t>(i)]);
}

TEST(Rng, DistributionsHaveTheRightMoments) {
  Generator g(1);
  const auto u = rand({200000}, g, DType::Float64).to_vector<double>();
  const auto n = randn({200000}, g, DType::Float64).to_vector<double>();
  double mu = 0, mn = 0, vn = 0, umin = 1, umax = 0;
  for (double v : u) {
    mu += v;
    umin = std::min(umin, v);
    umax = std::max(umax, v);
  }
  for (double v : n) mn += v;
  mu /= static_cast<double>(u.size());
  mn /= static_cast<double>(n.size());
  for (double v : n) vn += (v - mn) * (v - mn);
  vn /= static_cast<double>(n.size());
  EXPECT_NEAR(mu, 0.5, 0.005);
  EXPECT_GE(umin, 0.0);
  EXPECT_LT(umax, 1.0);
  EXPECT_NEAR(mn, 0.0, 0.01);
  EXPECT_NEAR(vn, 1.0, 0.01);
}

TEST(Rng, IntegersAndPermutations) {
  Generator g(3);
  const auto r = randint(-2, 3, {1000}, g).to_vector<int64_t>();
  for (int64_t v : r) {
    EXPECT_GE(v, -2);
    EXPECT_LT(v, 3);
  }
  auto p = randperm(50, g).to_vector<int64_t>();
  std::sort(p.begin(), p.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(p[static_cast<size_t>(i)], i);
  EXPECT_THROW(randint(3, 3, {1}, g), ValueError);
  EXPECT_THROW(randperm(-1, g), ValueError);
}

}  // namespace
}  // namespace descent
