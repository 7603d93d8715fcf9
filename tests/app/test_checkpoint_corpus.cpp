// Replays the checkpoint fuzz corpus (fuzz/corpus/checkpoint/) through parse_checkpoint, so the
// corpus is exercised by every test run. Files named valid-* must parse and invalid-* must be
// refused with CheckpointError; any other file (inputs libFuzzer adds) may do either, but
// nothing may crash or throw anything else. valid-small.ckpt, written by
// tools/make_checkpoint_corpus.py independently of the C++ writer, is checked value by value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "descent/app/checkpoint.h"

namespace descent::app {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus =
    fs::path(DESCENT_TEST_DATA_DIR) / ".." / ".." / "fuzz" / "corpus" / "checkpoint";

std::vector<uint8_t> bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(CheckpointCorpus, EveryFileParsesOrIsRefused) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << kCorpus;
  int valid = 0, invalid = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    const std::string name = entry.path().filename();
    const std::vector<uint8_t> bytes = bytes_of(entry.path());
    bool parsed = false;
    try {
      parse_checkpoint(bytes, name);
      parsed = true;
    } catch (const CheckpointError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(name + ": ", 0), 0u) << e.what();
    }
    if (name.starts_with("valid-")) {
      EXPECT_TRUE(parsed) << name;
      ++valid;
    } else if (name.starts_with("invalid-")) {
      EXPECT_FALSE(parsed) << name;
      ++invalid;
    }
  }
  EXPECT_GE(valid, 4);
  EXPECT_GE(invalid, 15);
}

TEST(CheckpointCorpus, IndependentWriterValues) {
  const Checkpoint c = parse_checkpoint(bytes_of(kCorpus / "valid-small.ckpt"), "valid-small");
  EXPECT_EQ(c.metadata, nlohmann::json::parse(R"({"step": 3, "note": "seed", "lr": [0.1, 0.01]})"));
  ASSERT_EQ(c.tensors.size(), 3u);
  EXPECT_EQ(c.tensors[0].first, "w");
  EXPECT_EQ(c.tensors[0].second.shape(), (Shape{2, 3}));
  EXPECT_EQ(c.tensors[0].second.to_vector<float>(),
            (std::vector<float>{0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f}));
  EXPECT_EQ(c.tensors[1].second.dtype(), DType::Float64);
  EXPECT_EQ(c.tensors[1].second.to_vector<double>(), (std::vector<double>{-1.0, 0.25, 1e-300}));
  EXPECT_EQ(c.tensors[2].second.dim(), 0);
  EXPECT_EQ(c.tensors[2].second.to_vector<int64_t>(), std::vector<int64_t>{-7});
  // Our writer produces the same bytes as the independent one (whose user keys are sorted, as
  // nlohmann::json keeps them).
  EXPECT_EQ(serialize_checkpoint(c), bytes_of(kCorpus / "valid-small.ckpt"));
}

}  // namespace
}  // namespace descent::app
