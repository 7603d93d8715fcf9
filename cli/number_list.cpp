// Comma-separated number lists of CLI options (see number_list.h).
#include "number_list.h"

#include <descent/core/error.h>
#include <fmt/core.h>

#include <charconv>
#include <cmath>

namespace descent::cli {

std::vector<double> parse_number_list(const std::string& text, const std::string& option) {
  std::vector<double> out;
  size_t pos = 0;
  for (int item = 1;; ++item) {
    const size_t comma = text.find(',', pos);
    std::string field = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
    while (!field.empty() && field.front() == ' ') field.erase(0, 1);
    while (!field.empty() && field.back() == ' ') field.pop_back();
    double v = 0.0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size() ||
        !std::isfinite(v)) {
      throw ValueError(
          fmt::format("{}: item {} is not a finite number: '{}'", option, item, field));
    }
    out.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace descent::cli
