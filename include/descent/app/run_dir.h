#pragma once
// Run directories. Every run gets its own directory, never reused:
//
//   <root>/<name>/<version>/      e.g. runs/mnist-mlp/v3/
//     config.json                 the resolved config (pretty-printed JSON)
//     metrics.jsonl, metrics.csv  the metrics log (metrics_log.h)
//     checkpoints/                checkpoint files
//     summary.json                the run summaries the report shows (run_report.h)
//     report.html                 the self-contained report (report.h)
//     analysis/                   written later by instruments (landscapes: landscape_job.h)
//
// Versions are v0, v1, v2, ...: a new run takes one more than the highest existing version, so
// versions increase with time even after older ones were deleted. The version directory is
// created with a single mkdir that fails when the directory exists, so two runs started at the
// same moment never share one (the loser takes the next number).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace descent::app {

inline constexpr std::string_view kConfigFileName = "config.json";
inline constexpr std::string_view kReportFileName = "report.html";
inline constexpr std::string_view kCheckpointsDirName = "checkpoints";

struct RunDir {
  std::filesystem::path path;  // <root>/<name>/<version>
  std::string name;
  std::string version;  // "v0", "v1", ...

  std::filesystem::path config_path() const { return path / kConfigFileName; }
  std::filesystem::path report_path() const { return path / kReportFileName; }
  std::filesystem::path checkpoints_dir() const { return path / kCheckpointsDirName; }

  // Writes config.json (indented by 2, keys in the given order) atomically.
  void write_config(const nlohmann::ordered_json& config) const;
  // Reads config.json back; IOError naming the file and the parse error.
  nlohmann::ordered_json read_config() const;
};

// ValueError unless `name` is usable as one directory name everywhere: 1 to 128 characters
// from [A-Za-z0-9._-], not starting with '.' (no hidden, "." or ".." directories).
void validate_run_name(std::string_view name);

// Creates <root>/<name>/v<N>/ and its checkpoints/ directory (root and <name> as needed) and
// returns it. ValueError for a bad name; IOError naming the path when a directory cannot be
// created.
RunDir create_run_dir(const std::filesystem::path& root, const std::string& name);
inline RunDir create_run_dir(const std::string& name) {
  return create_run_dir("runs", name);
}

// An existing run directory (for resuming): <root>/<name>/<version> must exist. IOError
// otherwise.
RunDir open_run_dir(const std::filesystem::path& root, const std::string& name,
                    const std::string& version);

// The versions that exist under <root>/<name>, ascending by number ("v2" before "v10").
std::vector<std::string> list_run_versions(const std::filesystem::path& root,
                                           const std::string& name);

}  // namespace descent::app
