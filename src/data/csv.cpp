// CSV datasets: a single pass over the text, numbers parsed with from_chars.
#include "descent/data/csv.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <vector>

#include "descent/core/error.h"
#include "descent/data/csv_fields.h"
#include "file_bytes.h"

namespace descent::data {
namespace {

// A field as a number that float32 can hold: a finite double beyond its range would not
// convert.
bool parse_number(std::string_view field, double& v) {
  const std::optional<double> parsed = parse_field_number(field);
  if (!parsed) return false;
  v = *parsed;
  return std::isfinite(v) && std::fabs(v) <= std::numeric_limits<float>::max();
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// What the field is, for messages: long fields are cut.
std::string show(std::string_view field) {
  return field.size() <= 40 ? std::string(field) : std::string(field.substr(0, 37)) + "...";
}

}  // namespace

Dataset parse_csv(std::string_view text, std::string_view source, const CsvOptions& options) {
  const auto fail = [&](size_t line_no, const std::string& why) {
    return FormatError(fmt::format("{}:{}: {}", source, line_no, why));
  };
  if (!options.label_name.empty() && !options.header)
    throw ValueError(fmt::format("{}: label column '{}' given by name, but header = false", source,
                                 options.label_name));
  if (options.num_classes < 0 || options.num_classes > kMaxCsvClasses)
    throw ValueError(fmt::format("{}: num_classes {} outside [0, {}]", source, options.num_classes,
                                 kMaxCsvClasses));

  std::vector<std::string_view> fields;
  std::vector<float> features;
  std::vector<double> labels;
  size_t columns = 0;  // fixed by the first row
  size_t label_col = 0;
  bool first = true;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string_view line = trim_field(
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty()) continue;
    split_fields(line, options.delimiter, fields);

    if (first) {
      first = false;
      columns = fields.size();
      if (columns < 2)
        throw fail(line_no, fmt::format("one column only; a dataset needs features and a label "
                                        "(delimiter '{}')",
                                        options.delimiter));
      if (!options.label_name.empty()) {
        size_t found = columns;
        for (size_t c = 0; c < columns; ++c)
          if (unquote(fields[c]) == options.label_name) found = c;
        if (found == columns)
          throw fail(line_no,
                     fmt::format("no column named '{}' in the header", show(options.label_name)));
        label_col = found;
      } else {
        const int64_t n = static_cast<int64_t>(columns);
        const int64_t k = options.label_index < 0 ? options.label_index + n : options.label_index;
        if (k < 0 || k >= n)
          throw fail(line_no, fmt::format("label column {} outside the {} columns",
                                          options.label_index, columns));
        label_col = static_cast<size_t>(k);
      }
      if (options.header) continue;
    }
    if (fields.size() != columns)
      throw fail(line_no,
                 fmt::format("{} fields, but the first row has {}", fields.size(), columns));
    for (size_t c = 0; c < columns; ++c) {
      double v = 0.0;
      if (!parse_number(fields[c], v))
        throw fail(line_no, fmt::format("field {} '{}' is not a finite float32 number", c + 1,
                                        show(fields[c])));
      if (c == label_col) {
        if (options.target == CsvTarget::Class) {
          const double limit =
              static_cast<double>(options.num_classes ? options.num_classes : kMaxCsvClasses);
          if (v < 0 || std::floor(v) != v || v >= limit)
            throw fail(line_no, fmt::format("label '{}' is not a class index in [0, {})",
                                            show(fields[c]), limit));
        }
        labels.push_back(v);
      } else {
        features.push_back(static_cast<float>(v));
      }
    }
  }
  if (labels.empty()) throw FormatError(fmt::format("{}: no data rows", source));

  const int64_t n = static_cast<int64_t>(labels.size());
  const int64_t d = static_cast<int64_t>(columns) - 1;
  Dataset out;
  out.name = std::string(source);
  out.inputs = from_vector(std::span<const float>(features), {n, d});
  if (options.target == CsvTarget::Class) {
    std::vector<int64_t> y(labels.begin(), labels.end());
    int64_t max_label = 0;
    for (int64_t v : y) max_label = std::max(max_label, v);
    out.num_classes = options.num_classes ? options.num_classes : max_label + 1;
    out.targets = from_vector(std::span<const int64_t>(y), {n});
  } else {
    std::vector<float> y(labels.begin(), labels.end());
    out.targets = from_vector(std::span<const float>(y), {n, 1});
  }
  return out;
}

Dataset read_csv(const std::string& path, const CsvOptions& options) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return parse_csv(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                   path, options);
}

}  // namespace descent::data
