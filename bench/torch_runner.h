#pragma once
// Runs the PyTorch side (tools/bench_torch.py, with Debian's /usr/bin/python3) as a child
// process and parses the JSON lines it prints. The bench never links against PyTorch.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace descent::bench {

struct TorchResult {
  double value = 0;  // in `unit`
  std::string unit;
  int threads = 0;                   // the thread count that gave `value`
  std::map<int, double> by_threads;  // every thread count tried
  std::vector<double> check;         // workload-specific values (tiny_step: first losses)
};

struct TorchResults {
  bool ran = false;     // the script ran and exited with 0
  std::string error;    // why not, when !ran
  std::string version;  // torch.__version__ when known
  std::map<std::string, TorchResult> by_workload;

  const TorchResult* find(const std::string& workload) const {
    auto it = by_workload.find(workload);
    return it == by_workload.end() ? nullptr : &it->second;
  }
};

struct TorchRunOptions {
  std::string python;  // interpreter; DESCENT_PYTHON by default
  std::string script;  // tools/bench_torch.py under DESCENT_SOURCE_DIR by default
  bool quick = false;
  std::vector<std::string> workloads;  // empty: none (nothing is run)
};

// Runs the script for the given workloads; its stderr passes through to ours.
TorchResults run_torch(const TorchRunOptions& options);

// Reads one whole line, newline included, however long; false at the end of the input (a
// last line without a newline is still returned).
bool read_line(std::FILE* in, std::string& line);

// Parses one output line into `out`; false for lines that are not a result (kept public for
// a quick self-check).
bool parse_torch_line(const std::string& line, std::string& workload, TorchResult& out);

}  // namespace descent::bench
