#pragma once
// Whole-file reads shared by the data readers.
#include <cstdint>
#include <string>
#include <vector>

namespace descent::data {

// Every byte of the file at `path`; IOError naming the path if it cannot be opened or read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace descent::data
