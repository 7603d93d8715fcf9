// IDX reader: every element type, raw and gzip, and every validation error with its offset.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "descent/core/error.h"
#include "descent/data/idx.h"
#include "idx_bytes.h"

namespace descent::data {
namespace {

using testing::Bytes;
using testing::gzip;
using testing::idx_bytes;
using testing::ubyte_idx;

// The FormatError message of parsing `bytes` (fails the test if it parses).
std::string parse_error(const Bytes& bytes) {
  try {
    parse_idx(bytes, "mem.idx");
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parse_idx accepted the bytes";
  return "";
}

#define EXPECT_MESSAGE(msg, text) EXPECT_NE((msg).find(text), std::string::npos) << (msg)

TEST(IdxReader, ParsesUbyteArrayRawAndGzip) {
  const Bytes raw = ubyte_idx({3, 4, 5});
  for (const Bytes& bytes : {raw, gzip(raw)}) {
    const IdxArray a = parse_idx(bytes, "mem");
    EXPECT_EQ(a.type, IdxType::UInt8);
    EXPECT_EQ(a.dims, (Shape{3, 4, 5}));
    ASSERT_EQ(a.nbytes, 60u);
    for (int64_t i = 0; i < 60; ++i) EXPECT_EQ(a.value(i), (i * 7 + 3) % 256);
  }
}

TEST(IdxReader, ConvertsBigEndianElementsOfEveryType) {
  // short -2 = 0xFFFE, int 0x01020304, float 1.5 = 0x3FC00000, double -0.25 = 0xBFD0000000000000.
  EXPECT_EQ(parse_idx(idx_bytes(0x0B, {1}, {0xFF, 0xFE}), "m").value(0), -2);
  EXPECT_EQ(parse_idx(idx_bytes(0x0C, {1}, {1, 2, 3, 4}), "m").value(0), 0x01020304);
  EXPECT_EQ(parse_idx(idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0, 0}), "m").value(0), 1.5);
  EXPECT_EQ(parse_idx(idx_bytes(0x0E, {1}, {0xBF, 0xD0, 0, 0, 0, 0, 0, 0}), "m").value(0), -0.25);
  EXPECT_EQ(parse_idx(idx_bytes(0x09, {2}, {0x80, 0x7F}), "m").value(0), -128);
  const IdxArray ints = parse_idx(idx_bytes(0x0C, {2}, {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0}), "m");
  EXPECT_EQ(ints.value(0), -1);
  EXPECT_EQ(ints.value(1), 256);
}

TEST(IdxReader, ToTensorScalesAndConverts) {
  const IdxArray a = parse_idx(idx_bytes(0x08, {2, 2}, {0, 51, 255, 102}), "m");
  const Tensor f = idx_to_tensor(a, DType::Float32, 1.0 / 255);
  EXPECT_EQ(f.shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(f.at({0, 1}), 0.2f);
  EXPECT_FLOAT_EQ(f.at({1, 0}), 1.0f);
  EXPECT_EQ(idx_to_tensor(a, DType::Int64).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 51, 255, 102}));
  const IdxArray fl = parse_idx(idx_bytes(0x0D, {1}, {0x3F, 0xC0, 0, 0}), "m");
  EXPECT_THROW(idx_to_tensor(fl, DType::Int64), DTypeError);
}

TEST(IdxReader, BadMagicNamesOffsetZero) {
  Bytes b = ubyte_idx({2});
  b[1] = 0x03;
  EXPECT_MESSAGE(parse_error(b), "mem.idx: byte offset 0: magic bytes 0x00 0x03");
}

TEST(IdxReader, BadTypeCodeNamesOffsetTwo) {
  Bytes b = ubyte_idx({2});
  b[2] = 0x0A;
  EXPECT_MESSAGE(parse_error(b), "byte offset 2: type code 0x0a is not an IDX type");
}

TEST(IdxReader, RankOutsideOneToFourNamesOffsetThree) {
  EXPECT_MESSAGE(parse_error(idx_bytes(0x08, {}, {})), "byte offset 3: rank 0 is outside 1..4");
  EXPECT_MESSAGE(parse_error(idx_bytes(0x08, {1, 1, 1, 1, 1}, {7})),
                 "byte offset 3: rank 5 is outside 1..4");
}

TEST(IdxReader, HeaderCutShortNamesWhereTheFileEnds) {
  EXPECT_MESSAGE(parse_error({0, 0, 8}), "byte offset 3: the file ends inside the 4-byte header");
  Bytes b = ubyte_idx({2, 2, 2});
  b.resize(9);
  EXPECT_MESSAGE(parse_error(b), "byte offset 9: the file ends inside the header (16 bytes");
}

TEST(IdxReader, OverflowingDimensionsNameTheirOffset) {
  // 8 bytes x 2^16 x 2^16 x (2^32 - 1) overflows at the third size (offset 12).
  const Bytes b = idx_bytes(0x0E, {0x10000, 0x10000, 0xFFFFFFFF}, {});
  EXPECT_MESSAGE(parse_error(b),
                 "byte offset 12: size 4294967295 of dimension 2 makes the payload "
                 "overflow");
}

TEST(IdxReader, ZeroSizeDoesNotHideAnOverflowOfTheOtherSizes) {
  // Found by fuzz_idx: [0, 2^31, 2^31, 2^31] holds no bytes, but its sizes multiply past int64.
  const Bytes b = idx_bytes(0x08, {0, 0x80000000, 0x80000000, 0x80000000}, {});
  // 2^31 · 2^31 = 2^62 is still allowed; the third 2^31 (offset 16) is not.
  EXPECT_MESSAGE(parse_error(b),
                 "byte offset 16: size 2147483648 of dimension 3 makes the payload");
  EXPECT_EQ(parse_idx(idx_bytes(0x08, {0, 28, 28}, {}), "m").dims, (Shape{0, 28, 28}));
}

TEST(IdxReader, TruncatedPayloadNamesTheEnd) {
  Bytes b = ubyte_idx({4, 5});
  b.resize(b.size() - 3);  // 12 header + 17 of 20
  const std::string msg = parse_error(b);
  EXPECT_MESSAGE(msg, "byte offset 29: payload truncated");
  EXPECT_MESSAGE(msg, "20 bytes) but only 17 bytes are present");
}

TEST(IdxReader, ExtraBytesNameWherePayloadEnds) {
  Bytes b = ubyte_idx({4, 5});
  b.push_back(1);
  b.push_back(2);
  EXPECT_MESSAGE(parse_error(b), "byte offset 32: 2 extra bytes after the 20-byte payload");
}

TEST(IdxReader, GzipErrorsSayDecompressed) {
  Bytes raw = ubyte_idx({2});
  raw[2] = 0x01;
  EXPECT_MESSAGE(parse_error(gzip(raw)), "byte offset 2 (decompressed): type code 0x01");
  Bytes shortened = ubyte_idx({10});
  shortened.resize(shortened.size() - 4);
  EXPECT_MESSAGE(parse_error(gzip(shortened)), "byte offset 14 (decompressed): payload truncated");
}

TEST(IdxReader, GzipBombStopsAtTheHeaderLimit) {
  // The header declares 16 bytes, the stream holds 16 + 10 MB of zeros: decompression stops
  // one byte past the declared payload.
  Bytes raw = ubyte_idx({16});
  raw.resize(raw.size() + 10'000'000, 0);
  const Bytes gz = gzip(raw);
  ASSERT_LT(gz.size(), 20'000u);
  EXPECT_MESSAGE(parse_error(gz),
                 "byte offset 24 (decompressed): extra data after the 16-byte "
                 "payload");
}

TEST(IdxReader, GzipHeaderDeclaringMoreThanDeflateCanHoldIsRefused) {
  // 60000 x 28 x 28 doubles declared in a tiny gzip file: refused before any allocation.
  const Bytes gz = gzip(idx_bytes(0x0E, {60000, 28, 28}, {1, 2, 3}));
  const std::string msg = parse_error(gz);
  EXPECT_MESSAGE(msg, "byte offset 16 (decompressed): the header declares [60000, 28, 28] double");
  EXPECT_MESSAGE(msg, "more than a");
}

TEST(IdxReader, GzipTruncatedCorruptAndTrailingBytes) {
  const Bytes gz = gzip(ubyte_idx({100}));
  Bytes cut(gz.begin(), gz.begin() + static_cast<long>(gz.size()) - 10);
  EXPECT_MESSAGE(parse_error(cut), "the gzip stream is truncated");
  Bytes corrupt = gz;
  corrupt[gz.size() - 5] ^= 0xFF;  // inside the CRC/length trailer
  EXPECT_MESSAGE(parse_error(corrupt), "corrupt gzip data");
  Bytes trailing = gz;
  trailing.push_back(0);
  EXPECT_MESSAGE(parse_error(trailing),
                 "byte offset " + std::to_string(gz.size()) + ": 1 trailing bytes after the gzip");
}

TEST(IdxReader, MissingFileIsIOErrorNamingIt) {
  try {
    load_idx("/nonexistent/dir/x.idx");
    FAIL();
  } catch (const IOError& e) {
    EXPECT_MESSAGE(std::string(e.what()), "/nonexistent/dir/x.idx: cannot open");
  }
}

TEST(IdxDataset, ImagesAndLabelsFromFiles) {
  testing::TempDir dir;
  const std::string images = dir.write("img.gz", gzip(ubyte_idx({3, 2, 2})));
  const std::string labels = dir.write("lab", idx_bytes(0x08, {3}, {2, 0, 1}));
  const Dataset d = load_idx_dataset(images, labels, {.num_classes = 3});
  EXPECT_EQ(d.inputs.shape(), (Shape{3, 4}));
  EXPECT_EQ(d.targets.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 1}));
  EXPECT_FLOAT_EQ(d.inputs.at({2, 3}), static_cast<float>((11 * 7 + 3) % 256) / 255.0f);
  EXPECT_EQ(d.num_classes, 3);
  validate(d);
  const Dataset unflat = load_idx_dataset(images, labels, {.num_classes = 3, .flatten = false});
  EXPECT_EQ(unflat.inputs.shape(), (Shape{3, 2, 2}));
}

std::string dataset_error(const Bytes& images, const Bytes& labels, int64_t classes = 10) {
  try {
    idx_dataset(parse_idx(images, "img"), "img", parse_idx(labels, "lab"), "lab",
                {.num_classes = classes});
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "idx_dataset accepted the arrays";
  return "";
}

TEST(IdxDataset, LabelCountMismatch) {
  EXPECT_MESSAGE(dataset_error(ubyte_idx({3, 2}), idx_bytes(0x08, {2}, {0, 1})),
                 "lab: byte offset 4: 2 labels, but img holds 3 images");
}

TEST(IdxDataset, LabelOutOfRangeNamesItsByte) {
  EXPECT_MESSAGE(dataset_error(ubyte_idx({3, 2}), idx_bytes(0x08, {3}, {0, 1, 10})),
                 "lab: byte offset 10: label 10 of example 2 is outside [0, 10)");
  // int labels: the fourth-byte-wide element 1 starts at offset 12.
  EXPECT_MESSAGE(
      dataset_error(ubyte_idx({2, 2}), idx_bytes(0x0C, {2}, {0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})),
      "lab: byte offset 12: label -1 of example 1");
}

TEST(IdxDataset, LabelsMustBeIntegersOfRankOne) {
  EXPECT_MESSAGE(dataset_error(ubyte_idx({1, 2}), idx_bytes(0x0D, {1}, {0, 0, 0, 0})),
                 "lab: byte offset 2: labels must be integers");
  EXPECT_MESSAGE(dataset_error(ubyte_idx({1, 2}), ubyte_idx({1, 1})),
                 "lab: byte offset 3: labels must have rank 1");
}

TEST(IdxDataset, MnistLayoutNamesMissingFiles) {
  testing::TempDir dir;
  try {
    load_mnist_layout(dir.path(), "x");
    FAIL();
  } catch (const IOError& e) {
    EXPECT_MESSAGE(std::string(e.what()), "train-images-idx3-ubyte.gz");
  }
  // Raw (uncompressed) files in the layout load too.
  dir.write("train-images-idx3-ubyte", ubyte_idx({2, 3, 3}));
  dir.write("train-labels-idx1-ubyte", idx_bytes(0x08, {2}, {4, 9}));
  dir.write("t10k-images-idx3-ubyte.gz", gzip(ubyte_idx({1, 3, 3})));
  dir.write("t10k-labels-idx1-ubyte.gz", gzip(idx_bytes(0x08, {1}, {7})));
  const Split s = load_mnist_layout(dir.path(), "tiny");
  EXPECT_EQ(s.train.inputs.shape(), (Shape{2, 9}));
  EXPECT_EQ(s.test.targets.to_vector<int64_t>(), (std::vector<int64_t>{7}));
  EXPECT_EQ(s.train.name, "tiny/train");
}

}  // namespace
}  // namespace descent::data
