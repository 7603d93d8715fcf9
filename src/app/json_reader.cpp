#include "descent/app/json_reader.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "descent/core/error.h"

namespace descent::app {

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string index_path(std::string_view parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

void config_error(std::string_view path, const std::string& message) {
  if (path.empty()) throw ValueError(fmt::format("config: {}", message));
  throw ValueError(fmt::format("config: {}: {}", path, message));
}

std::string describe_json(const nlohmann::json& value) {
  // Bytes that are not UTF-8 (a string built by a program, not parsed) print as U+FFFD rather
  // than make dump() throw while an error message is being built.
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  constexpr size_t kMax = 60;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

JsonReader::JsonReader(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) {
    config_error(path_, "expected an object, got " + describe_json(object_));
  }
}

bool JsonReader::has(std::string_view key) const {
  auto it = object_.find(std::string(key));
  return it != object_.end() && !it->is_null();
}

std::string JsonReader::path_of(std::string_view key) const {
  return join_path(path_, key);
}

void JsonReader::fail(std::string_view key, const std::string& message) const {
  config_error(path_of(key), message);
}

const nlohmann::json* JsonReader::raw(std::string_view key) {
  read_.emplace(key);
  auto it = object_.find(std::string(key));
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

namespace {

// Converts one JSON value to T or throws naming `path`.
template <typename T>
T convert(const nlohmann::json& v, const std::string& path) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) config_error(path, "expected true or false, got " + describe_json(v));
    return v.get<bool>();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    if (v.is_number_integer()) return v.get<int64_t>();
    // 1e3 is written as a float by many tools; accept floats that are exact integers.
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
        return static_cast<int64_t>(d);
      }
    }
    config_error(path, "expected an integer, got " + describe_json(v));
  } else if constexpr (std::is_same_v<T, double>) {
    if (!v.is_number()) config_error(path, "expected a number, got " + describe_json(v));
    return v.get<double>();
  } else {
    static_assert(std::is_same_v<T, std::string>);
    if (!v.is_string()) config_error(path, "expected a string, got " + describe_json(v));
    return v.get<std::string>();
  }
}

}  // namespace

template <typename T>
T JsonReader::get(std::string_view key, T fallback) {
  const nlohmann::json* v = raw(key);
  if (v == nullptr) return fallback;
  return convert<T>(*v, path_of(key));
}

template <typename T>
T JsonReader::require(std::string_view key) {
  const nlohmann::json* v = raw(key);
  if (v == nullptr) fail(key, "is required");
  return convert<T>(*v, path_of(key));
}

template bool JsonReader::get<bool>(std::string_view, bool);
template int64_t JsonReader::get<int64_t>(std::string_view, int64_t);
template double JsonReader::get<double>(std::string_view, double);
template std::string JsonReader::get<std::string>(std::string_view, std::string);
template bool JsonReader::require<bool>(std::string_view);
template int64_t JsonReader::require<int64_t>(std::string_view);
template double JsonReader::require<double>(std::string_view);
template std::string JsonReader::require<std::string>(std::string_view);

void JsonReader::finish(const std::vector<std::string>& valid) const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (read_.count(it.key()) > 0) continue;
    std::string list;
    if (valid.empty()) {
      for (const std::string& k : read_) list += (list.empty() ? "" : ", ") + k;
    } else {
      for (const std::string& k : valid) list += (list.empty() ? "" : ", ") + k;
    }
    config_error(path_of(it.key()), "unknown key (valid keys: " + list + ")");
  }
}

}  // namespace descent::app
