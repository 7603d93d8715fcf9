// Text helpers of the optimizer and schedule specs.
#include "spec_text.h"

#include <fmt/core.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "descent/core/error.h"

namespace descent::optim::detail {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double parse_double(std::string_view kind, std::string_view owner, std::string_view key,
                    std::string_view v) {
  double out = 0.0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(out)) {
    throw ValueError(fmt::format("{}: {}: {}={} is not a finite number", kind, owner, key, v));
  }
  return out;
}

bool parse_bool(std::string_view kind, std::string_view owner, std::string_view key,
                std::string_view v) {
  const std::string s = lower(v);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  throw ValueError(
      fmt::format("{}: {}: {}={} is not a boolean (true/false/1/0)", kind, owner, key, v));
}

int64_t parse_int(std::string_view kind, std::string_view owner, std::string_view key,
                  std::string_view v) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) {
    throw ValueError(fmt::format("{}: {}: {}={} is not an integer", kind, owner, key, v));
  }
  return out;
}

KeyValues parse_key_values(std::string_view kind, std::string_view text, std::string_view rest) {
  KeyValues out;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    if (!item.empty() || comma != std::string_view::npos || !out.empty()) {
      const size_t eq = item.find('=');
      if (item.empty() || eq == std::string_view::npos) {
        throw ValueError(fmt::format("{} '{}': expected key=value, got '{}'", kind, text, item));
      }
      std::string key = lower(trim(item.substr(0, eq)));
      std::string value(trim(item.substr(eq + 1)));
      for (const auto& kv : out) {
        if (kv.first == key) {
          throw ValueError(fmt::format("{} '{}': '{}' is given twice", kind, text, key));
        }
      }
      out.emplace_back(std::move(key), std::move(value));
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

}  // namespace descent::optim::detail
