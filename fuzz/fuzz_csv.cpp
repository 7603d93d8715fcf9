// Fuzz target: CSV text through parse_csv with options taken from the first byte, so that the
// label column by name and by index, the header flag and regression are all reached. A
// descent::Error is an expected outcome; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "descent/core/error.h"
#include "descent/data/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace descent;
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  data::CsvOptions options;
  options.header = (mode & 1) == 0;
  if (mode & 2) options.label_name = "y";
  options.label_index = static_cast<int64_t>((mode >> 2) & 3) - 2;  // -2 .. 1
  options.target = (mode & 16) ? data::CsvTarget::Regression : data::CsvTarget::Class;
  options.delimiter = (mode & 32) ? ';' : ',';
  options.num_classes = (mode & 64) ? 3 : 0;
  try {
    const data::Dataset d = data::parse_csv(text, "fuzz.csv", options);
    data::validate(d);
  } catch (const Error&) {
  }
  return 0;
}
