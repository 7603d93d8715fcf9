// apply_override: `--set key.path=value` on a config document.
#include <fmt/core.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "descent/app/config.h"
#include "descent/app/json_text.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

struct Segment {
  std::string key;  // an object key, or the digits of an index
  bool is_index = false;
};

// "model[1].p" and "model.1.p" both give {model, 1, p}; a purely numeric dotted segment is an
// index when the document holds an array there (decided while walking).
std::vector<Segment> split_path(const std::string& path, const std::string& assignment) {
  std::vector<Segment> out;
  std::string current;
  auto bad = [&] { throw ValueError(fmt::format("--set {}: malformed key path", assignment)); };
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      if (current.empty() && (out.empty() || !out.back().is_index)) bad();
      if (!current.empty()) out.push_back({current, false});
      current.clear();
    } else if (c == '[') {
      if (!current.empty()) out.push_back({current, false});
      current.clear();
      const size_t close = path.find(']', i);
      if (close == std::string::npos || close == i + 1) bad();
      const std::string digits = path.substr(i + 1, close - i - 1);
      if (digits.find_first_not_of("0123456789") != std::string::npos) bad();
      out.push_back({digits, true});
      i = close;
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back({current, false});
  if (out.empty()) bad();
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// The offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or nothing. JSON text is UTF-8: a
// key or string that is not could not be written to config.json or printed as JSON.
std::optional<size_t> invalid_utf8_at(std::string_view s) {
  static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};  // by sequence length
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t length = 1;
    uint32_t code = lead;
    if (lead >= 0x80) {
      if ((lead & 0xE0) == 0xC0) {
        length = 2, code = lead & 0x1F;
      } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code = lead & 0x0F;
      } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code = lead & 0x07;
      } else {
        return i;
      }
      if (i + length > s.size()) return i;
      for (size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(s[i + k]);
        if ((next & 0xC0) != 0x80) return i;
        code = (code << 6) | (next & 0x3F);
      }
      if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return i;
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace

void apply_override(nlohmann::json& document, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ValueError(fmt::format("--set {}: expected key.path=value", assignment));
  }
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  if (const std::optional<size_t> at = invalid_utf8_at(path))
    throw ValueError(
        fmt::format("--set: the key path is not valid UTF-8 (byte 0x{:02x} at offset {})",
                    static_cast<unsigned char>(path[*at]), *at));
  if (const std::optional<size_t> at = invalid_utf8_at(text))
    throw ValueError(
        fmt::format("--set {}: the value is not valid UTF-8 (byte 0x{:02x} at offset {})", path,
                    static_cast<unsigned char>(text[*at]), *at));
  nlohmann::json value;
  try {
    value = parse_json_text<nlohmann::json>(text);
  } catch (const JsonTooDeep& e) {
    throw ValueError(fmt::format("--set {}: the value {}", path, e.what()));
  } catch (const JsonTextError&) {
    value = text;  // not JSON: a plain string
  }

  if (!document.is_object()) document = nlohmann::json::object();
  nlohmann::json* node = &document;
  const std::vector<Segment> segments = split_path(path, assignment);
  // Each segment can open one more level of the document: a path as deep as the values that
  // json_text.h refuses would overflow the stack as surely.
  if (segments.size() > static_cast<size_t>(kMaxJsonDepth))
    throw ValueError(fmt::format("--set: the key path has {} segments; at most {}", segments.size(),
                                 kMaxJsonDepth));
  std::string walked;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    const bool last = i + 1 == segments.size();
    if (node->is_array() && (s.is_index || all_digits(s.key))) {
      size_t index = 0;
      std::from_chars(s.key.data(), s.key.data() + s.key.size(), index);
      if (index >= node->size()) {
        throw ValueError(fmt::format("--set {}: index {} is past the end of {} ({} entries)",
                                     assignment, index, walked.empty() ? "the document" : walked,
                                     node->size()));
      }
      node = &(*node)[index];
      walked += "[" + s.key + "]";
    } else if (s.is_index) {
      throw ValueError(fmt::format("--set {}: {} is not an array", assignment, walked));
    } else {
      if (!node->is_object()) {
        // A scalar or string standing where an object is needed (e.g. optimizer given as a spec
        // string): replace it only if this is where the value goes.
        throw ValueError(fmt::format("--set {}: {} is not an object", assignment, walked));
      }
      walked += (walked.empty() ? "" : ".") + s.key;
      if (!last && !node->contains(s.key)) (*node)[s.key] = nlohmann::json::object();
      node = &(*node)[s.key];
    }
  }
  *node = std::move(value);
}

ExperimentConfig load_config(const std::string& path, const std::vector<std::string>& sets) {
  const nlohmann::json document = path.empty() ? nlohmann::json::object() : read_json_file(path);
  ExperimentConfig config = parse_config(document);
  if (sets.empty()) return config;
  nlohmann::json resolved = resolved_json(config);
  for (const std::string& assignment : sets) apply_override(resolved, assignment);
  return parse_config(resolved);
}

}  // namespace descent::app
