#pragma once
// The experiment config: one JSON document that fixes a whole run (data, model, loss,
// optimizer, schedule, loop, evaluation, checkpoints, stopping rules, diagnostics).
// docs/config.md lists every key with its default; parse_config() is the only reader.
//
// Reading is strict: unknown keys and bad values are ValueErrors that name the key path
// ("config: model[1].p: expected a number in [0, 1)"). resolved_json() writes the config back
// with every default filled in: it is what `--print-config` prints and what a run directory's
// config.json holds, so a run can always be repeated from its own directory.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace descent::app {

struct DataConfig {
  // fashion-mnist | mnist | idx | csv | spiral | circles | moons | xor | blobs | nine-points |
  // linear-regression
  std::string dataset = "fashion-mnist";
  std::string path;             // directory of the IDX files, or the training CSV; "" = default
  std::string test_path;        // the test CSV (csv only)
  std::string label = "label";  // CSV label column: a name, or an index written as "#3"
  int64_t train_limit = 0;      // use only the first N training examples (0: all)
  int64_t test_limit = 0;
  // Synthetic sets: examples per class (or in total for regression), classes, noise, and the
  // fraction held out as the test split.
  int64_t samples = 500;
  int64_t classes = 3;
  double noise = 0.1;
  double test_fraction = 0.2;
  int64_t features = 2;                 // linear-regression: input dimension
  std::vector<double> scales = {1.0};   // linear-regression: per-feature scale (cycled)
  std::vector<double> offsets = {0.0};  // linear-regression: per-feature offset (cycled)
  // Applied in order, fitted on the training split: standardize | minmax | none | flatten.
  std::vector<std::string> transforms = {"standardize"};

  // Whether the dataset is read from files (fashion-mnist, mnist, idx, csv) rather than
  // generated: only then does `path` mean anything (parse_config refuses it otherwise).
  bool reads_files() const;
};

// One layer of the model, normalized: {"type": ..., every option with its value}.
using LayerConfig = nlohmann::ordered_json;

struct LossConfig {
  std::string type = "cross_entropy";  // cross_entropy | multi_margin | mse | l1 | huber
  double label_smoothing = 0.0;        // cross_entropy
  double margin = 1.0;                 // multi_margin
  double delta = 1.0;                  // huber
};

struct PenaltyConfig {
  std::string type = "l2";  // l2 | l1
  double weight = 0.0;      // λ: loss += λ · penalty
  bool include_biases = false;
};

struct ScheduleConfig {
  std::string spec;                // "" = constant learning rate
  std::string interval = "epoch";  // when the scheduler steps: epoch | step
};

struct EvaluationConfig {
  int64_t every_epochs = 1;   // evaluate the test split every k epochs (and after the last)
  int64_t batch_size = 1000;  // inference batch size
  bool train_split = false;   // also evaluate the whole training split (in eval mode)
};

struct CheckpointConfig {
  int64_t every_epochs = 1;  // 0: only at the end
  int64_t every_steps = 0;   // 0: off
  int64_t keep_last = 2;     // older checkpoints are deleted (0: keep all)
};

struct EarlyStoppingConfig {
  std::string metric = "test.loss";  // split.metric
  std::string mode = "min";          // min | max
  int64_t patience = 0;              // evaluations without improvement; 0: off
  double min_delta = 0.0;
};

// λmax of the loss Hessian on a fixed probe batch (docs/diagnostics.md). Measured by the
// SharpnessEstimator the caller installs (app/sharpness.h).
struct SharpnessConfig {
  int64_t every_steps = 0;    // 0: off
  int64_t iterations = 20;    // passed to the estimator (power iterations)
  int64_t samples = 256;      // probe batch: the first N training examples
  bool at_divergence = true;  // estimate λmax at the last finite parameters when a run diverges
};

// Training diagnostics (docs/diagnostics.md): every `every_steps` steps, the selected
// quantities of that step go to the metrics log (split "diag"). Off by default.
struct DiagnosticsConfig {
  int64_t every_steps = 0;    // 0: off
  bool grad_norms = true;     // ‖∇θ_i L‖ per parameter tensor
  bool update_ratios = true;  // ‖Δθ_i‖/‖θ_i‖ per parameter tensor
  bool saturation = true;     // saturated fraction per sigmoid/tanh layer
  bool dead_relu = true;      // dead-unit fraction per ReLU layer
  bool batchnorm = true;      // batch and running statistics per BatchNorm layer
  bool adam_steps = true;     // median/max of lr/(√v̂+ε) per parameter tensor (Adam, AdamW)
  SharpnessConfig sharpness;
};

struct ExperimentConfig {
  std::string name = "experiment";
  uint64_t seed = 0;
  std::string dtype = "float32";  // float32 | float64
  DataConfig data;
  std::vector<LayerConfig> model;
  LossConfig loss;
  std::vector<PenaltyConfig> penalties;
  std::string optimizer = "sgd:lr=0.01";  // canonical spec text
  ScheduleConfig schedule;
  int64_t epochs = 10;
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  int64_t threads = 0;           // 0: all cores
  int64_t log_every_steps = 10;  // training metrics are logged as means over this many steps
  EvaluationConfig evaluation;
  CheckpointConfig checkpoint;
  EarlyStoppingConfig early_stopping;
  std::string on_nonfinite = "stop";  // stop | skip | raise
  DiagnosticsConfig diagnostics;
  std::string runs_dir = "runs";
};

// Reads and validates a config (see the header comment). Missing keys take the defaults above;
// the model defaults to a 2-hidden-layer ReLU MLP.
ExperimentConfig parse_config(const nlohmann::json& json);

// The config with every default filled in, keys in a fixed order.
nlohmann::ordered_json resolved_json(const ExperimentConfig& config);

// Reads a JSON file (ValueError naming the file, line and column on a syntax error).
nlohmann::json read_json_file(const std::string& path);

// Applies one `--set key.path=value` override to a config document: the value is parsed as
// JSON when it is valid JSON (numbers, true, [1,2], {"a":1}) and taken as a string otherwise.
// Path segments are object keys or array indices (model.1.p or model[1].p). Missing objects
// along the path are created; an index past the end of an array is an error.
void apply_override(nlohmann::json& document, const std::string& assignment);

// The config a command runs: the file at `path` (or all defaults when `path` is empty), with
// every `--set` assignment applied to its resolved form (so defaults can be overridden too),
// validated again.
ExperimentConfig load_config(const std::string& path, const std::vector<std::string>& sets);

}  // namespace descent::app
