#pragma once
// The checkpoints/ directory of a run: one file per checkpoint, named by step so that names sort
// by age ("step-000000001234.ckpt"), the newest `keep_last` kept.
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

#include "descent/app/checkpoint.h"

namespace descent::app {

class CheckpointWriter {
 public:
  CheckpointWriter(std::filesystem::path dir, int64_t keep_last);
  // Writes atomically (write_checkpoint), then deletes the oldest files beyond keep_last.
  void write(const Checkpoint& checkpoint, int64_t step);

 private:
  std::filesystem::path dir_;
  int64_t keep_last_;
};

// "step-000000001234.ckpt"
std::string checkpoint_file_name(int64_t step);

// The checkpoint files in `dir`, oldest first; temporary files of interrupted writes are not
// listed.
std::vector<std::filesystem::path> list_checkpoint_files(const std::filesystem::path& dir);

// The newest checkpoint in `dir` that reads and validates, with its path. Newer files that fail
// are reported on stderr and skipped; none at all is an IOError naming the directory.
std::pair<Checkpoint, std::filesystem::path> read_latest_checkpoint(
    const std::filesystem::path& dir);

}  // namespace descent::app
