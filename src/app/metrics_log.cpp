// The metrics log: JSONL and CSV writers, the JSONL reader (see metrics_log.h).
#include "descent/app/metrics_log.h"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "descent/app/json_text.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using ordered_json = nlohmann::ordered_json;

// JSON has no NaN or infinity; these are the names JavaScript and Python's json module use.
constexpr std::string_view kNaN = "NaN";
constexpr std::string_view kInf = "Infinity";
constexpr std::string_view kNegInf = "-Infinity";

ordered_json value_to_json(double v) {
  if (std::isnan(v)) return kNaN;
  if (std::isinf(v)) return v > 0 ? kInf : kNegInf;
  return v;
}

// fmt's shortest round-trip form; NaN without a sign so every NaN reads the same.
std::string csv_number(double v) {
  if (std::isnan(v)) return "nan";
  return fmt::format("{}", v);
}

[[noreturn]] void bad_line(std::string_view source, size_t line, const std::string& what) {
  throw IOError(fmt::format("{}:{}: {}", source, line, what));
}

int64_t integer_field(const nlohmann::json& j, const char* key, std::string_view source,
                      size_t line) {
  if (!j.contains(key)) bad_line(source, line, fmt::format("missing key '{}'", key));
  const nlohmann::json& v = j.at(key);
  if (!v.is_number_integer()) {
    bad_line(source, line, fmt::format("key '{}': expected an integer, got {}", key, v.dump()));
  }
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    bad_line(source, line, fmt::format("key '{}': {} is out of range", key, v.dump()));
  }
  return v.get<int64_t>();
}

std::string string_field(const nlohmann::json& j, const char* key, std::string_view source,
                         size_t line) {
  if (!j.contains(key)) bad_line(source, line, fmt::format("missing key '{}'", key));
  const nlohmann::json& v = j.at(key);
  if (!v.is_string()) {
    bad_line(source, line, fmt::format("key '{}': expected a string, got {}", key, v.dump()));
  }
  return v.get<std::string>();
}

double number_field(const nlohmann::json& j, const char* key, std::string_view source,
                    size_t line) {
  if (!j.contains(key)) bad_line(source, line, fmt::format("missing key '{}'", key));
  const nlohmann::json& v = j.at(key);
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == kNaN) return std::nan("");
    if (s == kInf) return HUGE_VAL;
    if (s == kNegInf) return -HUGE_VAL;
  }
  bad_line(source, line,
           fmt::format("key '{}': expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", "
                       "got {}",
                       key, v.dump()));
}

MetricRecord record_from_line(std::string_view text, std::string_view source, size_t line) {
  nlohmann::json j;
  try {
    j = parse_json_text<nlohmann::json>(text);
  } catch (const JsonTextError& e) {
    bad_line(source, line, fmt::format("invalid JSON: {}", e.what()));
  }
  if (!j.is_object()) bad_line(source, line, "expected a JSON object");
  MetricRecord r;
  r.run = string_field(j, "run", source, line);
  r.step = integer_field(j, "step", source, line);
  r.epoch = integer_field(j, "epoch", source, line);
  r.wall_time = number_field(j, "wall_time", source, line);
  r.split = string_field(j, "split", source, line);
  r.metric = string_field(j, "metric", source, line);
  r.value = number_field(j, "value", source, line);
  try {
    validate_metric_record(r);
  } catch (const ValueError& e) {
    bad_line(source, line, e.what());
  }
  return r;
}

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

void validate_metric_record(const MetricRecord& r) {
  if (r.step < 0) throw ValueError(fmt::format("metric record: step must be >= 0, got {}", r.step));
  if (r.epoch < 0) {
    throw ValueError(fmt::format("metric record: epoch must be >= 0, got {}", r.epoch));
  }
  if (!std::isfinite(r.wall_time)) {
    throw ValueError(fmt::format("metric record: wall_time must be finite, got {}", r.wall_time));
  }
  if (r.split.empty()) throw ValueError("metric record: split must not be empty");
  if (r.metric.empty()) throw ValueError("metric record: metric must not be empty");
}

std::string metric_jsonl_line(const MetricRecord& r) {
  ordered_json j;
  j["run"] = r.run;
  j["step"] = r.step;
  j["epoch"] = r.epoch;
  j["wall_time"] = r.wall_time;
  j["split"] = r.split;
  j["metric"] = r.metric;
  j["value"] = value_to_json(r.value);
  // Names come from configs; invalid UTF-8 becomes U+FFFD instead of an exception.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string metric_csv_row(const MetricRecord& r) {
  return fmt::format("{},{},{},{},{},{},{}", csv_field(r.run), r.step, r.epoch,
                     csv_number(r.wall_time), csv_field(r.split), csv_field(r.metric),
                     csv_number(r.value));
}

std::vector<MetricRecord> parse_metrics_jsonl(std::string_view text, std::string_view source) {
  std::vector<MetricRecord> records;
  size_t pos = 0;
  for (size_t line = 1; pos < text.size(); ++line) {
    const size_t newline = text.find('\n', pos);
    const bool complete = newline != std::string_view::npos;
    const std::string_view content =
        text.substr(pos, complete ? newline - pos : std::string_view::npos);
    pos = complete ? newline + 1 : text.size();
    if (is_blank(content)) continue;
    if (!complete) {
      // The last line has no newline: a writer killed in the middle of a record leaves that.
      try {
        records.push_back(record_from_line(content, source, line));
      } catch (const IOError&) {
      }
      break;
    }
    records.push_back(record_from_line(content, source, line));
  }
  return records;
}

std::vector<MetricRecord> read_metrics_jsonl(const std::filesystem::path& path) {
  return parse_metrics_jsonl(read_text_file(path), path.string());
}

MetricsLog::MetricsLog(const std::filesystem::path& dir, Mode mode)
    : jsonl_path_(dir / kMetricsJsonlName), csv_path_(dir / kMetricsCsvName) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw IOError(fmt::format("metrics log: {} is not a directory", dir.string()));
  }
  if (mode == Mode::Append && std::filesystem::exists(jsonl_path_, ec)) {
    records_ = read_metrics_jsonl(jsonl_path_);
  }
  rewrite_files();
}

void MetricsLog::append(const MetricRecord& record) {
  append(std::span<const MetricRecord>(&record, 1));
}

void MetricsLog::append(std::span<const MetricRecord> records) {
  for (const MetricRecord& r : records) validate_metric_record(r);
  for (const MetricRecord& r : records) write_unflushed(r);
  flush();
  records_.insert(records_.end(), records.begin(), records.end());
}

void MetricsLog::truncate_after(int64_t step) {
  std::erase_if(records_, [step](const MetricRecord& r) { return r.step > step; });
  rewrite_files();
}

void MetricsLog::write_unflushed(const MetricRecord& r) {
  // Each line is one write into the stream buffer, so a kill tears at most the last line.
  jsonl_ << metric_jsonl_line(r) << '\n';
  csv_ << metric_csv_row(r) << '\n';
}

void MetricsLog::flush() {
  jsonl_.flush();
  csv_.flush();
  if (!jsonl_) throw IOError(fmt::format("{}: write failed", jsonl_path_.string()));
  if (!csv_) throw IOError(fmt::format("{}: write failed", csv_path_.string()));
}

void MetricsLog::rewrite_files() {
  jsonl_.close();
  csv_.close();
  std::string jsonl_text, csv_text = std::string(kMetricsCsvHeader) + '\n';
  for (const MetricRecord& r : records_) {
    jsonl_text += metric_jsonl_line(r) + '\n';
    csv_text += metric_csv_row(r) + '\n';
  }
  write_text_file_atomic(jsonl_path_, jsonl_text);
  write_text_file_atomic(csv_path_, csv_text);
  jsonl_.open(jsonl_path_, std::ios::binary | std::ios::app);
  csv_.open(csv_path_, std::ios::binary | std::ios::app);
  if (!jsonl_ || !csv_) {
    throw IOError(fmt::format("metrics log: cannot open {} for appending: {}",
                              (!jsonl_ ? jsonl_path_ : csv_path_).string(), std::strerror(errno)));
  }
}

}  // namespace descent::app
