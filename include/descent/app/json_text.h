#pragma once
// Parsing JSON text that comes from outside the program: config files, --set values, the web
// lab's request bodies, the files of a run directory.
//
// Every way the text can fail is one descent error, JsonTextError, with the byte where it went
// wrong when that is known: malformed text, a number beyond double's range (nlohmann throws an
// out_of_range for that, not a parse_error), and nesting deeper than kMaxJsonDepth.
//
// Why a nesting limit: nlohmann's parser is iterative, but dump(), copies and comparisons of the
// parsed value recurse once per level. A 1 MiB request body of '[' parses fine and then
// overflows the stack when an error message prints it. Configs and requests nest fewer than ten
// levels; deeper text is refused before it is parsed.
#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "descent/core/error.h"

namespace descent::app {

constexpr int kMaxJsonDepth = 256;

// what() is the reason alone ("syntax error while parsing value - unexpected ','; ...",
// "number overflow parsing '1e999'"); callers say which file or request it was.
class JsonTextError : public ValueError {
 public:
  JsonTextError(const std::string& reason, std::optional<size_t> byte)
      : ValueError(reason), byte_(byte) {}
  // The 0-based offset into the text, when known.
  std::optional<size_t> byte() const { return byte_; }

 private:
  std::optional<size_t> byte_;
};

// Text that nests deeper than kMaxJsonDepth: "nests deeper than 256 levels (byte N)", N the
// offset of the bracket that opens the level too many.
class JsonTooDeep : public JsonTextError {
 public:
  explicit JsonTooDeep(size_t byte);
};

// The offset of the first '[' or '{' outside strings that opens level max_depth + 1 of `text`,
// or nullopt when none does. A scan of the bytes, not a parse: for text that is not valid JSON
// the count may be meaningless, but the parse that follows rejects that text anyway.
std::optional<size_t> json_too_deep_at(std::string_view text, int max_depth = kMaxJsonDepth);

// nlohmann's exception message without its "[json.exception.parse_error.101] " prefix.
std::string json_error_reason(const std::exception& e);

// `text` parsed as nlohmann::json or nlohmann::ordered_json; JsonTextError (JsonTooDeep for
// nesting) when it does not parse.
template <typename Json>
Json parse_json_text(std::string_view text);

}  // namespace descent::app
