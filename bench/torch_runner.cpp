#include "torch_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace descent::bench {
namespace {

// Single-quotes a string for /bin/sh.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// A result line, or the header line {"torch_version": ...}; anything else is ignored.
void take_line(const std::string& line, TorchResults& results) {
  std::string workload;
  TorchResult r;
  if (parse_torch_line(line, workload, r)) {
    results.by_workload[workload] = std::move(r);
    return;
  }
  if (line.find("torch_version") == std::string::npos) return;
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("torch_version") && j["torch_version"].is_string())
    results.version = j["torch_version"].get<std::string>();
}

}  // namespace

bool parse_torch_line(const std::string& line, std::string& workload, TorchResult& out) {
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line[start] != '{') return false;
  nlohmann::json j = nlohmann::json::parse(line.begin() + static_cast<long>(start), line.end(),
                                           nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("workload") || !j.contains("value"))
    return false;
  if (!j["workload"].is_string() || !j["value"].is_number()) return false;
  workload = j["workload"].get<std::string>();
  out = TorchResult{};
  out.value = j["value"].get<double>();
  out.unit = j.value("unit", std::string());
  out.threads = j.value("threads", 0);
  if (j.contains("by_threads") && j["by_threads"].is_object())
    for (auto& [k, v] : j["by_threads"].items())
      if (v.is_number()) out.by_threads[std::stoi(k)] = v.get<double>();
  if (j.contains("check") && j["check"].is_array())
    for (auto& v : j["check"])
      if (v.is_number()) out.check.push_back(v.get<double>());
  return true;
}

bool read_line(std::FILE* in, std::string& line) {
  line.clear();
  char buf[4096];
  while (std::fgets(buf, sizeof buf, in)) {
    line += buf;
    if (line.back() == '\n') return true;  // else a longer line continues
  }
  return !line.empty();
}

TorchResults run_torch(const TorchRunOptions& options) {
  TorchResults results;
  if (options.workloads.empty()) {
    results.ran = true;
    return results;
  }
  std::string cmd = shell_quote(options.python) + " " + shell_quote(options.script);
  if (options.quick) cmd += " --quick";
  cmd += " --only " + shell_quote(join(options.workloads, ","));

  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) {
    results.error = "could not start: " + cmd;
    return results;
  }
  for (std::string line; read_line(pipe, line);) take_line(line, results);
  const int status = ::pclose(pipe);
  if (status == -1) {
    results.error = "pclose failed";
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    results.ran = true;
  } else if (WIFEXITED(status)) {
    results.error = cmd + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                    (WEXITSTATUS(status) == 127 ? " (interpreter not found)" : "");
  } else {
    results.error = cmd + " was killed by a signal";
  }
  return results;
}

}  // namespace descent::bench
