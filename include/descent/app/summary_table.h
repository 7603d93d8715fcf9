#pragma once
// A generic table of results (one row per run): shown at the top of the HTML report and
// printed on stdout by `descent compare`. Cells are text or numbers; both views format
// numbers the same way (format_cell).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace descent::app {

using TableCell = std::variant<std::string, int64_t, double>;

struct SummaryTable {
  std::vector<std::string> columns;
  std::vector<std::vector<TableCell>> rows;  // each row has columns.size() cells

  bool empty() const { return columns.empty(); }
};

// Text as is, integers in full, doubles with 4 significant digits ("0.8123", "1.235e-05",
// "12.35"); non-finite doubles as "nan", "inf", "-inf".
std::string format_cell(const TableCell& cell);

// ValueError naming the row when a row's length differs from the number of columns.
void validate_table(const SummaryTable& table);

// Aligned plain-text table for terminals: a header row, a rule of dashes, one line per row;
// text columns left-aligned, number columns right-aligned, two spaces between columns.
// Widths count UTF-8 code points.
std::string format_table_text(const SummaryTable& table);

}  // namespace descent::app
