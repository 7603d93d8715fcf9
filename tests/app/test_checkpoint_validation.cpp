// Checkpoint loader: every validation rule of docs/checkpoint-format.md, each with the message
// that names what is wrong and where. Files are assembled by hand so that each breaks one rule.
#include <gtest/gtest.h>

#include <gmock/gmock.h>

#include "checkpoint_test_util.h"

namespace descent::app {
namespace {

using ckpt_test::assemble;
using ckpt_test::entry;
using ckpt_test::file_with;
using ckpt_test::metadata_for;
using ckpt_test::parse_error;
using nlohmann::ordered_json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::vector<uint8_t> kData16(16, 0x11);

// One F32 [2, 2] tensor "t" at `offsets` and an 16-byte data section, with any edit of the
// entry applied.
std::vector<uint8_t> file_with_entry(const ordered_json& e,
                                     const std::vector<uint8_t>& data = kData16) {
  return file_with({{"t", e}}, data);
}

TEST(CheckpointValidation, ValidBaseline) {
  const Checkpoint c = parse_checkpoint(file_with_entry(entry("F32", {2, 2}, 0, 16)), "mem");
  ASSERT_EQ(c.tensors.size(), 1u);
  EXPECT_EQ(c.at("t").shape(), (Shape{2, 2}));
}

TEST(CheckpointValidation, ShortFile) {
  EXPECT_THAT(parse_error({1, 0, 0}, "f.ckpt"),
              AllOf(StartsWith("f.ckpt: "), HasSubstr("3 bytes is too short")));
}

TEST(CheckpointValidation, HeaderLengthBeyondFile) {
  std::vector<uint8_t> bytes = file_with_entry(entry("F32", {2, 2}, 0, 16));
  bytes[0] += 100;
  EXPECT_THAT(parse_error(bytes), AllOf(HasSubstr("exceeds the"), HasSubstr("byte offset 0")));
}

TEST(CheckpointValidation, HeaderLengthBeyondCap) {
  std::vector<uint8_t> bytes(16, 0);
  bytes[7] = 0x01;  // 2^56
  EXPECT_THAT(parse_error(bytes), HasSubstr("exceeds the limit of 100000000 bytes"));
}

TEST(CheckpointValidation, HeaderNotJson) {
  EXPECT_THAT(parse_error(assemble("{\"__metadata__\": [1, 2,, 3]}", {})),
              AllOf(HasSubstr("header is not valid JSON"), HasSubstr("byte offset 31")));
  EXPECT_THAT(parse_error(assemble("{\"a\": \"\xff\"}", {})),
              HasSubstr("header is not valid JSON"));  // invalid UTF-8
  EXPECT_THAT(parse_error(assemble("", {})), HasSubstr("header is not valid JSON"));
  EXPECT_THAT(parse_error(assemble("{\"x\": 1e999}", {})),
              AllOf(HasSubstr("header is not valid JSON"), HasSubstr("number overflow")));
}

TEST(CheckpointValidation, HeaderNotObject) {
  EXPECT_THAT(parse_error(assemble("[1, 2]", {})), HasSubstr("header is not a JSON object"));
}

TEST(CheckpointValidation, Metadata) {
  EXPECT_THAT(parse_error(assemble("{}", {})), HasSubstr("header has no __metadata__"));
  auto with_meta = [](const ordered_json& meta) {
    return parse_error(assemble(ordered_json{{"__metadata__", meta}}.dump(), {}));
  };
  ordered_json meta = metadata_for({});
  EXPECT_NO_THROW(parse_checkpoint(assemble(ordered_json{{"__metadata__", meta}}.dump(), {}), ""));
  EXPECT_THAT(with_meta("x"), HasSubstr("__metadata__ is not a JSON object"));
  ordered_json m = meta;
  m["format"] = "safetensors";
  EXPECT_THAT(with_meta(m), HasSubstr("not a descent checkpoint"));
  m = meta;
  m["version"] = 2;
  EXPECT_THAT(with_meta(m), HasSubstr("has version 2; this build reads version 1"));
  m = meta;
  m.erase("version");
  EXPECT_THAT(with_meta(m), HasSubstr("lacks an integer \"version\""));
  m = meta;
  m["data_crc32"] = 1ull << 32;
  EXPECT_THAT(with_meta(m), HasSubstr("\"data_crc32\", an integer in [0, 2^32)"));
  m = meta;
  m.erase("user");
  EXPECT_THAT(with_meta(m), HasSubstr("lacks \"user\""));
  m = meta;
  m["extra"] = 1;
  EXPECT_THAT(with_meta(m), HasSubstr("unknown key 'extra'"));
}

TEST(CheckpointValidation, Dtype) {
  EXPECT_THAT(parse_error(file_with_entry(entry("F16", {2, 4}, 0, 16))),
              AllOf(HasSubstr("unsupported dtype \"F16\""), HasSubstr("(tensor 't')")));
  EXPECT_THAT(
      parse_error(file_with_entry({{"dtype", 4}, {"shape", {4}}, {"data_offsets", {0, 16}}})),
      HasSubstr("unsupported dtype 4"));
}

TEST(CheckpointValidation, Shape) {
  EXPECT_THAT(parse_error(file_with_entry(entry("F32", {-2, -2}, 0, 16))),
              AllOf(HasSubstr("shape [-2,-2] has the invalid size -2"), HasSubstr("tensor 't'")));
  EXPECT_THAT(parse_error(file_with_entry(
                  {{"dtype", "F32"}, {"shape", {2.0, 2}}, {"data_offsets", {0, 16}}})),
              HasSubstr("invalid size 2.0"));
  EXPECT_THAT(
      parse_error(file_with_entry({{"dtype", "F32"}, {"shape", 4}, {"data_offsets", {0, 16}}})),
      HasSubstr("shape 4 is not an array"));
  EXPECT_THAT(parse_error(file_with_entry(
                  {{"dtype", "F32"}, {"shape", {UINT64_MAX}}, {"data_offsets", {0, 16}}})),
              HasSubstr("invalid size 18446744073709551615"));
}

TEST(CheckpointValidation, ElementCountOverflow) {
  EXPECT_THAT(parse_error(file_with_entry(entry("F32", {1ll << 32, 1ll << 32}, 0, 16))),
              HasSubstr("more elements than int64 can count"));
  // No elements, but a contiguous stride of 2^80 would be needed.
  EXPECT_THAT(parse_error(file_with_entry(entry("F32", {0, 1ll << 40, 1ll << 40}, 0, 0))),
              HasSubstr("more elements than int64 can count"));
  EXPECT_THAT(parse_error(file_with_entry(entry("F64", {1ll << 61}, 0, 16))),
              HasSubstr("of float64 overflows int64 bytes"));
}

TEST(CheckpointValidation, OffsetsDoNotMatchDtypeAndShape) {
  EXPECT_THAT(parse_error(file_with_entry(entry("F64", {2, 2}, 0, 16))),
              HasSubstr("data_offsets [0, 16] span 16 bytes, but float64 [2, 2] needs 32"));
}

TEST(CheckpointValidation, MalformedOffsets) {
  EXPECT_THAT(parse_error(file_with_entry(entry("F32", {0}, 16, 0))),
              HasSubstr("data_offsets [16,0] are not [begin, end]"));
  EXPECT_THAT(
      parse_error(file_with_entry({{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0}}})),
      HasSubstr("data_offsets [0] are not [begin, end]"));
  EXPECT_THAT(
      parse_error(file_with_entry({{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {-16, 0}}})),
      HasSubstr("are not [begin, end]"));
}

TEST(CheckpointValidation, OffsetsOutOfRange) {
  EXPECT_THAT(parse_error(file_with_entry(entry("F32", {4}, 8, 24))),
              AllOf(HasSubstr("data_offsets [8, 24] reach past the 16-byte data section"),
                    HasSubstr("tensor 't'")));
}

TEST(CheckpointValidation, EntryShape) {
  EXPECT_THAT(parse_error(file_with_entry(7)),
              HasSubstr("entry is not a JSON object (tensor 't')"));
  ordered_json e = entry("F32", {4}, 0, 16);
  e["strides"] = {1};
  EXPECT_THAT(parse_error(file_with_entry(e)), HasSubstr("unknown key 'strides'"));
  e = entry("F32", {4}, 0, 16);
  e.erase("shape");
  EXPECT_THAT(parse_error(file_with_entry(e)), HasSubstr("entry needs"));
  EXPECT_THAT(parse_error(file_with({{"", entry("F32", {4}, 0, 16)}}, kData16)),
              HasSubstr("empty tensor name"));
}

TEST(CheckpointValidation, Gap) {
  EXPECT_THAT(
      parse_error(
          file_with({{"a", entry("F32", {1}, 0, 4)}, {"b", entry("F32", {2}, 8, 16)}}, kData16)),
      AllOf(HasSubstr("4 unused bytes before the data of tensor 'b'"), HasSubstr("byte offset")));
  EXPECT_THAT(parse_error(file_with({{"a", entry("F32", {2}, 8, 16)}}, kData16)),
              HasSubstr("8 unused bytes before the data of tensor 'a'"));
}

TEST(CheckpointValidation, Overlap) {
  EXPECT_THAT(parse_error(file_with(
                  {{"a", entry("F32", {3}, 0, 12)}, {"b", entry("F32", {2}, 8, 16)}}, kData16)),
              HasSubstr("tensor 'b' overlaps tensor 'a'"));
  EXPECT_THAT(parse_error(file_with(
                  {{"a", entry("F32", {4}, 0, 16)}, {"b", entry("F32", {4}, 0, 16)}}, kData16)),
              HasSubstr("overlaps"));
}

TEST(CheckpointValidation, EmptyTensorsMayShareAnOffset) {
  const Checkpoint c = parse_checkpoint(file_with({{"a", entry("F32", {4}, 0, 16)},
                                                   {"e1", entry("F64", {0}, 16, 16)},
                                                   {"e2", entry("I64", {3, 0}, 16, 16)}},
                                                  kData16),
                                        "mem");
  ASSERT_EQ(c.tensors.size(), 3u);
  EXPECT_EQ(c.tensors[2].first, "e2");
  EXPECT_EQ(c.tensors[2].second.shape(), (Shape{3, 0}));
}

TEST(CheckpointValidation, TrailingBytes) {
  std::vector<uint8_t> data = kData16;
  data.resize(20);
  EXPECT_THAT(parse_error(file_with_entry(entry("F32", {2, 2}, 0, 16), data)),
              HasSubstr("4 trailing bytes after the last tensor"));
}

TEST(CheckpointValidation, DuplicateKeys) {
  const std::string meta = metadata_for(kData16).dump();
  const std::string e = entry("F32", {4}, 0, 16).dump();
  EXPECT_THAT(parse_error(assemble(
                  "{\"__metadata__\":" + meta + ",\"t\":" + e + ",\"t\":" + e + "}", kData16)),
              HasSubstr("header has the key 't' twice"));
  EXPECT_THAT(
      parse_error(assemble("{\"__metadata__\":" + meta + ",\"__metadata__\":" + meta + "}", {})),
      HasSubstr("twice"));
  // Nested duplicates too: they would be silently dropped otherwise.
  EXPECT_THAT(
      parse_error(assemble(
          R"({"t":{"dtype":"F32","dtype":"F64","shape":[4],"data_offsets":[0,16]}})", kData16)),
      HasSubstr("the key 'dtype' twice"));
}

TEST(CheckpointValidation, DeepNesting) {
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  EXPECT_THAT(parse_error(assemble("{\"x\":" + deep + "}", {})),
              HasSubstr("nests deeper than 256 levels"));
  const std::string deep_objects = [] {
    std::string s;
    for (int i = 0; i < 100000; ++i) s += "{\"a\":";
    return s + "1" + std::string(100000, '}');
  }();
  EXPECT_THAT(parse_error(assemble(deep_objects, {})), HasSubstr("nests deeper"));
}

TEST(CheckpointValidation, ChecksumMismatch) {
  std::vector<uint8_t> bytes = file_with_entry(entry("F32", {2, 2}, 0, 16));
  bytes.back() ^= 1;
  EXPECT_THAT(parse_error(bytes),
              AllOf(HasSubstr("data section CRC-32 is"), HasSubstr("corrupted tensor bytes")));
}

TEST(CheckpointValidation, LongNamesAreCutInMessages) {
  const std::string name(5000, 'n');
  const std::string msg = parse_error(file_with({{name, entry("F16", {4}, 0, 16)}}, kData16));
  EXPECT_THAT(msg, HasSubstr("(5000 bytes)"));
  EXPECT_LT(msg.size(), 400u);
}

}  // namespace
}  // namespace descent::app
