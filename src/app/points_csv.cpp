// Reading the linear classifier's points from CSV (x0,x1,y per line).
#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "descent/app/linear_classifier.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

std::string_view trim(std::string_view s) {
  const auto is_space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    fields.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

// The whole field as a number, or nothing (from_chars is locale-independent).
std::optional<double> parse_number(std::string_view field) {
  double v = 0.0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, v);
  if (field.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// Labels above this are certainly mistakes (and could not be converted to int64 safely).
constexpr double kMaxLabel = 1e9;

}  // namespace

std::vector<Point> parse_points_csv(std::istream& in, std::string_view source) {
  const auto fail = [&](size_t line_no, const std::string& why) {
    return IOError(fmt::format("{}:{}: {}", source, line_no, why));
  };
  std::vector<Point> points;
  std::string line;
  size_t line_no = 0;
  bool first_row = true;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const std::vector<std::string_view> fields = split_fields(text);

    if (first_row) {
      first_row = false;
      bool any_number = false;
      for (std::string_view f : fields) any_number = any_number || parse_number(f).has_value();
      if (!any_number) continue;  // a header such as "x0,x1,y"
    }
    if (fields.size() != 3)
      throw fail(line_no, fmt::format("expected 3 fields x0,x1,y but found {} in '{}'",
                                      fields.size(), text));
    double xy[2];
    for (int k = 0; k < 2; ++k) {
      const std::optional<double> v = parse_number(fields[static_cast<size_t>(k)]);
      if (!v || !std::isfinite(*v))
        throw fail(line_no, fmt::format("x{} '{}' is not a finite number", k,
                                        fields[static_cast<size_t>(k)]));
      xy[k] = *v;
    }
    const std::optional<double> y = parse_number(fields[2]);
    if (!y || !std::isfinite(*y) || *y < 0.0 || std::floor(*y) != *y || *y > kMaxLabel)
      throw fail(line_no,
                 fmt::format("label '{}' is not a non-negative integer class index", fields[2]));
    points.push_back({xy[0], xy[1], static_cast<int64_t>(*y)});
  }
  if (in.bad()) throw IOError(fmt::format("{}: read error after line {}", source, line_no));
  if (points.empty()) throw IOError(fmt::format("{}: no points (expected x0,x1,y rows)", source));
  return points;
}

std::vector<Point> read_points_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IOError(fmt::format("{}: cannot open the points file", path));
  return parse_points_csv(in, path);
}

}  // namespace descent::app
