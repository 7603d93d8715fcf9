#pragma once
// Training diagnostics: the quantities the runner records every `diagnostics.every_steps` steps
// (docs/diagnostics.md says what each means for optimization). Each is a pure function of
// tensors, so it can be checked alone; the trainer gathers them (TrainingDiagnostics).
//
// Thresholds:
//   a tanh unit is saturated when |tanh(x)| > 0.99      (|x| > 2.65, tanh' < 0.02);
//   a sigmoid unit is saturated when σ(x) ∉ [0.01, 0.99] (|x| > 4.60, σ' < 0.0099);
//   a ReLU unit is dead on a batch when it outputs 0 for every example of the batch.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"
#include "descent/optim/optimizer.h"

namespace descent::app {

inline constexpr double kTanhSaturation = 0.99;     // |tanh| above this is saturated
inline constexpr double kSigmoidSaturation = 0.01;  // σ below this or above 1 − this

// Fraction of the units of `output` ([N, ...]; a unit is one position of the trailing
// dimensions) that are exactly 0 for all N examples. ValueError for a tensor without a batch.
double dead_unit_fraction(const Tensor& output);

// Fraction of the elements of `output` (all examples and units) outside [lo, hi].
double fraction_outside(const Tensor& output, double lo, double hi);

// Summary over channels of a BatchNorm input's per-channel batch statistics: the batch mean
// μ_c and biased variance σ²_c of channel c over the examples (and positions, for [N, C, L]).
struct ChannelMoments {
  double mean_of_means = 0.0, std_of_means = 0.0;  // mean and (population) std of μ_c over c
  double mean_of_vars = 0.0, std_of_vars = 0.0;    // the same of σ²_c
};
ChannelMoments batch_channel_moments(const Tensor& input);

// Mean and population standard deviation of all elements, in float64.
std::pair<double, double> mean_and_std(const Tensor& t);

// ‖after − before‖₂ / ‖before‖₂ (infinity when before is 0 and after is not, 0 when both are).
double relative_change(const Tensor& before, const Tensor& after);

// Median (the mean of the two middle values for an even count) and maximum of all elements.
std::pair<double, double> median_and_max(const Tensor& t);

// Adam/AdamW's effective step sizes α/(√v̂ + ε) (optim::adam_effective_step_size) summarized per
// parameter tensor: {name, median, max} for every parameter that has optimizer state, named as
// in `named`. Empty when the optimizer is neither Adam nor AdamW.
struct StepSizeSummary {
  std::string name;
  double median = 0.0, max = 0.0;
};
std::vector<StepSizeSummary> adam_step_sizes(
    const optim::Optimizer& optimizer, const std::vector<std::pair<std::string, Tensor>>& named);

}  // namespace descent::app
