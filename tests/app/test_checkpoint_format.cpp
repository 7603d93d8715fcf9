// Checkpoint container: round trips of every dtype and shape, the exact byte layout the format
// documents (docs/checkpoint-format.md), truncation and corruption.
#include <gtest/gtest.h>

#include "checkpoint_test_util.h"
#include "descent/autograd/ops.h"
#include "descent/core/rng.h"

namespace descent::app {
namespace {

using ckpt_test::bitwise_equal;
using ckpt_test::parse_error;
using ckpt_test::reference_crc32;

Tensor random_tensor(const Shape& shape, DType dtype, Generator& gen) {
  if (dtype == DType::Int64) return randint(-1'000'000, 1'000'000, shape, gen);
  return randn(shape, gen, dtype);
}

Checkpoint sample_checkpoint() {
  Generator gen(7);
  Checkpoint c;
  c.metadata = {{"step", 12}, {"lr", 0.1}, {"nested", {{"list", {1, "two", nullptr, true}}}}};
  c.tensors = {{"w", random_tensor({2, 3}, DType::Float32, gen)},
               {"b", random_tensor({3}, DType::Float64, gen)},
               {"idx", random_tensor({4}, DType::Int64, gen)}};
  return c;
}

TEST(CheckpointFormat, RoundTripsEveryDtypeAndShape) {
  Generator gen(1);
  const std::vector<Shape> shapes = {
      {}, {0}, {1}, {5}, {3, 0, 2}, {2, 3, 4}, {1, 1, 1, 1, 1, 1, 2}};
  Checkpoint c;
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64}) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      c.tensors.emplace_back(std::string(dtype_name(dtype)) + "/" + std::to_string(i),
                             random_tensor(shapes[i], dtype, gen));
    }
  }
  c.metadata = {{"unicode", "λ → ∇f"}, {"big", UINT64_MAX}, {"neg", -3}, {"third", 1.0 / 3.0}};
  const Checkpoint back = parse_checkpoint(serialize_checkpoint(c), "mem");
  EXPECT_EQ(back.metadata, c.metadata);
  EXPECT_EQ(back.metadata["third"].get<double>(), 1.0 / 3.0);  // doubles round-trip exactly
  ASSERT_EQ(back.tensors.size(), c.tensors.size());
  for (size_t i = 0; i < c.tensors.size(); ++i) {
    EXPECT_EQ(back.tensors[i].first, c.tensors[i].first);  // order is kept
    EXPECT_TRUE(bitwise_equal(back.tensors[i].second, c.tensors[i].second)) << c.tensors[i].first;
    // (The core reports some freshly made empty tensors, e.g. [3, 0, 2], as non-contiguous.)
    if (back.tensors[i].second.numel() > 0) {
      EXPECT_TRUE(back.tensors[i].second.is_contiguous());
    }
  }
}

TEST(CheckpointFormat, NonContiguousTensorsAreSavedContiguous) {
  Generator gen(2);
  const Tensor base = randn({4, 6}, gen, DType::Float64);
  Checkpoint c;
  c.tensors = {{"transposed", transpose(base, 0, 1)},
               {"strided", slice(base, 1, 1, 6, 2)},
               {"row", select(base, 0, 2)}};
  ASSERT_FALSE(c.tensors[0].second.is_contiguous());
  ASSERT_FALSE(c.tensors[1].second.is_contiguous());
  const Checkpoint back = parse_checkpoint(serialize_checkpoint(c), "mem");
  for (size_t i = 0; i < c.tensors.size(); ++i) {
    EXPECT_TRUE(bitwise_equal(back.tensors[i].second, c.tensors[i].second)) << i;
    EXPECT_TRUE(back.tensors[i].second.is_contiguous());
  }
}

TEST(CheckpointFormat, TensorsRequiringGradAreSavedAsData) {
  Tensor p = tensor({1.0, 2.0, 3.0});
  p.set_requires_grad();
  Checkpoint c;
  c.tensors = {{"p", p}};
  const Checkpoint back = parse_checkpoint(serialize_checkpoint(c), "mem");
  EXPECT_TRUE(bitwise_equal(back.at("p"), p));
  EXPECT_FALSE(back.at("p").requires_grad());
  EXPECT_EQ(back.find("q"), nullptr);
  EXPECT_THROW(back.at("q"), CheckpointError);
}

// The documented layout, checked byte by byte on a one-tensor file.
TEST(CheckpointFormat, LayoutMatchesTheDocumentation) {
  Checkpoint c;
  c.metadata = {{"a", 1}};
  c.tensors = {{"x", tensor({1.0, -2.0}, DType::Float32)}};
  const std::vector<uint8_t> bytes = serialize_checkpoint(c);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  EXPECT_EQ(n % 8, 0u);  // data section 8-byte aligned
  ASSERT_EQ(bytes.size(), 8 + n + 8);
  const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(n));
  const auto h = nlohmann::json::parse(header);
  const std::vector<uint8_t> data(bytes.begin() + 8 + static_cast<int64_t>(n), bytes.end());
  EXPECT_EQ(h["x"], nlohmann::json::parse(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})"));
  EXPECT_EQ(h["__metadata__"]["format"], "descent-checkpoint");
  EXPECT_EQ(h["__metadata__"]["version"], 1);
  EXPECT_EQ(h["__metadata__"]["user"], c.metadata);
  EXPECT_EQ(h["__metadata__"]["data_crc32"], reference_crc32(data));
  // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian.
  EXPECT_EQ(data, (std::vector<uint8_t>{0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0}));
}

// Above 8 MiB the CRC is computed in pieces on the thread pool and combined; it must equal the
// sequential reference. The size is not a multiple of the 4 MiB piece.
TEST(CheckpointFormat, LargeDataChecksumMatchesReference) {
  Generator gen(5);
  Checkpoint c;
  c.tensors = {{"big", rand({2'359'297}, gen)}};
  const std::vector<uint8_t> bytes = serialize_checkpoint(c);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  const auto h =
      nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(n));
  const std::vector<uint8_t> data(bytes.begin() + 8 + static_cast<int64_t>(n), bytes.end());
  EXPECT_EQ(h["__metadata__"]["data_crc32"], reference_crc32(data));
  EXPECT_TRUE(bitwise_equal(parse_checkpoint(bytes, "mem").at("big"), c.at("big")));
}

TEST(CheckpointFormat, ReferenceCrcKnownAnswer) {
  const std::string s = "123456789";
  EXPECT_EQ(reference_crc32({s.begin(), s.end()}), 0xCBF43926u);
}

TEST(CheckpointFormat, EveryTruncationIsAnError) {
  const std::vector<uint8_t> bytes = serialize_checkpoint(sample_checkpoint());
  for (size_t len = 0; len < bytes.size(); ++len) {
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<int64_t>(len));
    const std::string msg = parse_error(cut);
    EXPECT_EQ(msg.rfind("mem: ", 0), 0u) << "length " << len << ": " << msg;
  }
  EXPECT_NO_THROW(parse_checkpoint(bytes, "mem"));
}

TEST(CheckpointFormat, EveryCorruptedDataByteIsCaught) {
  const std::vector<uint8_t> bytes = serialize_checkpoint(sample_checkpoint());
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  for (size_t pos = 8 + n; pos < bytes.size(); ++pos) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::vector<uint8_t> bad = bytes;
      bad[pos] ^= mask;
      EXPECT_NE(parse_error(bad).find("CRC-32"), std::string::npos) << "byte " << pos;
    }
  }
}

// Flipped header bytes may still make a valid file (a changed character in a metadata string),
// but must never crash or throw anything but CheckpointError.
TEST(CheckpointFormat, CorruptedHeaderBytesNeverCrash) {
  const std::vector<uint8_t> bytes = serialize_checkpoint(sample_checkpoint());
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  int refused = 0;
  for (size_t pos = 0; pos < 8 + n; ++pos) {
    std::vector<uint8_t> bad = bytes;
    bad[pos] ^= 0x5A;
    try {
      parse_checkpoint(bad, "mem");
    } catch (const CheckpointError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, static_cast<int>(n) / 2);
}

TEST(CheckpointFormat, WriterRefusesInvalidInput) {
  auto write_error = [](const Checkpoint& c) {
    try {
      serialize_checkpoint(c);
    } catch (const CheckpointError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const Tensor t = tensor({1.0});
  Checkpoint c;
  c.tensors = {{"a", t}, {"a", t}};
  EXPECT_NE(write_error(c).find("duplicate tensor name 'a'"), std::string::npos);
  c.tensors = {{"__metadata__", t}};
  EXPECT_NE(write_error(c).find("invalid tensor name '__metadata__'"), std::string::npos);
  c.tensors = {{"", t}};
  EXPECT_NE(write_error(c).find("invalid tensor name ''"), std::string::npos);
  c.tensors = {{"u", Tensor()}};
  EXPECT_NE(write_error(c).find("tensor 'u' is undefined"), std::string::npos);
  c.tensors = {{"bad\xff", t}};
  EXPECT_NE(write_error(c).find("cannot encode the header"), std::string::npos);
  c.tensors = {};
  c.metadata = {{"loss", {1.0, std::nan("")}}};
  EXPECT_NE(write_error(c).find("at '/loss/1' is not finite"), std::string::npos);
  c.metadata = {{"best", INFINITY}};
  EXPECT_NE(write_error(c).find("at '/best' is not finite"), std::string::npos);
}

TEST(CheckpointFormat, EmptyCheckpointRoundTrips) {
  Checkpoint c;
  const std::vector<uint8_t> bytes = serialize_checkpoint(c);
  const Checkpoint back = parse_checkpoint(bytes, "mem");
  EXPECT_TRUE(back.tensors.empty());
  EXPECT_EQ(back.metadata, nlohmann::json::object());
  c.metadata = "just a string";  // any JSON value
  EXPECT_EQ(parse_checkpoint(serialize_checkpoint(c), "mem").metadata, "just a string");
}

}  // namespace
}  // namespace descent::app
