// descent_bench: descent and PyTorch side by side. `make bench` runs it as
//   build/descent_bench --out build/bench/results.csv
// The PyTorch side (tools/bench_torch.py) runs first as a child process; then each descent
// workload in the table below. See bench/README.md.
#include <cblas.h>
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "bench.h"
#include "descent/kernels/parallel.h"
#include "timing.h"

#ifndef DESCENT_SOURCE_DIR
#define DESCENT_SOURCE_DIR "."
#endif
#ifndef DESCENT_PYTHON
#define DESCENT_PYTHON "/usr/bin/python3"
#endif

namespace descent::bench {

// The workload table. A new benchmark adds a function in its own file and a line here; its
// PyTorch counterparts go into WORKLOADS in tools/bench_torch.py under the same names.
const std::vector<Workload>& workloads() {
  static const std::vector<Workload> table = {
      {"tiny_step",
       "one SGD-momentum step of a 2-16-16-3 tanh net, batch 32",
       {"tiny_step"},
       run_tiny_step},
      {"tiny_step_nn",
       "tiny_step built from nn modules (also vs the raw-op version)",
       {"tiny_step_nn"},
       run_tiny_step_nn},
      {"mlp784_step",
       "forward + backward of a 784-256-128-10 ReLU nn MLP, batch 128",
       {"mlp784_step"},
       run_mlp784_step},
      {"matmul_1024", "float32 1024x1024 @ 1024x1024", {"matmul_1024"}, run_matmul_1024},
      {"mlp_gemm", "the GEMMs of a 784-256-128-10 MLP at batch 128 (also vs direct BLAS)",
       mlp_gemm_names(), run_mlp_gemm},
      {"add_16m",
       "a + b over 16M float32 (also vs measured memory bandwidth)",
       {"add_16m"},
       run_add_16m},
      {"threads", "small ops with 1 and 2 threads", thread_workload_names(), run_threads},
      {"adam_10m",
       "one Adam step over 10M float32 params (also vs one streaming pass)",
       {"adam_10m"},
       run_adam_10m},
      {"sgd_momentum_10m",
       "one SGD step, momentum 0.9, over 10M float32 params (also vs one streaming pass)",
       {"sgd_momentum_10m"},
       run_sgd_momentum_10m},
      {"mlp_epoch",
       "one Trainer epoch of a 784-256-128-10 MLP on Fashion-MNIST, Adam (also vs GEMM floor)",
       {"mlp_epoch"},
       run_mlp_epoch,
       /*alternates=*/true},
      {"hvp_power20",
       "20 power iterations with exact HVPs, 784-256-128-10 MLP, 1000 Fashion-MNIST images",
       {"hvp_power20"},
       run_hvp_power20,
       /*alternates=*/true},
  };
  return table;
}

namespace {

struct Options {
  std::string out;
  bool quick = false;
  bool torch = true;
  std::string python = DESCENT_PYTHON;
  std::set<std::string> only;
};

// Next to the binary (build/descent_bench -> build/bench/results.csv).
std::string default_out() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path dir = ec ? std::filesystem::path("build") : exe.parent_path();
  return (dir / "bench" / "results.csv").string();
}

// The 1-minute load average, or a negative number when unknown.
double load_average() {
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: descent_bench [--out PATH] [--quick] [--only NAME[,NAME...]] [--no-torch]\n"
               "                     [--python PATH] [--list]\n"
               "  --out PATH    results CSV (default: bench/results.csv next to the binary)\n"
               "  --quick       short timings, for a smoke run\n"
               "  --only NAMES  run only these workloads (see --list)\n"
               "  --no-torch    skip the PyTorch side (its column stays empty)\n"
               "  --python P    interpreter for tools/bench_torch.py (default " DESCENT_PYTHON
               ")\n"
               "  --list        list the workloads and exit\n");
}

void split_into(const std::string& list, std::set<std::string>& out) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.insert(list.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace
}  // namespace descent::bench

int main(int argc, char** argv) {
  using namespace descent::bench;
  Options opt;
  opt.out = default_out();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "descent_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--out") {
      opt.out = value();
    } else if (arg == "--quick") {
      opt.quick = true;
    } else if (arg == "--only") {
      split_into(value(), opt.only);
    } else if (arg == "--no-torch") {
      opt.torch = false;
    } else if (arg == "--python") {
      opt.python = value();
    } else if (arg == "--list") {
      for (const Workload& w : workloads()) std::printf("%-17s %s\n", w.name, w.summary);
      return 0;
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "descent_bench: unknown argument %s\n", arg.c_str());
      usage(stderr);
      return 2;
    }
  }

  std::vector<const Workload*> selected;
  for (const Workload& w : workloads())
    if (opt.only.empty() || opt.only.count(w.name)) selected.push_back(&w);
  for (const std::string& name : opt.only) {
    bool known = false;
    for (const Workload& w : workloads()) known |= name == w.name;
    if (!known) {
      std::fprintf(stderr, "descent_bench: unknown workload '%s' (see --list)\n", name.c_str());
      return 2;
    }
  }

  try {
    timing_config() = opt.quick ? kQuickTiming : kFullTiming;
    fmt::print("descent_bench: {} hardware threads, descent uses {}; OpenBLAS: {}{}\n",
               std::thread::hardware_concurrency(), descent::kernels::num_threads(),
               openblas_get_config(), opt.quick ? "; QUICK run (short timings)" : "");
    if (const double load = load_average(); load >= 0.5)
      fmt::print(
          "warning: load average {:.2f} before the run: other processes compete for the "
          "cores, so the timings below are unreliable\n",
          load);
    std::fflush(stdout);

    TorchRunOptions topt;
    topt.python = opt.python;
    topt.script = std::string(DESCENT_SOURCE_DIR) + "/tools/bench_torch.py";
    topt.quick = opt.quick;
    if (opt.torch)
      for (const Workload* w : selected)
        topt.workloads.insert(topt.workloads.end(), w->torch_workloads.begin(),
                              w->torch_workloads.end());
    std::fprintf(stderr, "descent_bench: PyTorch side (%zu workloads)...\n", topt.workloads.size());
    const TorchResults torch = run_torch(topt);
    if (!torch.ran)
      std::fprintf(stderr, "descent_bench: warning: PyTorch side failed: %s\n",
                   torch.error.c_str());

    // The workloads that alternate their runs with PyTorch's share one PyTorch process.
    std::unique_ptr<TorchSession> session;
    const bool alternating = std::any_of(selected.begin(), selected.end(),
                                         [](const Workload* w) { return w->alternates; });
    if (opt.torch && torch.ran && alternating) {
      session = std::make_unique<TorchSession>(topt.python, topt.script, topt.quick);
      if (!session->ok())
        std::fprintf(stderr, "descent_bench: warning: PyTorch session did not start\n");
    }

    Report report;
    Context ctx{opt.quick, &torch, &report, session.get()};
    for (const Workload* w : selected) {
      std::fprintf(stderr, "descent_bench: %s...\n", w->name);
      w->run(ctx);
    }

    if (!torch.version.empty()) fmt::print("PyTorch {} (via {})\n", torch.version, opt.python);
    if (!torch.ran && opt.torch) fmt::print("PyTorch side FAILED: {}\n", torch.error);
    report.print();
    report.write_csv(opt.out);
    fmt::print("\nwrote {}\n", opt.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "descent_bench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
