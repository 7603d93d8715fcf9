// Checkpoints held in memory: serialize_checkpoint and parse_checkpoint (the fuzzed entry
// point), plus the Checkpoint accessors.
#include <fmt/format.h>

#include <cstring>

#include "checkpoint_header.h"

namespace descent::app {

const Tensor* Checkpoint::find(std::string_view name) const {
  for (const auto& [key, tensor] : tensors) {
    if (key == name) return &tensor;
  }
  return nullptr;
}

const Tensor& Checkpoint::at(std::string_view name) const {
  const Tensor* t = find(name);
  if (!t) throw CheckpointError(fmt::format("checkpoint has no tensor '{}'", name));
  return *t;
}

std::vector<uint8_t> serialize_checkpoint(const Checkpoint& checkpoint) {
  detail::EncodedCheckpoint enc = detail::encode_checkpoint(checkpoint, "checkpoint");
  std::vector<uint8_t> out = std::move(enc.head);
  out.reserve(out.size() + enc.data_size);
  for (const Tensor& t : enc.tensors) {
    const auto bytes = detail::EncodedCheckpoint::bytes_of(t);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

Checkpoint parse_checkpoint(std::span<const uint8_t> bytes, std::string_view source) {
  const uint64_t n = detail::decode_header_length(bytes, bytes.size(), source);
  const std::string_view header(reinterpret_cast<const char*>(bytes.data()) + detail::kLengthBytes,
                                n);
  detail::CheckpointLayout layout = detail::decode_header(header, bytes.size(), source);
  const std::span<const uint8_t> data = bytes.subspan(layout.data_start);
  detail::check_crc(detail::crc32_update(0, data), layout, source);
  Checkpoint out;
  out.metadata = std::move(layout.user_metadata);
  out.tensors.reserve(layout.records.size());
  for (detail::TensorRecord& r : layout.records) {
    Tensor t = Tensor::empty(r.shape, r.dtype);
    if (r.end > r.begin) std::memcpy(t.raw_data(), data.data() + r.begin, r.end - r.begin);
    out.tensors.emplace_back(std::move(r.name), std::move(t));
  }
  return out;
}

}  // namespace descent::app
