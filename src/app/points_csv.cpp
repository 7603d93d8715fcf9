// Reading the linear classifier's points from CSV (x0,x1,y per line).
#include <fmt/core.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "descent/app/linear_classifier.h"
#include "descent/core/error.h"
#include "descent/data/csv_fields.h"

namespace descent::app {
namespace {

// Labels above this are certainly mistakes (and could not be converted to int64 safely).
constexpr double kMaxLabel = 1e9;

}  // namespace

std::vector<Point> parse_points_csv(std::istream& in, std::string_view source) {
  const auto fail = [&](size_t line_no, const std::string& why) {
    return IOError(fmt::format("{}:{}: {}", source, line_no, why));
  };
  std::vector<Point> points;
  std::string line;
  std::vector<std::string_view> fields;
  size_t line_no = 0;
  bool first_row = true;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view text = data::trim_field(line);
    if (text.empty() || text.front() == '#') continue;
    data::split_fields(text, ',', fields);

    if (first_row) {
      first_row = false;
      bool any_number = false;
      for (std::string_view f : fields)
        any_number = any_number || data::parse_field_number(f).has_value();
      if (!any_number) continue;  // a header such as "x0,x1,y"
    }
    if (fields.size() != 3)
      throw fail(line_no, fmt::format("expected 3 fields x0,x1,y but found {} in '{}'",
                                      fields.size(), text));
    double xy[2];
    for (int k = 0; k < 2; ++k) {
      const std::optional<double> v = data::parse_field_number(fields[static_cast<size_t>(k)]);
      if (!v || !std::isfinite(*v))
        throw fail(line_no, fmt::format("x{} '{}' is not a finite number", k,
                                        fields[static_cast<size_t>(k)]));
      xy[k] = *v;
    }
    const std::optional<double> y = data::parse_field_number(fields[2]);
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
