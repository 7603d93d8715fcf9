#pragma once
// CSV datasets: one example per row, every field a number, one column the target.
//
//   x0,x1,y          <- header row (required unless header = false)
//   0.5,0.4,0
//   -0.4,0.3,1
//
// Rules: fields are separated by `delimiter`; spaces and tabs around a field are ignored, as is a
// trailing '\r' (CRLF files); empty lines are skipped; every other row must have exactly as many
// fields as the first row (header or not); every field must be a finite number in full (no
// quotes, no trailing text; parsed locale-independently). Header names may be wrapped in double
// quotes. The label column is chosen by name (needs a header) or by index (negative counts from
// the end; the default -1 is the last column).
//
// For classification the label must be a non-negative integer (written 3 or 3.0) below
// kMaxCsvClasses; num_classes is options.num_classes when given, else the largest label + 1.
// For regression the label column becomes float32 targets [N, 1].
//
// Every error is a FormatError "source:line: what" (line numbers count from 1, including the
// header and skipped lines), or "source: what" for problems of the whole file.
#include <cstdint>
#include <string>
#include <string_view>

#include "descent/data/dataset.h"

namespace descent::data {

enum class CsvTarget { Class, Regression };

inline constexpr int64_t kMaxCsvClasses = 1 << 20;

struct CsvOptions {
  std::string label_name = {};  // the label column by header name; empty: use label_index
  int64_t label_index = -1;     // the label column by position when label_name is empty
  bool header = true;           // the first non-empty row names the columns
  char delimiter = ',';
  CsvTarget target = CsvTarget::Class;
  int64_t num_classes = 0;  // 0: infer as the largest label + 1
};

// Parses CSV text held in memory; `source` names it in error messages.
Dataset parse_csv(std::string_view text, std::string_view source, const CsvOptions& options = {});
// Reads and parses a file; the dataset is named by the path.
Dataset read_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace descent::data
