#pragma once
// The pieces shared by every benchmark: result rows, extra printed sections, the context a
// workload runs in, and the workload table (bench/main.cpp) that later issues extend.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "torch_runner.h"
#include "torch_session.h"

namespace descent::bench {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One line of the results: both sides in the same time unit, so ratio = descent / pytorch and
// lower is better. Only rows with in_csv go to results.csv.
struct Row {
  std::string workload;
  double descent = kNaN;
  double pytorch = kNaN;
  std::string unit;
  std::string note;
  bool in_csv = true;

  double ratio() const { return descent / pytorch; }
};

// A free-form table printed after the main one (matmul vs direct BLAS, bandwidth, threads).
struct Section {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;  // printed under the table
};

// A stated performance goal and whether this run met it.
struct Goal {
  std::string what;
  std::string measured;
  bool met = false;
};

struct Report {
  std::vector<Row> rows;
  std::vector<Section> sections;
  std::vector<Goal> goals;

  // Prints everything to stdout.
  void print() const;
  // results.csv with the columns workload,descent,pytorch,ratio,unit.
  void write_csv(const std::string& path) const;
};

struct Context {
  bool quick = false;
  const TorchResults* torch = nullptr;
  Report* report = nullptr;
  // PyTorch on request, for workloads that alternate their runs with PyTorch's (Workload::
  // alternates); null when the PyTorch side is off.
  TorchSession* session = nullptr;

  // The PyTorch value of a workload in `unit`, or NaN (with a note) when it is missing.
  double torch_value(const std::string& workload) const;
  // "torch: best at 1 thread (2 threads: 301.4)" for the note column.
  std::string torch_note(const std::string& workload) const;
  // Adds a row whose pytorch side is the PyTorch workload of the same name.
  Row& add_row(const std::string& workload, double descent_value, const std::string& unit,
               const std::string& note = "");
  // One PyTorch measurement through `session`, at the thread count that won the batch run
  // (appended to `into`; nothing when there is no session or it failed).
  void torch_once(const std::string& workload, std::vector<double>& into) const;
  // Lowers row.pytorch to the best of `alternated` (PyTorch's best time wins) and says so.
  static void take_best_torch(Row& row, const std::vector<double>& alternated);
};

// A family of workloads: `run` measures descent and adds rows/sections to the report;
// `torch_workloads` are the tools/bench_torch.py workloads it compares with.
struct Workload {
  const char* name;
  const char* summary;
  std::vector<std::string> torch_workloads;
  void (*run)(Context&);
  bool alternates = false;  // times PyTorch through Context::session between its own runs
};

// The table of every workload, in running order (bench/main.cpp).
const std::vector<Workload>& workloads();

// --- the families (one file each) ---
void run_tiny_step(Context& ctx);         // tiny_step.cpp
void run_tiny_step_nn(Context& ctx);      // nn_step.cpp
void run_mlp784_step(Context& ctx);       // nn_step.cpp
void run_matmul_1024(Context& ctx);       // matmul.cpp
void run_mlp_gemm(Context& ctx);          // matmul.cpp
void run_add_16m(Context& ctx);           // elementwise.cpp
void run_threads(Context& ctx);           // threads.cpp
void run_adam_10m(Context& ctx);          // optim_step.cpp
void run_sgd_momentum_10m(Context& ctx);  // optim_step.cpp
void run_mlp_epoch(Context& ctx);         // mlp_epoch.cpp
void run_hvp_power20(Context& ctx);       // hvp_power.cpp

// The PyTorch workloads each family compares with (rows of the same names).
std::vector<std::string> mlp_gemm_names();         // matmul.cpp
std::vector<std::string> thread_workload_names();  // threads.cpp

// --- formatting helpers (report.cpp) ---
std::string fmt_value(double v);  // 3 significant digits, "-" for NaN
std::string fmt_percent(double fraction);

}  // namespace descent::bench
