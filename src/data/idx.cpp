// IDX parsing: header validation, then the payload copied (raw) or inflated (gzip) in one pass
// into a buffer allocated once from the header.
#include "descent/data/idx.h"

#include <fmt/core.h>
#include <zlib.h>

#include <bit>
#include <climits>
#include <cstring>

#include "descent/core/error.h"
#include "file_bytes.h"

namespace descent::data {
namespace {

constexpr size_t kPrefixBytes = 4;  // two zero bytes, type code, rank

// Deflate's best compression ratio is about 1032:1 (a 258-byte match in a 2-bit code); a header
// declaring more than this times the gzip file's size cannot be honest. The slack covers the
// gzip header and tiny files.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kDeflateSlack = 1024;

bool is_idx_type(uint8_t code) {
  switch (code) {
    case 0x08:
    case 0x09:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x0E:
      return true;
    default:
      return false;
  }
}

// Formats "source: byte offset N[ of the decompressed stream]: what".
struct Where {
  std::string_view source;
  bool gzip = false;
  FormatError at(uint64_t offset, std::string_view what) const {
    return FormatError(fmt::format("{}: byte offset {}{}: {}", source, offset,
                                   gzip ? " (decompressed)" : "", what));
  }
};

struct Header {
  IdxType type;
  Shape dims;
  size_t header_bytes = 0;
  uint64_t payload_bytes = 0;
};

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Validates the 4-byte prefix; returns the rank.
int check_prefix(const uint8_t* p, const Where& where) {
  if (p[0] != 0 || p[1] != 0)
    throw where.at(0, fmt::format("magic bytes 0x{:02x} 0x{:02x} are not an IDX file's 0x00 0x00",
                                  p[0], p[1]));
  if (!is_idx_type(p[2]))
    throw where.at(2, fmt::format("type code 0x{:02x} is not an IDX type (0x08 ubyte, 0x09 byte, "
                                  "0x0B short, 0x0C int, 0x0D float, 0x0E double)",
                                  p[2]));
  if (p[3] < 1 || p[3] > kMaxIdxRank)
    throw where.at(3, fmt::format("rank {} is outside 1..{}", p[3], kMaxIdxRank));
  return p[3];
}

// The sizes that follow the prefix, with the element count checked against overflow.
Header read_sizes(const uint8_t* prefix, const uint8_t* sizes, const Where& where) {
  Header h;
  h.type = static_cast<IdxType>(prefix[2]);
  const int rank = prefix[3];
  h.header_bytes = kPrefixBytes + 4 * static_cast<size_t>(rank);
  // The product of the non-zero sizes is bounded too: with a zero size the payload is empty,
  // but the sizes still multiply into element counts (Shape::numel) that must not overflow.
  // Every byte count stays below 2^62 so that later int64 arithmetic cannot overflow.
  uint64_t bytes = idx_type_size(h.type);
  bool empty = false;
  for (int k = 0; k < rank; ++k) {
    const uint32_t d = read_be32(sizes + 4 * k);
    empty = empty || d == 0;
    if (d != 0 &&
        (__builtin_mul_overflow(bytes, uint64_t{d}, &bytes) || bytes > (uint64_t{1} << 62)))
      throw where.at(kPrefixBytes + 4 * static_cast<size_t>(k),
                     fmt::format("size {} of dimension {} makes the payload overflow", d, k));
    h.dims.push_back(d);
  }
  h.payload_bytes = empty ? 0 : bytes;
  return h;
}

// Big-endian elements to host order, in place.
void to_host_order(uint8_t* data, size_t nbytes, size_t elem) {
  if constexpr (std::endian::native == std::endian::big) return;
  if (elem == 2) {
    for (size_t i = 0; i + 1 < nbytes; i += 2) std::swap(data[i], data[i + 1]);
  } else if (elem == 4) {
    for (size_t i = 0; i + 3 < nbytes; i += 4) {
      uint32_t v;
      std::memcpy(&v, data + i, 4);
      v = __builtin_bswap32(v);
      std::memcpy(data + i, &v, 4);
    }
  } else if (elem == 8) {
    for (size_t i = 0; i + 7 < nbytes; i += 8) {
      uint64_t v;
      std::memcpy(&v, data + i, 8);
      v = __builtin_bswap64(v);
      std::memcpy(data + i, &v, 8);
    }
  }
}

IdxArray make_array(const Header& h) {
  IdxArray a;
  a.type = h.type;
  a.dims = h.dims;
  a.nbytes = static_cast<size_t>(h.payload_bytes);
  a.bytes = std::make_unique_for_overwrite<uint8_t[]>(a.nbytes);
  return a;
}

IdxArray parse_raw(std::span<const uint8_t> in, const Where& where) {
  if (in.size() < kPrefixBytes)
    throw where.at(in.size(), fmt::format("the file ends inside the 4-byte header prefix ({} "
                                          "bytes present)",
                                          in.size()));
  const int rank = check_prefix(in.data(), where);
  const size_t header_bytes = kPrefixBytes + 4 * static_cast<size_t>(rank);
  if (in.size() < header_bytes)
    throw where.at(in.size(), fmt::format("the file ends inside the header ({} bytes for rank {})",
                                          header_bytes, rank));
  const Header h = read_sizes(in.data(), in.data() + kPrefixBytes, where);
  const uint64_t present = in.size() - header_bytes;
  if (present < h.payload_bytes)
    throw where.at(in.size(),
                   fmt::format("payload truncated: the header declares {} {} {} "
                               "({} bytes) but only {} bytes are present",
                               h.dims.str(), idx_type_name(h.type),
                               h.dims.size() == 1 ? "values" : "array", h.payload_bytes, present));
  if (present > h.payload_bytes)
    throw where.at(header_bytes + h.payload_bytes,
                   fmt::format("{} extra bytes after the {}-byte payload the header declares",
                               present - h.payload_bytes, h.payload_bytes));
  IdxArray a = make_array(h);
  if (a.nbytes) std::memcpy(a.bytes.get(), in.data() + header_bytes, a.nbytes);
  to_host_order(a.bytes.get(), a.nbytes, idx_type_size(a.type));
  return a;
}

// A zlib inflate stream over gzip bytes in memory, releasing itself on scope exit.
class Inflater {
 public:
  Inflater(std::span<const uint8_t> in, std::string_view source) : in_(in), source_(source) {
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK)  // 16: expect a gzip wrapper
      throw IOError(fmt::format("{}: cannot initialize zlib", source));
  }
  ~Inflater() { inflateEnd(&zs_); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Inflates up to n bytes into dst; returns how many were produced (fewer only at the end of
  // the stream). zlib's counters are 32-bit (uInt), so input and output go in chunks.
  size_t read(uint8_t* dst, size_t n) {
    size_t produced = 0;
    while (produced < n && !ended_) {
      if (zs_.avail_in == 0 && fed_ < in_.size()) {
        const size_t take = std::min<size_t>(in_.size() - fed_, UINT_MAX);
        zs_.next_in = const_cast<Bytef*>(in_.data() + fed_);
        zs_.avail_in = static_cast<uInt>(take);
        fed_ += take;
      }
      const size_t chunk = std::min<size_t>(n - produced, UINT_MAX);
      zs_.next_out = dst + produced;
      zs_.avail_out = static_cast<uInt>(chunk);
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      const size_t made = chunk - zs_.avail_out;
      produced += made;
      if (rc == Z_STREAM_END) {
        ended_ = true;
      } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
        // No progress with all input handed over: the stream stops before its end.
        if (made == 0 && zs_.avail_in == 0 && fed_ == in_.size())
          throw FormatError(
              fmt::format("{}: byte offset {}: the gzip stream is truncated", source_, in_.size()));
      } else {
        throw FormatError(fmt::format("{}: byte offset {}: corrupt gzip data ({})", source_,
                                      in_.size() - remaining_in(),
                                      zs_.msg ? zs_.msg : "zlib error"));
      }
    }
    return produced;
  }

  // Compressed bytes not yet consumed.
  size_t remaining_in() const { return in_.size() - fed_ + zs_.avail_in; }

 private:
  std::span<const uint8_t> in_;
  std::string_view source_;
  z_stream zs_{};
  size_t fed_ = 0;  // bytes handed to zlib so far
  bool ended_ = false;
};

IdxArray parse_gzip(std::span<const uint8_t> in, const Where& where) {
  Inflater z(in, where.source);
  uint8_t header[kPrefixBytes + 4 * kMaxIdxRank];
  size_t got = z.read(header, kPrefixBytes);
  if (got < kPrefixBytes)
    throw where.at(got, fmt::format("the stream ends inside the 4-byte header prefix ({} bytes "
                                    "present)",
                                    got));
  const int rank = check_prefix(header, where);
  const size_t size_bytes = 4 * static_cast<size_t>(rank);
  got = z.read(header + kPrefixBytes, size_bytes);
  if (got < size_bytes)
    throw where.at(kPrefixBytes + got,
                   fmt::format("the stream ends inside the header ({} bytes for rank {})",
                               kPrefixBytes + size_bytes, rank));
  const Header h = read_sizes(header, header + kPrefixBytes, where);

  const uint64_t ceiling = kMaxDeflateRatio * in.size() + kDeflateSlack;
  if (h.payload_bytes > ceiling)
    throw where.at(
        h.header_bytes,
        fmt::format("the header declares {} {} ({} bytes), more than a {}-byte gzip "
                    "file can hold (at most {} bytes)",
                    h.dims.str(), idx_type_name(h.type), h.payload_bytes, in.size(), ceiling));
  IdxArray a = make_array(h);
  got = z.read(a.bytes.get(), a.nbytes);
  if (got < a.nbytes)
    throw where.at(h.header_bytes + got,
                   fmt::format("payload truncated: the header declares {} bytes but the stream "
                               "holds only {}",
                               a.nbytes, got));
  // The limit: one byte beyond the declared size is enough to know there is more.
  uint8_t extra;
  if (z.read(&extra, 1) != 0)
    throw where.at(h.header_bytes + a.nbytes,
                   fmt::format("extra data after the {}-byte payload the header declares "
                               "(decompression stopped at the limit)",
                               a.nbytes));
  if (z.remaining_in() != 0)
    throw FormatError(fmt::format("{}: byte offset {}: {} trailing bytes after the gzip stream",
                                  where.source, in.size() - z.remaining_in(), z.remaining_in()));
  to_host_order(a.bytes.get(), a.nbytes, idx_type_size(a.type));
  return a;
}

}  // namespace

size_t idx_type_size(IdxType t) {
  switch (t) {
    case IdxType::UInt8:
    case IdxType::Int8:
      return 1;
    case IdxType::Int16:
      return 2;
    case IdxType::Int32:
    case IdxType::Float32:
      return 4;
    case IdxType::Float64:
      return 8;
  }
  return 1;
}

std::string_view idx_type_name(IdxType t) {
  switch (t) {
    case IdxType::UInt8:
      return "ubyte";
    case IdxType::Int8:
      return "byte";
    case IdxType::Int16:
      return "short";
    case IdxType::Int32:
      return "int";
    case IdxType::Float32:
      return "float";
    case IdxType::Float64:
      return "double";
  }
  return "?";
}

double IdxArray::value(int64_t i) const {
  const uint8_t* p = bytes.get() + static_cast<size_t>(i) * idx_type_size(type);
  switch (type) {
    case IdxType::UInt8:
      return *p;
    case IdxType::Int8:
      return static_cast<int8_t>(*p);
    case IdxType::Int16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case IdxType::Int32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case IdxType::Float32: {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case IdxType::Float64: {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
  return 0.0;
}

IdxArray parse_idx(std::span<const uint8_t> bytes, std::string_view source) {
  const bool gzip = bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
  const Where where{source, gzip};
  return gzip ? parse_gzip(bytes, where) : parse_raw(bytes, where);
}

IdxArray load_idx(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return parse_idx(bytes, path);
}

}  // namespace descent::data
