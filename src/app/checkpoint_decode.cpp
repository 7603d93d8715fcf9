// Reading side of the checkpoint header: every check a loader makes before it allocates or
// copies a single tensor byte (docs/checkpoint-format.md, "Validation").
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_set>

#include "checkpoint_header.h"
#include "descent/app/json_text.h"

namespace descent::app::detail {
namespace {

using ojson = nlohmann::ordered_json;

// Names and values quoted in messages are cut to this many characters.
constexpr size_t kMaxQuoted = 80;

std::string quote_cut(std::string_view s) {
  if (s.size() <= kMaxQuoted) return fmt::format("'{}'", s);
  return fmt::format("'{}...' ({} bytes)", s.substr(0, kMaxQuoted), s.size());
}

std::string excerpt(const ojson& j) {
  std::string s = j.dump();
  if (s.size() > kMaxQuoted) s = s.substr(0, kMaxQuoted) + "...";
  return s;
}

// Parses the header, refusing nesting deeper than kMaxJsonDepth (json_text.h says why) and
// duplicate keys at any level (nlohmann would silently keep the last one, so two entries for one
// tensor could hide each other).
ojson parse_json(std::string_view text, std::string_view source) {
  if (const std::optional<size_t> at = json_too_deep_at(text))
    fail(source, fmt::format("header nests deeper than {} levels (byte offset {})", kMaxJsonDepth,
                             kLengthBytes + *at));
  std::vector<std::unordered_set<std::string>> keys;  // one set per open object
  auto callback = [&](int, ojson::parse_event_t event, ojson& parsed) {
    if (event == ojson::parse_event_t::object_start) keys.emplace_back();
    if (event == ojson::parse_event_t::object_end) keys.pop_back();
    if (event == ojson::parse_event_t::key && !keys.back().insert(parsed.get<std::string>()).second)
      fail(source,
           fmt::format("header has the key {} twice", quote_cut(parsed.get<std::string>())));
    return true;
  };
  try {
    return ojson::parse(text.begin(), text.end(), callback);
  } catch (const ojson::parse_error& e) {
    // e.byte counts from 1 within the header; the header starts after the length field.
    const uint64_t offset = kLengthBytes + (e.byte > 0 ? e.byte - 1 : 0);
    fail(source, fmt::format("header is not valid JSON: {} (byte offset {})", json_error_reason(e),
                             offset));
  } catch (const ojson::exception& e) {  // e.g. out_of_range for a number like 1e999
    fail(source, fmt::format("header is not valid JSON: {}", json_error_reason(e)));
  }
}

// A non-negative integer that fits in int64, or nullopt.
std::optional<uint64_t> as_count(const ojson& j) {
  if (!j.is_number_integer()) return std::nullopt;
  if (j.is_number_unsigned()) {
    const uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return v;
  }
  const int64_t v = j.get<int64_t>();
  if (v < 0) return std::nullopt;
  return static_cast<uint64_t>(v);
}

void check_metadata(const ojson& meta, CheckpointLayout& layout, std::string_view source) {
  auto bad = [&](const std::string& what) { fail(source, "__metadata__ " + what); };
  if (!meta.is_object()) bad("is not a JSON object");
  for (const auto& [key, value] : meta.items()) {
    if (key != "format" && key != "version" && key != "data_crc32" && key != "user") {
      bad(fmt::format("has the unknown key {}", quote_cut(key)));
    }
  }
  if (!meta.contains("format") || !meta["format"].is_string() ||
      meta["format"].get<std::string>() != kCheckpointFormat) {
    bad(fmt::format("lacks \"format\": \"{}\" (not a descent checkpoint)", kCheckpointFormat));
  }
  if (!meta.contains("version") || !meta["version"].is_number_integer()) {
    bad("lacks an integer \"version\"");
  }
  if (meta["version"] != kCheckpointVersion) {
    bad(fmt::format("has version {}; this build reads version {}", excerpt(meta["version"]),
                    kCheckpointVersion));
  }
  const std::optional<uint64_t> crc =
      meta.contains("data_crc32") ? as_count(meta["data_crc32"]) : std::nullopt;
  if (!crc || *crc > std::numeric_limits<uint32_t>::max()) {
    bad("lacks \"data_crc32\", an integer in [0, 2^32)");
  }
  if (!meta.contains("user")) bad("lacks \"user\"");
  layout.data_crc32 = static_cast<uint32_t>(*crc);
  layout.user_metadata = nlohmann::json(meta["user"]);
}

DType parse_dtype(const ojson& j, const std::string& where, std::string_view source) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (s == "F32") return DType::Float32;
    if (s == "F64") return DType::Float64;
    if (s == "I64") return DType::Int64;
  }
  fail(source, fmt::format("unsupported dtype {} (expected \"F32\", \"F64\" or \"I64\") ({})",
                           excerpt(j), where));
}

TensorRecord parse_record(const std::string& name, const ojson& entry, std::string_view source) {
  const std::string where = "tensor " + quote_cut(name);
  auto bad = [&](const std::string& what) { fail(source, fmt::format("{} ({})", what, where)); };
  if (name.empty()) bad("empty tensor name");
  if (!entry.is_object()) bad("entry is not a JSON object");
  for (const auto& [key, value] : entry.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      bad(fmt::format("unknown key {}", quote_cut(key)));
    }
  }
  if (!entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets")) {
    bad("entry needs \"dtype\", \"shape\" and \"data_offsets\"");
  }
  TensorRecord r{name, parse_dtype(entry["dtype"], where, source), Shape{}, 0, 0};

  const ojson& shape = entry["shape"];
  if (!shape.is_array()) bad(fmt::format("shape {} is not an array", excerpt(shape)));
  // numel = prod(sizes). The product of max(size, 1) must fit too: the strides of a contiguous
  // tensor are such products, and [0, 2^40, 2^40] has no elements but unrepresentable strides.
  int64_t numel = 1, stride_span = 1;
  for (const ojson& d : shape) {
    const std::optional<uint64_t> size = as_count(d);
    if (!size) bad(fmt::format("shape {} has the invalid size {}", excerpt(shape), excerpt(d)));
    const auto s = static_cast<int64_t>(*size);
    if (__builtin_mul_overflow(numel, s, &numel) ||
        __builtin_mul_overflow(stride_span, std::max<int64_t>(s, 1), &stride_span)) {
      bad(fmt::format("shape {} has more elements than int64 can count", excerpt(shape)));
    }
    r.shape.push_back(s);
  }
  int64_t nbytes = 0;
  if (__builtin_mul_overflow(numel, static_cast<int64_t>(dtype_size(r.dtype)), &nbytes)) {
    bad(fmt::format("shape {} of {} overflows int64 bytes", excerpt(shape), dtype_name(r.dtype)));
  }

  const ojson& offsets = entry["data_offsets"];
  std::optional<uint64_t> begin, end;
  if (offsets.is_array() && offsets.size() == 2) {
    begin = as_count(offsets[0]);
    end = as_count(offsets[1]);
  }
  if (!begin || !end || *begin > *end) {
    bad(fmt::format("data_offsets {} are not [begin, end] with 0 <= begin <= end",
                    excerpt(offsets)));
  }
  if (*end - *begin != static_cast<uint64_t>(nbytes)) {
    bad(fmt::format("data_offsets [{}, {}] span {} bytes, but {} {} needs {}", *begin, *end,
                    *end - *begin, dtype_name(r.dtype), r.shape.str(), nbytes));
  }
  r.begin = *begin;
  r.end = *end;
  return r;
}

// The records must tile the data section: sorted by offset, each starts where the previous
// one ended, the first at 0, the last at the end. (Empty tensors may share an offset.)
void check_tiling(std::vector<TensorRecord>& records, uint64_t data_start, uint64_t data_size,
                  std::string_view source) {
  for (const TensorRecord& r : records) {
    if (r.end > data_size) {
      fail(source, fmt::format("data_offsets [{}, {}] reach past the {}-byte data section "
                               "(truncated?) (tensor {})",
                               r.begin, r.end, data_size, quote_cut(r.name)));
    }
  }
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t pos = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const TensorRecord& r = records[i];
    if (r.begin > pos) {
      fail(source, fmt::format("{} unused bytes before the data of tensor {} (byte offset {})",
                               r.begin - pos, quote_cut(r.name), data_start + pos));
    }
    if (r.begin < pos) {
      fail(source, fmt::format("tensor {} overlaps tensor {} (byte offset {})", quote_cut(r.name),
                               quote_cut(records[i - 1].name), data_start + r.begin));
    }
    pos = r.end;
  }
  if (pos != data_size) {
    fail(source, fmt::format("{} trailing bytes after the last tensor (byte offset {})",
                             data_size - pos, data_start + pos));
  }
}

}  // namespace

uint64_t decode_header_length(std::span<const uint8_t> prefix, uint64_t total_size,
                              std::string_view source) {
  if (total_size < kLengthBytes || prefix.size() < kLengthBytes) {
    fail(source, fmt::format("{} bytes is too short for the 8-byte header length (truncated?)",
                             total_size));
  }
  uint64_t n = 0;
  for (size_t i = 0; i < kLengthBytes; ++i) n |= static_cast<uint64_t>(prefix[i]) << (8 * i);
  if (n > kMaxCheckpointHeaderBytes) {
    fail(source, fmt::format("header length {} exceeds the limit of {} bytes (byte offset 0)", n,
                             kMaxCheckpointHeaderBytes));
  }
  if (n > total_size - kLengthBytes) {
    fail(source, fmt::format("header length {} exceeds the {} bytes after the length field "
                             "(truncated?) (byte offset 0)",
                             n, total_size - kLengthBytes));
  }
  return n;
}

CheckpointLayout decode_header(std::string_view header, uint64_t total_size,
                               std::string_view source) {
  const ojson h = parse_json(header, source);
  if (!h.is_object()) fail(source, "header is not a JSON object (byte offset 8)");
  if (!h.contains("__metadata__")) fail(source, "header has no __metadata__");
  CheckpointLayout layout;
  check_metadata(h["__metadata__"], layout, source);
  layout.data_start = kLengthBytes + header.size();
  layout.data_size = total_size - layout.data_start;
  for (const auto& [name, entry] : h.items()) {
    if (name != "__metadata__") layout.records.push_back(parse_record(name, entry, source));
  }
  check_tiling(layout.records, layout.data_start, layout.data_size, source);
  return layout;
}

void check_crc(uint32_t computed, const CheckpointLayout& layout, std::string_view source) {
  if (computed != layout.data_crc32) {
    fail(source, fmt::format("data section CRC-32 is {:08x}, the header says {:08x} (corrupted "
                             "tensor bytes) (byte offset {})",
                             computed, layout.data_crc32, layout.data_start));
  }
}

}  // namespace descent::app::detail
