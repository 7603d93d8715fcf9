#pragma once
// Reading request bodies: JSON parsing with errors that say where, and the few field shapes the
// API needs beyond app::JsonReader's scalars (number lists and pairs). Every error is a
// descent::ValueError "request: <field path>: <what>" (HTTP 400).
#include <descent/app/json_reader.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace descent::serve {

// The body parsed as one JSON object; ValueError "request: body is not valid JSON: ..." or
// "request: body must be a JSON object".
nlohmann::json parse_body(std::string_view body);

// `value` (found at field path `path`) as a list of finite numbers / exactly two of them.
std::vector<double> number_list(const nlohmann::json& value, const std::string& path);
std::array<double, 2> number_pair(const nlohmann::json& value, const std::string& path);
// The same for the required field `key` of `reader`.
std::vector<double> number_list(app::JsonReader& reader, std::string_view key);
std::array<double, 2> number_pair(app::JsonReader& reader, std::string_view key);

// JsonReader and app::config_error say "config: <path>: ..."; the API says "request: ...".
std::string request_message(const std::string& what);

}  // namespace descent::serve
