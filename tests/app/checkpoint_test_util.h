#pragma once
// Helpers for the checkpoint tests: a reference CRC-32, hand-assembled files (so that tests can
// build headers the writer would never produce) and error-message capture.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/app/checkpoint.h"
#include "descent/core/tensor.h"

namespace descent::app::ckpt_test {

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit: an implementation
// independent of zlib's to check the checksum the library writes.
inline uint32_t reference_crc32(const std::vector<uint8_t>& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// 8-byte little-endian length, the header text, the data.
inline std::vector<uint8_t> assemble(const std::string& header, const std::vector<uint8_t>& data) {
  const uint64_t n = header.size();
  std::vector<uint8_t> out(8 + header.size() + data.size());
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
  std::copy(header.begin(), header.end(), out.begin() + 8);
  std::copy(data.begin(), data.end(), out.begin() + 8 + static_cast<int64_t>(n));
  return out;
}

// A valid __metadata__ for `data`.
inline nlohmann::ordered_json metadata_for(const std::vector<uint8_t>& data,
                                           nlohmann::json user = nlohmann::json::object()) {
  return {{"format", "descent-checkpoint"},
          {"version", 1},
          {"data_crc32", reference_crc32(data)},
          {"user", user}};
}

// A file with the given tensor entries (name -> entry JSON) and a correct checksum.
inline std::vector<uint8_t> file_with(const nlohmann::ordered_json& entries,
                                      const std::vector<uint8_t>& data) {
  nlohmann::ordered_json h = {{"__metadata__", metadata_for(data)}};
  for (const auto& [name, entry] : entries.items()) h[name] = entry;
  return assemble(h.dump(), data);
}

inline nlohmann::ordered_json entry(const std::string& dtype, std::vector<int64_t> shape,
                                    uint64_t begin, uint64_t end) {
  return {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

// The message of the CheckpointError thrown while parsing `bytes`, or a test failure.
inline std::string parse_error(const std::vector<uint8_t>& bytes, const char* source = "mem") {
  try {
    parse_checkpoint(bytes, source);
  } catch (const CheckpointError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than CheckpointError: " << e.what();
    return "";
  }
  ADD_FAILURE() << "parsed without error";
  return "";
}

// True when both tensors have the same dtype, shape and bytes (row-major).
inline bool bitwise_equal(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  if (a.dtype() == DType::Int64) return a.to_vector<int64_t>() == b.to_vector<int64_t>();
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();  // exact for f32, f64
  return x.size() == y.size() &&
         (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
}

}  // namespace descent::app::ckpt_test
