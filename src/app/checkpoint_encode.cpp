// Writing side of the checkpoint header: names and metadata checks, layout, CRC, JSON header.
#include <zlib.h>

#include <fmt/format.h>
#include <bit>
#include <cmath>
#include <unordered_set>

#include "checkpoint_header.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/kernels/parallel.h"

namespace descent::app::detail {

// Tensor bytes are copied to and from files as they lie in memory.
static_assert(std::endian::native == std::endian::little,
              "checkpoint I/O assumes a little-endian host");

namespace {

std::string_view dtype_tag(DType t) {
  switch (t) {
    case DType::Float32:
      return "F32";
    case DType::Float64:
      return "F64";
    case DType::Int64:
      return "I64";
  }
  return "?";
}

// JSON cannot hold NaN or infinity: nlohmann would silently write them as null, and the value
// would come back different. Refuse them with the JSON pointer of the first offender.
void check_finite(const nlohmann::json& j, const std::string& pointer, std::string_view source) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    fail(source, fmt::format("metadata value {} at '{}' is not finite (JSON cannot hold it)",
                             j.get<double>(), pointer.empty() ? "/" : pointer));
  }
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) check_finite(value, pointer + "/" + key, source);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      check_finite(j[i], pointer + "/" + std::to_string(i), source);
    }
  }
}

}  // namespace

std::span<const uint8_t> EncodedCheckpoint::bytes_of(const Tensor& t) {
  return {static_cast<const uint8_t*>(t.raw_data()),
          static_cast<size_t>(t.numel()) * dtype_size(t.dtype())};
}

// Large buffers are checksummed in 4 MiB pieces on the thread pool and the pieces' CRCs
// joined with zlib's crc32_combine (CRC(A·B) from CRC(A), CRC(B) and |B|, by GF(2) matrix
// powers), so the checksum costs a fraction of the copy it guards. The result is identical to
// the sequential CRC.
uint32_t crc32_update(uint32_t crc, std::span<const uint8_t> bytes) {
  constexpr size_t kPiece = size_t{4} << 20;
  if (bytes.size() < 2 * kPiece || kernels::num_threads() < 2) {
    return static_cast<uint32_t>(crc32_z(crc, bytes.data(), bytes.size()));
  }
  const size_t pieces = (bytes.size() + kPiece - 1) / kPiece;
  std::vector<uLong> piece_crc(pieces);
  kernels::parallel_tasks(static_cast<int64_t>(pieces), [&](int64_t i) {
    const std::span<const uint8_t> piece =
        bytes.subspan(static_cast<size_t>(i) * kPiece)
            .first(std::min(kPiece, bytes.size() - static_cast<size_t>(i) * kPiece));
    piece_crc[static_cast<size_t>(i)] = crc32_z(0, piece.data(), piece.size());
  });
  uLong out = crc;
  for (size_t i = 0; i < pieces; ++i) {
    const size_t len = std::min(kPiece, bytes.size() - i * kPiece);
    out = crc32_combine(out, piece_crc[i], static_cast<z_off_t>(len));
  }
  return static_cast<uint32_t>(out);
}

void fail(std::string_view source, const std::string& what) {
  throw CheckpointError(fmt::format("{}: {}", source, what));
}

EncodedCheckpoint encode_checkpoint(const Checkpoint& checkpoint, std::string_view source) {
  check_finite(checkpoint.metadata, "", source);
  EncodedCheckpoint out;
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  header["__metadata__"] = nullptr;  // first in the header; filled once the CRC is known
  std::unordered_set<std::string_view> seen;
  uint32_t crc = 0;
  NoGradGuard no_grad;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    if (name.empty() || name == "__metadata__") {
      fail(source, fmt::format("invalid tensor name '{}'", name));
    }
    if (!seen.insert(name).second) fail(source, fmt::format("duplicate tensor name '{}'", name));
    if (!tensor.defined()) fail(source, fmt::format("tensor '{}' is undefined", name));
    Tensor t = contiguous(tensor.detach());
    const std::span<const uint8_t> bytes = EncodedCheckpoint::bytes_of(t);
    crc = crc32_update(crc, bytes);
    header[name] = {{"dtype", dtype_tag(t.dtype())},
                    {"shape", t.shape().vec()},
                    {"data_offsets", {out.data_size, out.data_size + bytes.size()}}};
    out.data_size += bytes.size();
    out.tensors.push_back(std::move(t));
  }
  header["__metadata__"] = {{"format", kCheckpointFormat},
                            {"version", kCheckpointVersion},
                            {"data_crc32", crc},
                            {"user", checkpoint.metadata}};
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    fail(source, fmt::format("cannot encode the header: {}", e.what()));  // invalid UTF-8
  }
  // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned, as
  // safetensors does: a reader that maps the file can then use the tensors in place.
  text.resize((text.size() + 7) / 8 * 8, ' ');
  const uint64_t n = text.size();
  out.head.resize(kLengthBytes + n);
  for (size_t i = 0; i < kLengthBytes; ++i) out.head[i] = static_cast<uint8_t>(n >> (8 * i));
  std::copy(text.begin(), text.end(), out.head.begin() + kLengthBytes);
  return out;
}

}  // namespace descent::app::detail
