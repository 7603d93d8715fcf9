#pragma once
// JsonReader: strict, path-aware reading of one JSON object of a config.
//
// Every key that is read is remembered; finish() rejects the keys nobody read, listing the valid
// ones. Every error names the full key path, e.g. "config: model[2].p: expected a number in
// [0, 1], got "high"", so a user can find the mistake in a long config at once.
//
//   JsonReader r(json, "data");
//   auto n = r.get<int64_t>("samples", 600);        // optional, with a default
//   auto name = r.require<std::string>("dataset");  // required
//   r.finish();                                     // unknown keys → ValueError
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace descent::app {

class JsonReader {
 public:
  // `path` is the key path of `object` itself ("" for the root). A non-object is a ValueError.
  JsonReader(const nlohmann::json& object, std::string path);

  bool has(std::string_view key) const;

  // The value at `key` converted to T (double, int64_t, bool, std::string), or `fallback` when
  // the key is absent or null. A value of the wrong type is a ValueError naming the path.
  template <typename T>
  T get(std::string_view key, T fallback);
  // As get(), but the key must be present.
  template <typename T>
  T require(std::string_view key);

  // The raw value at `key` (marked as read), or nullptr when absent or null.
  const nlohmann::json* raw(std::string_view key);

  // "data.samples" for key "samples" of a reader at "data".
  std::string path_of(std::string_view key) const;

  // ValueError "config: <path>: <message>".
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;

  // ValueError for every key that was not read, naming it and listing `valid` (the keys this
  // object accepts; default: the keys that were read).
  void finish(const std::vector<std::string>& valid = {}) const;

 private:
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

// Path helpers shared by config readers: "a" + "b" → "a.b", "" + "b" → "b"; "a" + 3 → "a[3]".
std::string join_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, size_t index);

// ValueError "config: <path>: <message>".
[[noreturn]] void config_error(std::string_view path, const std::string& message);

// A short rendering of a JSON value for messages (strings quoted, long values cut).
std::string describe_json(const nlohmann::json& value);

}  // namespace descent::app
