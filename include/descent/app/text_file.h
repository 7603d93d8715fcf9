#pragma once
// Small text-file helpers shared by the app layer: RFC 4180 CSV fields and atomic writes.
#include <filesystem>
#include <string>
#include <string_view>

namespace descent::app {

// One CSV field per RFC 4180: a field holding a comma, a double quote, CR or LF is enclosed in
// double quotes and its inner quotes are doubled; any other field is written as is.
std::string csv_field(std::string_view text);

// Replaces `path` with `content` atomically: the text goes to a temporary file in the same
// directory, which is renamed over `path` (rename is atomic within a file system), so a reader
// or a crash sees either the old file or the new one, never a torn one. IOError naming the
// path and the system's reason on failure; the temporary file is removed then.
void write_text_file_atomic(const std::filesystem::path& path, std::string_view content);

// The whole file; IOError naming the path when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace descent::app
