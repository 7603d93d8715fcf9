#include "descent/data/csv_fields.h"

#include <charconv>

namespace descent::data {

std::string_view trim_field(std::string_view s) {
  const auto is_space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

void split_fields(std::string_view line, char delimiter, std::vector<std::string_view>& fields) {
  fields.clear();
  size_t start = 0;
  for (;;) {
    const size_t at = line.find(delimiter, start);
    fields.push_back(
        trim_field(line.substr(start, at == std::string_view::npos ? at : at - start)));
    if (at == std::string_view::npos) return;
    start = at + 1;
  }
}

std::optional<double> parse_field_number(std::string_view field) {
  if (field.empty()) return std::nullopt;
  if (field.front() == '+' && field.size() > 1 && field[1] != '-') field.remove_prefix(1);
  double v = 0.0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

}  // namespace descent::data
