#pragma once
// Private to the trainer: gathers the diagnostics of one training step (diagnostics.h) in the
// order the step makes them available:
//
//   forward(x)       the model's forward pass, child by child, exactly as Sequential::forward
//                    computes it (same modules, same order, same RNG draws), recording the
//                    statistics of activation and BatchNorm layers on the way: the diagnostics
//                    cost nothing beyond reading the activations the step computes anyway;
//   after_backward() per-parameter gradient norms, and a copy of the parameters (for the
//                    update ratios);
//   after_step()     update ratios ‖θ_after − θ_before‖/‖θ_before‖ and Adam's step sizes.
//
// take() returns the values as (metric, value) pairs named "<quantity>:<layer or parameter>".
#include <string>
#include <utility>
#include <vector>

#include "descent/app/config.h"
#include "descent/nn/sequential.h"
#include "descent/optim/optimizer.h"

namespace descent::app {

class TrainingDiagnostics {
 public:
  using Values = std::vector<std::pair<std::string, double>>;

  TrainingDiagnostics(const DiagnosticsConfig& config, nn::Sequential& model,
                      const optim::Optimizer& optimizer);

  // True when the diagnostics are recorded at this step (1-based count of steps).
  bool due(int64_t step) const;

  Tensor forward(const Tensor& input);
  void after_backward();
  void after_step();
  Values take();

 private:
  Tensor forward_children(nn::Module& module, const std::string& prefix, Tensor x);
  void record_layer(nn::Module& child, const std::string& name, const Tensor& input,
                    const Tensor& output);

  DiagnosticsConfig config_;
  nn::Sequential& model_;
  const optim::Optimizer& optimizer_;
  std::vector<std::pair<std::string, Tensor>> named_;
  std::vector<Tensor> before_;  // parameter values before the update
  Values values_;
};

}  // namespace descent::app
