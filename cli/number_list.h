#pragma once
// Comma-separated number lists of CLI options ("1,10,100", "-6,6").
#include <string>
#include <vector>

namespace descent::cli {

// "1,10,100" → {1, 10, 100}; ValueError naming the option and the item for anything that is
// not a finite number.
std::vector<double> parse_number_list(const std::string& text, const std::string& option);

}  // namespace descent::cli
