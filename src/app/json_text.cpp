#include "descent/app/json_text.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace descent::app {

std::string json_error_reason(const std::exception& e) {
  const std::string_view what = e.what();
  const size_t close = what.find("] ");
  return std::string(close == std::string_view::npos ? what : what.substr(close + 2));
}

JsonTooDeep::JsonTooDeep(size_t byte)
    : JsonTextError(fmt::format("nests deeper than {} levels (byte {})", kMaxJsonDepth, byte),
                    byte) {}

std::optional<size_t> json_too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      // Inside a string only a quote that no backslash escapes ends it.
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

template <typename Json>
Json parse_json_text(std::string_view text) {
  if (const std::optional<size_t> at = json_too_deep_at(text)) throw JsonTooDeep(*at);
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1 and may point one past the end for truncated text.
    throw JsonTextError(json_error_reason(e), std::min(e.byte > 0 ? e.byte - 1 : 0, text.size()));
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number beyond double
    throw JsonTextError(json_error_reason(e), std::nullopt);
  }
}

template nlohmann::json parse_json_text<nlohmann::json>(std::string_view);
template nlohmann::ordered_json parse_json_text<nlohmann::ordered_json>(std::string_view);

}  // namespace descent::app
