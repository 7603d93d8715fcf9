// A headerless CSV of numbers (matrices for `descent dynamics`): rules in dynamics.h.
#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "descent/analysis/dynamics.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

double parse_field(std::string_view field, std::string_view source, int64_t line, int64_t col) {
  const std::string_view f = trim(field);
  double v = 0.0;
  // from_chars rejects a leading '+'; accept it as people write it.
  const std::string_view digits = !f.empty() && f.front() == '+' ? f.substr(1) : f;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (f.empty() || ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(v)) {
    throw FormatError(
        fmt::format("{}:{}: field {} is not a finite number: '{}'", source, line, col + 1, f));
  }
  return v;
}

}  // namespace

NumericTable parse_numeric_csv(std::string_view text, std::string_view source) {
  NumericTable t;
  int64_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (trim(line).empty()) continue;
    int64_t cols = 0;
    std::string_view rest = line;
    for (;;) {
      const size_t comma = rest.find(',');
      t.values.push_back(parse_field(rest.substr(0, comma), source, line_no, cols));
      ++cols;
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    if (t.rows == 0) {
      t.cols = cols;
    } else if (cols != t.cols) {
      throw FormatError(fmt::format("{}:{}: row has {} fields, the first row has {}", source,
                                    line_no, cols, t.cols));
    }
    ++t.rows;
  }
  if (t.rows == 0) throw FormatError(fmt::format("{}: no rows of numbers", source));
  return t;
}

NumericTable read_numeric_csv(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IOError(fmt::format("{}: is a directory", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError(fmt::format("{}: cannot open file", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw IOError(fmt::format("{}: read error", path));
  return parse_numeric_csv(buf.str(), path);
}

}  // namespace descent::analysis
