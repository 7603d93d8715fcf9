#pragma once
// BatchNorm1d, as torch.nn.BatchNorm1d, over input [N, C] or [N, C, L] (C = num_features).
//
//   training (or track_running_stats = false): normalize with the batch's mean and biased
//     variance per channel, with the gradient through both (nn::batch_norm);
//   evaluation with running statistics: normalize with running_mean and running_var.
//
// With track_running_stats, each training forward first increments num_batches_tracked and
// then updates running_mean/running_var (the variance unbiased by n/(n − 1)) with factor
//   momentum                      when momentum is set (PyTorch's default 0.1), or
//   1/num_batches_tracked         when momentum is std::nullopt: the cumulative moving average,
//                                 i.e. the running statistics are the plain mean of the batches'.
// Buffers, as in PyTorch's state dict: running_mean [C] (zeros), running_var [C] (ones),
// num_batches_tracked (int64 scalar). Parameters when affine: weight [C] (ones), bias [C]
// (zeros). Without track_running_stats there are no buffers, and the batch statistics are used
// in evaluation too.
//
// Options are set with designated initializers: nn::BatchNorm1d bn(64, {.momentum = std::nullopt}).
#include <cstdint>
#include <optional>

#include "descent/nn/module.h"

namespace descent::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;
  bool affine = true;
  bool track_running_stats = true;
  DType dtype = DType::Float32;  // of the parameters and running statistics
};

class BatchNorm1d : public Module {
 public:
  explicit BatchNorm1d(int64_t num_features, BatchNormOptions options = {});

  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "BatchNorm1d"; }
  std::string extra_repr() const override;

  // Running statistics back to mean 0, variance 1, zero batches.
  void reset_running_stats();

  int64_t num_features;
  BatchNormOptions options;
  Tensor weight, bias;                                    // when affine
  Tensor running_mean, running_var, num_batches_tracked;  // when track_running_stats
};

}  // namespace descent::nn
