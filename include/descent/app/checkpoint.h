#pragma once
// Checkpoint files: named tensors plus free-form JSON metadata in one binary container, laid
// out as safetensors does (docs/checkpoint-format.md describes it byte by byte):
//
//   [8 bytes]  N, the header length, unsigned little-endian
//   [N bytes]  UTF-8 JSON header: {"__metadata__": {...}, "<name>": {"dtype": "F32",
//              "shape": [2, 3], "data_offsets": [begin, end]}, ...}, padded with spaces
//   [rest]     the data section: every tensor's elements, row-major, little-endian, back to
//              back in the order they were written (offsets are relative to its start)
//
// __metadata__ holds {"format": "descent-checkpoint", "version": 1, "data_crc32": <CRC-32 of
// the data section>, "user": <Checkpoint::metadata>}. Unlike safetensors, whose metadata is a
// string-to-string map, "user" may be any JSON value.
//
// Loading validates everything (lengths, JSON, dtypes, shape overflow, offsets, gaps, overlaps,
// trailing bytes, duplicate keys, the checksum) and throws CheckpointError naming the source,
// what is wrong and where (byte offset or tensor name); no input makes it crash.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "descent/core/error.h"
#include "descent/core/tensor.h"

namespace descent::app {

// A file or buffer that is not a valid checkpoint, or a checkpoint that cannot be written.
// Messages read "<source>: <what> (<where>)".
class CheckpointError : public IOError {
  using IOError::IOError;
};

struct Checkpoint {
  // Any JSON value; non-finite numbers are refused on writing (JSON has no NaN or infinity).
  nlohmann::json metadata = nlohmann::json::object();
  // Names are unique, non-empty and not "__metadata__". Order is kept through a round trip.
  std::vector<std::pair<std::string, Tensor>> tensors;

  // The tensor called `name`, or nullptr.
  const Tensor* find(std::string_view name) const;
  // The tensor called `name`; CheckpointError when absent.
  const Tensor& at(std::string_view name) const;
};

// Format constants (see docs/checkpoint-format.md).
inline constexpr std::string_view kCheckpointFormat = "descent-checkpoint";
inline constexpr int64_t kCheckpointVersion = 1;
// Headers longer than this are refused before any allocation (safetensors uses 100 MB too).
inline constexpr uint64_t kMaxCheckpointHeaderBytes = 100'000'000;

// The whole file as bytes (for tests, fuzz corpora, and in-memory transport). Tensors may be
// non-contiguous views; they are written contiguous. Throws CheckpointError for an invalid
// name, a duplicate, or non-finite numbers in the metadata.
std::vector<uint8_t> serialize_checkpoint(const Checkpoint& checkpoint);

// Parses and validates a checkpoint held in memory; `source` names it in error messages.
// Tensors are fresh contiguous copies that do not alias `bytes`.
Checkpoint parse_checkpoint(std::span<const uint8_t> bytes, std::string_view source);

// Writes atomically: the bytes go to a temporary file in the same directory, which is fsynced,
// renamed over `path`, and the directory is fsynced. On any failure `path` is untouched (old
// contents or absent), the temporary file is removed, and CheckpointError names the step and
// the system's reason. Each tensor is written with one write call from its own buffer.
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);

// Reads and validates a checkpoint file; tensor bytes are read straight into the new tensors'
// storage.
Checkpoint read_checkpoint(const std::filesystem::path& path);

}  // namespace descent::app
