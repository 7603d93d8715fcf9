// Checkpoint files: atomic replacement (the old file survives any failed write and no temporary
// file is left behind), reading from disk, and the file-side errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <filesystem>
#include <fstream>

#include "checkpoint_test_util.h"
#include "descent/core/rng.h"

namespace descent::app {
namespace {

namespace fs = std::filesystem;
using ckpt_test::bitwise_equal;
using ::testing::HasSubstr;

// A fresh directory per test, removed afterwards.
class CheckpointFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("descent-ckpt-{}-{}", ::getpid(), info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::vector<uint8_t> contents(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  static Checkpoint make(int64_t n, double fill) {
    Checkpoint c;
    c.metadata = {{"fill", fill}};
    c.tensors = {{"x", full({n}, fill, DType::Float64)}};
    return c;
  }

  static std::string write_error(const fs::path& p, const Checkpoint& c) {
    try {
      write_checkpoint(p, c);
    } catch (const CheckpointError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(CheckpointFile, WriteReadRoundTrip) {
  Generator gen(3);
  Checkpoint c;
  c.metadata = {{"epoch", 4}};
  c.tensors = {{"a", randn({3, 5}, gen)}, {"b", randint(0, 10, {7}, gen)}, {"c", zeros({0, 2})}};
  const fs::path p = dir_ / "run.ckpt";
  write_checkpoint(p, c);
  EXPECT_EQ(contents(p), serialize_checkpoint(c));  // same bytes as the in-memory form
  const Checkpoint back = read_checkpoint(p);
  EXPECT_EQ(back.metadata, c.metadata);
  ASSERT_EQ(back.tensors.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_TRUE(bitwise_equal(back.tensors[i].second, c.tensors[i].second));
  EXPECT_EQ(entries(), std::vector<std::string>{"run.ckpt"});
}

TEST_F(CheckpointFile, OverwriteReplacesAndRespectsUmask) {
  const fs::path p = dir_ / "c.ckpt";
  write_checkpoint(p, make(4, 1.0));
  write_checkpoint(p, make(9, 2.0));
  EXPECT_EQ(read_checkpoint(p).metadata["fill"], 2.0);
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
  EXPECT_EQ(entries(), std::vector<std::string>{"c.ckpt"});
}

TEST_F(CheckpointFile, RelativePathInCurrentDirectory) {
  const fs::path old = fs::current_path();
  fs::current_path(dir_);
  write_checkpoint("here.ckpt", make(2, 3.0));
  EXPECT_EQ(read_checkpoint("here.ckpt").metadata["fill"], 3.0);
  fs::current_path(old);
}

// The file-size limit makes the kernel refuse writes past 64 KiB (EFBIG): a real failure in the
// middle of writing the data section.
TEST_F(CheckpointFile, FailedWriteLeavesOldFileAndNoTemporary) {
  const fs::path p = dir_ / "c.ckpt";
  write_checkpoint(p, make(16, 1.0));
  const std::vector<uint8_t> before = contents(p);

  rlimit old_limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  rlimit small = old_limit;
  small.rlim_cur = 64 * 1024;
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);  // report EFBIG instead of killing the process
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string msg = write_error(p, make(1'000'000, 2.0));
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);

  EXPECT_THAT(msg, HasSubstr("writing"));
  EXPECT_THAT(msg, HasSubstr("File too large"));
  EXPECT_EQ(contents(p), before);
  EXPECT_EQ(entries(), std::vector<std::string>{"c.ckpt"});
}

TEST_F(CheckpointFile, FailedRenameLeavesNoTemporary) {
  const fs::path target = dir_ / "is_a_dir";
  fs::create_directories(target / "inside");
  EXPECT_THAT(write_error(target, make(4, 1.0)), HasSubstr("renaming"));
  EXPECT_EQ(entries(), std::vector<std::string>{"is_a_dir"});
  EXPECT_TRUE(fs::is_directory(target / "inside"));
}

TEST_F(CheckpointFile, MissingDirectory) {
  EXPECT_THAT(write_error(dir_ / "no" / "such" / "c.ckpt", make(4, 1.0)),
              HasSubstr("cannot create a temporary file"));
}

TEST_F(CheckpointFile, UnwritableDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  const fs::path p = dir_ / "c.ckpt";
  write_checkpoint(p, make(4, 1.0));
  const std::vector<uint8_t> before = contents(p);
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THAT(write_error(p, make(8, 2.0)), HasSubstr("Permission denied"));
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_EQ(contents(p), before);
  EXPECT_EQ(entries(), std::vector<std::string>{"c.ckpt"});
}

// Errors found before any I/O (here: NaN metadata) leave the old file too.
TEST_F(CheckpointFile, InvalidCheckpointDoesNotTouchTheFile) {
  const fs::path p = dir_ / "c.ckpt";
  write_checkpoint(p, make(4, 1.0));
  const std::vector<uint8_t> before = contents(p);
  EXPECT_THAT(write_error(p, make(4, std::nan(""))), HasSubstr("not finite"));
  EXPECT_EQ(contents(p), before);
  EXPECT_EQ(entries(), std::vector<std::string>{"c.ckpt"});
}

TEST_F(CheckpointFile, ReadErrors) {
  auto read_error = [](const fs::path& p) {
    try {
      read_checkpoint(p);
    } catch (const CheckpointError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(read_error(dir_ / "absent.ckpt"), HasSubstr("cannot open"));
  EXPECT_THAT(read_error(dir_), HasSubstr("is not a regular file"));
  const fs::path p = dir_ / "c.ckpt";
  write_checkpoint(p, make(4, 1.0));
  const std::vector<uint8_t> full_bytes = contents(p);
  // Every truncation of the file on disk is refused.
  for (size_t len = 0; len < full_bytes.size(); ++len) {
    fs::resize_file(p, len);
    EXPECT_THAT(read_error(p), HasSubstr(p.string() + ": ")) << len;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(full_bytes.data()),
               static_cast<std::streamsize>(full_bytes.size()));
  }
  // A corrupted data byte on disk.
  std::vector<uint8_t> bad = full_bytes;
  bad[bad.size() - 3] ^= 0x40;
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(bad.data()), static_cast<std::streamsize>(bad.size()));
  EXPECT_THAT(read_error(p), HasSubstr("CRC-32"));
}

}  // namespace
}  // namespace descent::app
