// The network playground: a Trainer run on a 2-D synthetic dataset, reported frame by frame
// (playground.h).
#include "descent/app/playground.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/app/experiment_data.h"
#include "descent/app/sharpness.h"
#include "descent/app/trainer.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/data/transforms.h"

namespace descent::app {
namespace {

void fail(const std::string& option, const std::string& what) {
  throw ValueError(fmt::format("config: {}: {}", option, what));
}

int64_t class_count(const PlaygroundOptions& o) {
  return (o.dataset == "spiral" || o.dataset == "blobs") ? o.classes : 2;
}

// Thrown by the observers to end Trainer::run early; caught in run_playground.
struct Cancelled {};  // the client stopped listening
struct StepLimitReached {};

// The inputs x' = scale·x + shift, then the fitted standardization (when on).
class InputMap {
 public:
  InputMap(const PlaygroundOptions& o, const Tensor& train_raw) : o_(o) {
    if (o.standardize) standardize_.fit(shifted(train_raw));
  }
  Tensor operator()(const Tensor& raw) const {
    const Tensor s = shifted(raw);
    return o_.standardize ? standardize_.apply(s) : s;
  }

 private:
  Tensor shifted(const Tensor& raw) const {
    NoGradGuard no_grad;
    return contiguous(add(mul(raw, o_.scale), o_.shift));
  }
  const PlaygroundOptions& o_;
  data::Standardize standardize_;
};

// Collects the batch losses of each step and turns diagnostics events into frames. The run
// stops after exactly `limit` steps (its last epoch may hold more): at that step's diagnostics
// when it has them, else right after the step.
class FrameObserver : public TrainingObserver {
 public:
  FrameObserver(std::function<void(PlaygroundFrame)> emit, int64_t limit, int64_t every)
      : emit_(std::move(emit)), limit_(limit), every_(every) {}
  void on_step(const StepEvent& e) override {
    pending_.losses.push_back(e.loss);
    pending_.accuracy = e.accuracy;
    pending_.lr = e.lr;
    pending_.step = e.step;
    if (e.step >= limit_ && (e.step % every_ != 0 || e.skipped)) stop();
  }
  void on_diagnostics(const DiagnosticsEvent& d) override {
    for (const auto& [key, value] : d.values) {
      if (key.starts_with("saturation:")) pending_.saturation.emplace_back(key.substr(11), value);
      if (key.starts_with("dead_relu:")) pending_.dead.emplace_back(key.substr(10), value);
      if (key == "sharpness") pending_.sharpness = value;
    }
    flush();
    if (d.step >= limit_) throw StepLimitReached{};
  }
  // Emits the pending frame, if any step is pending.
  void flush() {
    if (pending_.losses.empty()) return;
    emit_(std::move(pending_));
    pending_ = PlaygroundFrame{.sharpness = std::numeric_limits<double>::quiet_NaN()};
  }

 private:
  void stop() {
    flush();
    throw StepLimitReached{};
  }
  std::function<void(PlaygroundFrame)> emit_;
  int64_t limit_, every_;
  PlaygroundFrame pending_{.sharpness = std::numeric_limits<double>::quiet_NaN()};
};

}  // namespace

void validate(const PlaygroundOptions& o) {
  const std::vector<std::string> sets = {"spiral", "circles", "moons", "xor", "blobs"};
  if (std::find(sets.begin(), sets.end(), o.dataset) == sets.end())
    fail("dataset", "expected spiral, circles, moons, xor or blobs, got \"" + o.dataset + "\"");
  if (o.classes < 2 || o.classes > kPlaygroundMaxClasses)
    fail("classes", fmt::format("must be in [2, {}]", kPlaygroundMaxClasses));
  if (o.samples < 2 || o.samples * class_count(o) > kPlaygroundMaxPoints)
    fail("samples", fmt::format("must be ≥ 2 with at most {} points in all", kPlaygroundMaxPoints));
  if (!(o.noise >= 0.0) || !std::isfinite(o.noise)) fail("noise", "must be a finite number ≥ 0");
  if (static_cast<int64_t>(o.widths.size()) > kPlaygroundMaxLayers)
    fail("widths", fmt::format("at most {} hidden layers", kPlaygroundMaxLayers));
  for (size_t i = 0; i < o.widths.size(); ++i)
    if (o.widths[i] < 1 || o.widths[i] > kPlaygroundMaxWidth)
      fail(fmt::format("widths[{}]", i), fmt::format("must be in [1, {}]", kPlaygroundMaxWidth));
  const std::vector<std::string> acts = {"relu", "tanh", "sigmoid", "leaky_relu", "gelu"};
  if (std::find(acts.begin(), acts.end(), o.activation) == acts.end())
    fail("activation",
         "expected relu, tanh, sigmoid, leaky_relu or gelu, got \"" + o.activation + "\"");
  if (!std::isfinite(o.shift)) fail("shift", "must be finite");
  if (!std::isfinite(o.scale) || o.scale == 0.0) fail("scale", "must be finite and nonzero");
  if (!(o.l1 >= 0.0) || !std::isfinite(o.l1)) fail("l1", "must be a finite number ≥ 0");
  if (!(o.l2 >= 0.0) || !std::isfinite(o.l2)) fail("l2", "must be a finite number ≥ 0");
  if (o.steps < 1 || o.steps > kPlaygroundMaxSteps)
    fail("steps", fmt::format("must be in [1, {}]", kPlaygroundMaxSteps));
  if (o.batch_size < 0) fail("batch_size", "must be ≥ 0 (0: the whole training split)");
  if (o.report_every < 1) fail("report_every", "must be ≥ 1");
  if (o.grid < 2 || o.grid > kPlaygroundMaxGrid)
    fail("grid", fmt::format("must be in [2, {}]", kPlaygroundMaxGrid));
}

ExperimentConfig playground_config(const PlaygroundOptions& o) {
  validate(o);
  nlohmann::json model = nlohmann::json::array();
  for (const int64_t w : o.widths) {
    model.push_back({{"type", "linear"}, {"out", w}, {"init", o.init}});
    if (o.batchnorm) model.push_back("batchnorm");
    model.push_back(o.activation);
  }
  model.push_back({{"type", "linear"}, {"init", o.init}});
  nlohmann::json penalties = nlohmann::json::array();
  if (o.l1 > 0.0) penalties.push_back({{"type", "l1"}, {"weight", o.l1}});
  if (o.l2 > 0.0) penalties.push_back({{"type", "l2"}, {"weight", o.l2}});
  const int64_t n = o.samples * class_count(o);
  const int64_t n_train = n - static_cast<int64_t>(static_cast<double>(n) * 0.2);
  const int64_t batch = o.batch_size == 0 ? n_train : std::min(o.batch_size, n_train);
  const int64_t per_epoch = (n_train + batch - 1) / batch;
  const int64_t every = std::min(o.report_every, o.steps);
  const nlohmann::json doc = {
      {"name", "playground"},
      {"seed", o.seed},
      {"data",
       {{"dataset", o.dataset},
        {"samples", o.samples},
        {"classes", class_count(o)},
        {"noise", o.noise},
        {"test_fraction", 0.2},
        {"transforms", nlohmann::json::array()}}},
      {"model", model},
      {"penalties", penalties},
      {"optimizer", o.optimizer},
      {"epochs", (o.steps + per_epoch - 1) / per_epoch},
      {"batch_size", batch},
      {"threads", 0},  // 0 leaves the process-wide kernel thread count alone
      {"log_every_steps", every},
      {"checkpoint", {{"every_epochs", 0}, {"keep_last", 0}}},
      {"diagnostics",
       {{"every_steps", every},
        {"grad_norms", false},
        {"update_ratios", false},
        {"batchnorm", false},
        {"adam_steps", false},
        {"sharpness", {{"every_steps", o.sharpness ? every : 0}, {"iterations", 20}}}}}};
  return parse_config(doc);
}

PlaygroundResult run_playground(const PlaygroundOptions& o,
                                const std::function<bool(const PlaygroundFrame&)>& on_frame,
                                const std::function<void(const PlaygroundData&)>& on_data) {
  const ExperimentConfig config = playground_config(o);
  const data::Split raw = prepare_data(config.data, config.seed, DType::Float32);
  const InputMap map(o, raw.train.inputs);
  const data::Split split{{.inputs = map(raw.train.inputs),
                           .targets = raw.train.targets,
                           .num_classes = raw.train.num_classes,
                           .name = "train",
                           .class_names = {}},
                          {.inputs = map(raw.test.inputs),
                           .targets = raw.test.targets,
                           .num_classes = raw.test.num_classes,
                           .name = "test",
                           .class_names = {}}};

  PlaygroundResult result;
  PlaygroundData& d = result.data;
  d.classes = raw.train.num_classes;
  double lo[2] = {1e300, 1e300}, hi[2] = {-1e300, -1e300};
  for (const data::Dataset* part : {&raw.train, &raw.test}) {
    const std::vector<float> xs = part->inputs.to_vector<float>();
    const std::vector<int64_t> ys = part->targets.to_vector<int64_t>();
    for (size_t i = 0; i < ys.size(); ++i) {
      d.x.push_back(xs[2 * i]);
      d.y.push_back(xs[2 * i + 1]);
      d.label.push_back(ys[i]);
      d.test.push_back(part == &raw.test);
      for (int k = 0; k < 2; ++k) {
        lo[k] = std::min(lo[k], static_cast<double>(xs[2 * i + k]));
        hi[k] = std::max(hi[k], static_cast<double>(xs[2 * i + k]));
      }
    }
  }
  // The view: the data's bounding box with a 10% margin on each side.
  for (int k = 0; k < 2; ++k) {
    const double pad = 0.1 * std::max(hi[k] - lo[k], 1e-6);
    d.view[2 * k] = lo[k] - pad;
    d.view[2 * k + 1] = hi[k] + pad;
  }
  if (on_data) on_data(d);

  // The grid in original coordinates, mapped as the training inputs were.
  std::vector<float> grid_xy;
  for (int64_t j = 0; j < o.grid; ++j)
    for (int64_t i = 0; i < o.grid; ++i) {
      grid_xy.push_back(static_cast<float>(d.view[0] + (d.view[1] - d.view[0]) * i / (o.grid - 1)));
      grid_xy.push_back(static_cast<float>(d.view[2] + (d.view[3] - d.view[2]) * j / (o.grid - 1)));
    }
  const Tensor grid_inputs =
      map(from_vector(std::span<const float>(grid_xy), Shape{o.grid * o.grid, 2}));

  Trainer trainer(config, split);
  if (o.sharpness) trainer.set_sharpness_estimator(power_iteration_sharpness);
  // Completes a frame with what needs the model in evaluation mode, then hands it on.
  auto complete = [&](PlaygroundFrame f) {
    const std::map<std::string, double> test = trainer.evaluate(split.test);
    f.test_loss = test.at("loss");
    f.test_accuracy = test.at("accuracy");
    nn::Sequential& model = trainer.model();
    const bool training = model.is_training();
    model.eval();
    {
      NoGradGuard no_grad;
      f.classes = argmax(model.forward(grid_inputs), 1).to_vector<int64_t>();
    }
    model.train(training);
    result.last = f;
    if (on_frame) {
      if (!on_frame(f)) throw Cancelled{};
    } else {
      result.frames.push_back(std::move(f));
    }
  };
  PlaygroundFrame first{.step = 0, .sharpness = std::numeric_limits<double>::quiet_NaN()};
  first.losses.push_back(trainer.evaluate(split.train).at("loss"));
  try {
    complete(first);
    FrameObserver observer(complete, o.steps, std::min(o.report_every, o.steps));
    trainer.add_observer(&observer);
    try {
      const RunSummary summary = trainer.run();
      result.status =
          summary.status == RunStatus::Diverged ? "diverged: " + summary.message : "completed";
    } catch (const StepLimitReached&) {
      result.status = "completed";
    }
    observer.flush();
  } catch (const Cancelled&) {
    result.status = "cancelled";
  }
  return result;
}

}  // namespace descent::app
