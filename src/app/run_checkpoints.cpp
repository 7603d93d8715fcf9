#include "run_checkpoints.h"

#include <fmt/core.h>

#include <algorithm>

#include "descent/core/error.h"

namespace descent::app {

namespace fs = std::filesystem;

std::string checkpoint_file_name(int64_t step) {
  return fmt::format("step-{:012}.ckpt", step);
}

CheckpointWriter::CheckpointWriter(fs::path dir, int64_t keep_last)
    : dir_(std::move(dir)), keep_last_(keep_last) {}

void CheckpointWriter::write(const Checkpoint& checkpoint, int64_t step) {
  write_checkpoint(dir_ / checkpoint_file_name(step), checkpoint);
  if (keep_last_ <= 0) return;
  const std::vector<fs::path> files = list_checkpoint_files(dir_);
  const auto excess = static_cast<int64_t>(files.size()) - keep_last_;
  for (int64_t i = 0; i < excess; ++i) {
    std::error_code ec;  // a file that cannot be removed is only clutter
    fs::remove(files[static_cast<size_t>(i)], ec);
  }
}

std::vector<fs::path> list_checkpoint_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.starts_with("step-") && name.ends_with(".ckpt")) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::pair<Checkpoint, fs::path> read_latest_checkpoint(const fs::path& dir) {
  const std::vector<fs::path> files = list_checkpoint_files(dir);
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    try {
      return {read_checkpoint(*it), *it};
    } catch (const Error& e) {
      fmt::print(stderr, "skipping unreadable checkpoint: {}\n", e.what());
    }
  }
  throw IOError(fmt::format("{}: no readable checkpoint to resume from", dir.string()));
}

}  // namespace descent::app
