#pragma once
// The network playground of the web lab (page 5): a small classifier trained on a 2-D synthetic
// dataset by the ordinary Trainer, with the state the page draws reported every few steps: the
// predicted class on a grid over the input plane (the decision boundary), the batch losses,
// the saturation and dead-unit fractions per layer and λmax of the loss Hessian (sharpness.h)
// against the step-size bound 2/lr.
//
// Inputs pass through x' = scale·x + shift (the lecture's badly scaled / uncentred inputs) and
// then, when `standardize` is on, through a standardization fitted on the training split; the
// grid is drawn in the original coordinates x and goes through the same two maps, so the
// boundary is the one the network sees.
//
// Work is bounded (kPlayground* below); options out of range are ValueErrors naming the option.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "descent/app/config.h"
#include "descent/data/dataset.h"

namespace descent::app {

inline constexpr int64_t kPlaygroundMaxSteps = 5000;
inline constexpr int64_t kPlaygroundMaxLayers = 6;
inline constexpr int64_t kPlaygroundMaxWidth = 256;
inline constexpr int64_t kPlaygroundMaxPoints = 4000;  // over all classes
inline constexpr int64_t kPlaygroundMaxGrid = 100;
inline constexpr int64_t kPlaygroundMaxClasses = 8;

struct PlaygroundOptions {
  std::string dataset = "spiral";  // spiral | circles | moons | xor | blobs
  int64_t classes = 3;             // spiral and blobs; the others have 2
  int64_t samples = 100;           // points per class
  double noise = 0.2;
  std::vector<int64_t> widths = {16, 16};  // hidden layers
  std::string activation = "relu";         // relu | tanh | sigmoid | leaky_relu | gelu
  std::string init = "default";            // a linear layer's init (model_builder.h)
  bool batchnorm = false;                  // BatchNorm after each hidden linear layer
  double shift = 0.0, scale = 1.0;         // x' = scale·x + shift
  bool standardize = true;
  double l1 = 0.0, l2 = 0.0;  // penalty weights λ
  std::string optimizer = "sgd:lr=0.1";
  int64_t steps = 300;
  int64_t batch_size = 0;  // 0: the whole training split (full-batch gradient descent)
  int64_t report_every = 10;
  int64_t grid = 48;  // grid × grid points of the decision boundary
  bool sharpness = true;
  uint64_t seed = 0;
};

// ValueError naming the option ("widths[1]: ...") for anything out of range.
void validate(const PlaygroundOptions& options);

// The ExperimentConfig the playground trains with (model, penalties, optimizer, epochs covering
// `steps` steps, diagnostics every report_every steps, no checkpoints).
ExperimentConfig playground_config(const PlaygroundOptions& options);

// The state after `step` steps.
struct PlaygroundFrame {
  int64_t step = 0;
  std::vector<double> losses = {};  // the batch losses of the steps since the previous frame
  double accuracy = 0.0;            // of the last batch
  double test_loss = 0.0;           // on the test split, evaluation mode
  double test_accuracy = 0.0;
  std::vector<int64_t> classes = {};  // predicted class at grid point (i, j), index j·grid + i
  std::vector<std::pair<std::string, double>> saturation =
      {};                                                 // "layer" → fraction (tanh, sigmoid)
  std::vector<std::pair<std::string, double>> dead = {};  // "layer" → fraction of dead ReLUs
  double sharpness = 0.0;                                 // λmax (NaN when not measured)
  double lr = 0.0;                                        // so that 2/lr can be drawn
};

struct PlaygroundData {
  std::vector<double> x, y;       // the points in original coordinates
  std::vector<int64_t> label;     // their classes
  std::vector<bool> test;         // whether each point is in the test split
  double view[4] = {0, 0, 0, 0};  // x_min, x_max, y_min, y_max of the grid
  int64_t classes = 0;
};

struct PlaygroundResult {
  PlaygroundData data;
  std::vector<PlaygroundFrame> frames;  // empty when on_frame was given
  PlaygroundFrame last;
  std::string status;  // "completed", "diverged: <why>" or "cancelled"
};

// Trains and reports a frame at step 0, every report_every steps and after the last step. When
// `on_frame` is given each frame goes to it instead of `frames`; returning false cancels the
// run (status "cancelled"). `on_data` (optional) receives the dataset before training starts.
PlaygroundResult run_playground(const PlaygroundOptions& options,
                                const std::function<bool(const PlaygroundFrame&)>& on_frame = {},
                                const std::function<void(const PlaygroundData&)>& on_data = {});

}  // namespace descent::app
