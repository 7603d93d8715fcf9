#pragma once
// The lecture's "Pathologies. Plateaux" as a runnable experiment (`descent pathology plateau`,
// docs/pathologies.md): saturated units stall gradient descent, and the lecture's cure, ReLU
// with a good initialization, removes the plateau.
//
// The backpropagated signal of a unit h = φ(z), z = θᵀx, is
//
//   δ_θ = δ_z x,   δ_z = δ_h φ′(z),
//
// and σ′(z) = σ(z)(1 − σ(z)) < 0.0099 once |z| > 4.6: a saturated sigmoid passes almost no
// gradient to the weights below it. Weights drawn from N(0, σ²) with a large σ put most
// pre-activations there from the first step. ReLU has φ′(z) = 1 for every z > 0, and He
// initialization (N(0, 2/fan_in)) keeps the variance of the pre-activations constant through
// the layers, so the signal neither saturates nor vanishes.
//
// Each case trains the same MLP (hidden widths, same data, same seed) by full-batch gradient
// descent with the same step, and records the training loss and the fraction of hidden units
// that pass no gradient: saturated sigmoid outputs (σ ∉ [0.01, 0.99], app/diagnostics.h), or
// dead ReLUs (0 for every example). Cases:
//
//   sigmoid, N(0, σ²)   the poor initialization (weights of every layer; biases 0)
//   sigmoid, Xavier     sigmoid with a good initialization (Glorot normal)
//   relu, He            the lecture's fix (Kaiming normal, fan_in)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/app/config.h"

namespace descent::app {

// The first 1000 Fashion-MNIST training images, standardized. On 2-D synthetic sets even a
// saturated net fits quickly: its saturated units are random step functions of the input, and
// the output layer (which never saturates) learns a good readout of them. Ten classes of
// images need learned features, so there the stalled hidden layers show as a plateau.
inline DataConfig default_plateau_data() {
  DataConfig d;
  d.dataset = "fashion-mnist";
  d.train_limit = 1000;
  return d;
}

struct PlateauExperimentOptions {
  DataConfig data = default_plateau_data();
  std::vector<int64_t> hidden = {32, 32};
  double bad_init_std = 4.0;  // σ of the poor initialization
  double lr = 0.1;            // full-batch gradient descent
  double target_loss = 0.8;   // steps are counted until the training loss is at most this
  int64_t steps = 600;        // steps per case
  int64_t every = 100;        // a table row every this many steps
  uint64_t seed = 0;
};

struct PlateauCase {
  std::string name;              // e.g. "sigmoid, N(0, 4^2)"
  std::string activation;        // sigmoid | relu
  std::string init;              // normal | xavier | he
  std::vector<int64_t> step;     // steps recorded: 0, every, 2·every, ..., steps
  std::vector<double> loss;      // training loss at those steps
  std::vector<double> stalled;   // saturated (sigmoid) or dead (relu) fraction there
  int64_t steps_to_target = -1;  // first step with loss ≤ target; −1: not reached
  double final_loss = 0.0;
};

struct PlateauExperiment {
  PlateauExperimentOptions options;
  int64_t examples = 0;  // training examples
  std::vector<PlateauCase> cases;
};

// ValueError for bad options (naming the option); the data's own errors otherwise.
PlateauExperiment run_plateau_experiment(const PlateauExperimentOptions& options);

nlohmann::ordered_json plateau_experiment_json(const PlateauExperiment& experiment);
std::string format_plateau_experiment(const PlateauExperiment& experiment);

}  // namespace descent::app
