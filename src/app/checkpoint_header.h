#pragma once
// The header half of the checkpoint format (docs/checkpoint-format.md), shared by the
// in-memory and the file paths: building the length prefix and JSON header for writing, and
// validating them on reading into a layout that says where every tensor's bytes are.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "descent/app/checkpoint.h"
#include "descent/core/dtype.h"
#include "descent/core/shape.h"

namespace descent::app::detail {

// The 8-byte length prefix.
inline constexpr uint64_t kLengthBytes = 8;

// One tensor of a validated header: its bytes are [data_start + begin, data_start + end).
struct TensorRecord {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin;
  uint64_t end;
};

// A validated header. Records are sorted by offset and tile [0, data_size) exactly.
struct CheckpointLayout {
  nlohmann::json user_metadata;
  uint32_t data_crc32;
  uint64_t data_start;  // 8 + header length
  uint64_t data_size;
  std::vector<TensorRecord> records;
};

// The bytes of a checkpoint about to be written: the length prefix and header, then the tensors
// (contiguous, possibly copies of non-contiguous inputs) whose buffers follow in this order.
struct EncodedCheckpoint {
  std::vector<uint8_t> head;    // length prefix + padded header
  std::vector<Tensor> tensors;  // contiguous, in data-section order
  uint64_t data_size = 0;

  static std::span<const uint8_t> bytes_of(const Tensor& t);
};

// Validates names and metadata, lays the tensors out back to back, computes the CRC-32 of the
// data section and builds the header. `source` names the destination in error messages.
EncodedCheckpoint encode_checkpoint(const Checkpoint& checkpoint, std::string_view source);

// Reads the length prefix (the first 8 bytes of `prefix`, which must hold at least 8) and checks
// it against the total size; returns the header length N.
uint64_t decode_header_length(std::span<const uint8_t> prefix, uint64_t total_size,
                              std::string_view source);

// Validates the header text (the N bytes after the prefix) against the total size.
CheckpointLayout decode_header(std::string_view header, uint64_t total_size,
                               std::string_view source);

// Compares the CRC-32 computed over the data section with the header's.
void check_crc(uint32_t computed, const CheckpointLayout& layout, std::string_view source);

// CRC-32 (zlib's polynomial) continued over `bytes`; start with crc = 0.
uint32_t crc32_update(uint32_t crc, std::span<const uint8_t> bytes);

// "<source>: <what>" as a CheckpointError.
[[noreturn]] void fail(std::string_view source, const std::string& what);

}  // namespace descent::app::detail
