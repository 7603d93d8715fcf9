// Reading request bodies; see request.h.
#include "serve/request.h"

#include <descent/app/json_text.h>
#include <descent/core/error.h>
#include <fmt/core.h>

#include <cmath>

namespace descent::serve {

nlohmann::json parse_body(std::string_view body) {
  nlohmann::json value;
  try {
    value = app::parse_json_text<nlohmann::json>(body);
  } catch (const app::JsonTextError& e) {
    throw ValueError(fmt::format("request: body is not valid JSON: {}", e.what()));
  }
  if (!value.is_object()) throw ValueError("request: body must be a JSON object");
  return value;
}

std::vector<double> number_list(const nlohmann::json& value, const std::string& path) {
  if (!value.is_array())
    app::config_error(path, "expected a list of numbers, got " + app::describe_json(value));
  std::vector<double> out;
  for (size_t i = 0; i < value.size(); ++i) {
    const nlohmann::json& item = value[i];
    if (!item.is_number() || !std::isfinite(item.get<double>()))
      app::config_error(app::index_path(path, i),
                        "expected a finite number, got " + app::describe_json(item));
    out.push_back(item.get<double>());
  }
  return out;
}

std::array<double, 2> number_pair(const nlohmann::json& value, const std::string& path) {
  const std::vector<double> v = number_list(value, path);
  if (v.size() != 2) app::config_error(path, fmt::format("expected 2 numbers, got {}", v.size()));
  return {v[0], v[1]};
}

std::vector<double> number_list(app::JsonReader& reader, std::string_view key) {
  const nlohmann::json* v = reader.raw(key);
  if (v == nullptr) reader.fail(key, "is required");
  return number_list(*v, reader.path_of(key));
}

std::array<double, 2> number_pair(app::JsonReader& reader, std::string_view key) {
  const nlohmann::json* v = reader.raw(key);
  if (v == nullptr) reader.fail(key, "is required");
  return number_pair(*v, reader.path_of(key));
}

std::string request_message(const std::string& what) {
  constexpr std::string_view kConfig = "config: ";
  if (what.starts_with(kConfig)) return "request: " + what.substr(kConfig.size());
  return what;
}

}  // namespace descent::serve
