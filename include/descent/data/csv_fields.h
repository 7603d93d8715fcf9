#pragma once
// The field-level pieces of reading CSV text, shared by the dataset reader (data/csv.h) and
// the linear classifier's point files (app/linear_classifier.h).
#include <optional>
#include <string_view>
#include <vector>

namespace descent::data {

// s without leading and trailing spaces, tabs and carriage returns.
std::string_view trim_field(std::string_view s);

// The trimmed fields of `line` between `delimiter`s, into `fields` (cleared first, so that a
// reader can reuse it and rows do not allocate).
void split_fields(std::string_view line, char delimiter, std::vector<std::string_view>& fields);

// The whole field as a number, or nothing: from_chars (locale-independent) over every
// character, with a leading '+' accepted as CSV writers emit it. Infinities and NaN parse;
// callers that want finite values check.
std::optional<double> parse_field_number(std::string_view field);

}  // namespace descent::data
