// Run directories (see run_dir.h).
#include "descent/app/run_dir.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <system_error>
#include <vector>

#include "descent/app/json_text.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

constexpr size_t kMaxNameLength = 128;

// "v17" → 17; anything else (including "v", "v01", "v-1") → nothing, so stray directories
// are ignored and every version has one spelling.
std::optional<int64_t> parse_version(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v') return std::nullopt;
  const std::string_view digits = s.substr(1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return std::nullopt;
  return n;
}

std::vector<int64_t> version_numbers(const std::filesystem::path& dir) {
  std::vector<int64_t> numbers;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (auto n = parse_version(it->path().filename().string())) numbers.push_back(*n);
  }
  if (ec) throw IOError(fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

void make_directories(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IOError(fmt::format("{}: cannot create directory: {}", dir.string(), ec.message()));
}

}  // namespace

void validate_run_name(std::string_view name) {
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  };
  if (name.empty() || name.size() > kMaxNameLength || name[0] == '.' ||
      !std::all_of(name.begin(), name.end(), allowed)) {
    throw ValueError(
        fmt::format("run name '{}' is invalid: use 1 to {} characters from A-Z a-z 0-9 . _ -, not "
                    "starting with '.'",
                    name, kMaxNameLength));
  }
}

void RunDir::write_config(const nlohmann::ordered_json& config) const {
  write_text_file_atomic(
      config_path(), config.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + '\n');
}

nlohmann::ordered_json RunDir::read_config() const {
  const std::string text = read_text_file(config_path());
  try {
    return parse_json_text<nlohmann::ordered_json>(text);
  } catch (const JsonTextError& e) {
    throw IOError(fmt::format("{}: invalid JSON: {}", config_path().string(), e.what()));
  }
}

RunDir create_run_dir(const std::filesystem::path& root, const std::string& name) {
  validate_run_name(name);
  const std::filesystem::path parent = root / name;
  make_directories(parent);
  const std::vector<int64_t> existing = version_numbers(parent);
  int64_t next = existing.empty() ? 0 : existing.back() + 1;
  // create_directory is one mkdir: it reports false when another run created the directory
  // first, and this run moves on to the next number. The bound only stops a broken file
  // system from looping forever.
  for (int attempt = 0; attempt < 10000; ++attempt, ++next) {
    RunDir dir{parent / fmt::format("v{}", next), name, fmt::format("v{}", next)};
    std::error_code ec;
    const bool created = std::filesystem::create_directory(dir.path, ec);
    if (ec == std::errc::file_exists) continue;  // a file of that name: the number is taken
    if (ec) {
      throw IOError(
          fmt::format("{}: cannot create directory: {}", dir.path.string(), ec.message()));
    }
    if (!created) continue;
    make_directories(dir.checkpoints_dir());
    return dir;
  }
  throw IOError(fmt::format("{}: no free version directory found", parent.string()));
}

RunDir open_run_dir(const std::filesystem::path& root, const std::string& name,
                    const std::string& version) {
  validate_run_name(name);
  if (!parse_version(version)) {
    throw ValueError(fmt::format("run version '{}' is invalid: expected v0, v1, ...", version));
  }
  RunDir dir{root / name / version, name, version};
  std::error_code ec;
  if (!std::filesystem::is_directory(dir.path, ec)) {
    throw IOError(fmt::format("{}: no such run directory", dir.path.string()));
  }
  return dir;
}

std::vector<std::string> list_run_versions(const std::filesystem::path& root,
                                           const std::string& name) {
  validate_run_name(name);
  const std::filesystem::path parent = root / name;
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec)) return {};
  std::vector<std::string> out;
  for (int64_t n : version_numbers(parent)) out.push_back(fmt::format("v{}", n));
  return out;
}

}  // namespace descent::app
