// Summary tables as text (see summary_table.h).
#include "descent/app/summary_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/core/error.h"

namespace descent::app {
namespace {

// Code points, not bytes: continuation bytes (10xxxxxx) are not counted.
size_t display_width(const std::string& s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool is_number(const TableCell& cell) {
  return !std::holds_alternative<std::string>(cell);
}

}  // namespace

std::string format_cell(const TableCell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  if (const auto* i = std::get_if<int64_t>(&cell)) return fmt::format("{}", *i);
  const double v = std::get<double>(cell);
  if (std::isnan(v)) return "nan";
  return fmt::format("{:.4g}", v);
}

void validate_table(const SummaryTable& table) {
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r].size() != table.columns.size()) {
      throw ValueError(fmt::format("summary table: row {} has {} cells, expected {} (columns)", r,
                                   table.rows[r].size(), table.columns.size()));
    }
  }
}

std::string format_table_text(const SummaryTable& table) {
  validate_table(table);
  const size_t n = table.columns.size();
  std::vector<size_t> width(n);
  std::vector<bool> right(n, false);
  for (size_t c = 0; c < n; ++c) width[c] = display_width(table.columns[c]);
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < n; ++c) {
      width[c] = std::max(width[c], display_width(format_cell(row[c])));
      if (is_number(row[c])) right[c] = true;
    }
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < n; ++c) {
      const std::string pad(width[c] - display_width(cells[c]), ' ');
      if (c > 0) out += "  ";
      out += right[c] ? pad + cells[c] : cells[c] + (c + 1 < n ? pad : "");
    }
    return out + '\n';
  };
  std::string out = line(table.columns);
  size_t total = 0;
  for (size_t c = 0; c < n; ++c) total += width[c] + (c > 0 ? 2 : 0);
  out += std::string(total, '-') + '\n';
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (const TableCell& cell : row) cells.push_back(format_cell(cell));
    out += line(cells);
  }
  return out;
}

}  // namespace descent::app
