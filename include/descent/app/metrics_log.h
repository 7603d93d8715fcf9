#pragma once
// The metrics log of a run: one record per measured value, written to two files in the run
// directory as it is produced, and kept in memory for the report.
//
//   metrics.jsonl  one JSON object per line, keys in this order:
//                  {"run":"adam","step":120,"epoch":1,"wall_time":3.5,"split":"train",
//                   "metric":"loss","value":0.42}
//                  A non-finite value is written as the string "NaN", "Infinity" or
//                  "-Infinity" (JSON has no such numbers); read_metrics_jsonl restores it.
//   metrics.csv    header `run,step,epoch,wall_time,split,metric,value`, the same records,
//                  fields quoted per RFC 4180, numbers in shortest round-trip form, non-finite
//                  values as nan, inf, -inf; lines end with LF (as every CSV descent writes).
//
// metrics.jsonl is the source of truth: reopening a log reads it, and metrics.csv is rewritten
// from it. Every append is handed to the operating system before append() returns (the
// streams are flushed), so a killed process keeps every record it logged; only a record being
// written at the moment of the kill can be torn, and the reader drops a torn last line.
//
// Resuming: a run resumed from its checkpoint at step S reopens its log with Mode::Append and
// calls truncate_after(S); records logged after the checkpoint by the killed process would
// otherwise appear twice. truncate_after rewrites both files atomically.
//
// A MetricsLog is not thread-safe; one writer per run directory.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace descent::app {

struct MetricRecord {
  std::string run;         // label of the run (the optimizer spec in `descent compare`)
  int64_t step = 0;        // optimizer steps taken so far (>= 0)
  int64_t epoch = 0;       // epoch index (>= 0)
  double wall_time = 0.0;  // seconds since the run started
  std::string split;       // "train", "val", "test", ... (non-empty)
  std::string metric;      // "loss", "accuracy", "lr", ... (non-empty)
  double value = 0.0;

  bool operator==(const MetricRecord&) const = default;
};

// The split of the training diagnostics' records (docs/diagnostics.md).
inline constexpr std::string_view kDiagnosticsSplit = "diag";

inline constexpr std::string_view kMetricsJsonlName = "metrics.jsonl";
inline constexpr std::string_view kMetricsCsvName = "metrics.csv";
inline constexpr std::string_view kMetricsCsvHeader = "run,step,epoch,wall_time,split,metric,value";

// ValueError naming the field when a record is not loggable (negative step or epoch, empty
// split or metric, non-finite wall time).
void validate_metric_record(const MetricRecord& record);

// One line of each file, without the trailing newline.
std::string metric_jsonl_line(const MetricRecord& record);
std::string metric_csv_row(const MetricRecord& record);

// Parses metrics.jsonl text; `source` names it in errors. Blank lines are skipped. When the
// text does not end with a newline and its last line does not parse, that line is a record
// torn by a killed writer and is dropped. Any other bad line is an IOError
// "<source>:<line>: <what>" (invalid JSON, a missing key, a wrong type).
std::vector<MetricRecord> parse_metrics_jsonl(std::string_view text, std::string_view source);

// parse_metrics_jsonl on a file's content; IOError when the file cannot be read.
std::vector<MetricRecord> read_metrics_jsonl(const std::filesystem::path& path);

class MetricsLog {
 public:
  enum class Mode {
    Create,  // start both files empty (metrics.csv gets its header), replacing existing ones
    Append,  // keep the records of an existing metrics.jsonl (none if absent) and continue
  };

  // Opens the log in directory `dir` (which must exist). With Mode::Append, the existing
  // records are read (a torn last line is dropped) and both files are rewritten from them, so
  // a torn tail never precedes new records and metrics.csv agrees with metrics.jsonl.
  explicit MetricsLog(const std::filesystem::path& dir, Mode mode = Mode::Create);

  MetricsLog(MetricsLog&&) noexcept = default;
  MetricsLog& operator=(MetricsLog&&) noexcept = default;

  // Validates, writes to both files, flushes them, and keeps the record in memory.
  void append(const MetricRecord& record);
  // Several records with one flush (e.g. all metrics of an epoch end). All are validated
  // before any is written.
  void append(std::span<const MetricRecord> records);

  // Drops every record with step > `step` (of every run) and rewrites both files atomically.
  void truncate_after(int64_t step);

  const std::vector<MetricRecord>& records() const { return records_; }
  const std::filesystem::path& jsonl_path() const { return jsonl_path_; }
  const std::filesystem::path& csv_path() const { return csv_path_; }

 private:
  void rewrite_files();  // both files from records_, atomically; reopens the append streams
  void write_unflushed(const MetricRecord& record);
  void flush();

  std::filesystem::path jsonl_path_;
  std::filesystem::path csv_path_;
  std::ofstream jsonl_;
  std::ofstream csv_;
  std::vector<MetricRecord> records_;
};

}  // namespace descent::app
