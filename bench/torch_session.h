#pragma once
// A PyTorch side that measures on request (tools/bench_torch.py --serve), for workloads whose
// timing drifts with the machine's speed over seconds: the caller alternates PyTorch's runs
// with its own, so both sides see the same stretches of time.
#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>

namespace descent::bench {

class TorchSession {
 public:
  // Starts `python script --serve [--quick]`; ok() says whether it runs.
  TorchSession(const std::string& python, const std::string& script, bool quick);
  ~TorchSession();
  TorchSession(const TorchSession&) = delete;
  TorchSession& operator=(const TorchSession&) = delete;

  bool ok() const { return pid_ > 0; }
  // One measurement of `workload` with `threads` PyTorch threads, in the workload's unit
  // (one epoch for mlp_epoch); nullopt when the session has failed.
  std::optional<double> measure(const std::string& workload, int threads);

 private:
  void stop();

  pid_t pid_ = -1;
  std::FILE* to_child_ = nullptr;
  std::FILE* from_child_ = nullptr;
};

}  // namespace descent::bench
