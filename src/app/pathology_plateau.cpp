// Plateaux from saturated units, and ReLU with He initialization (see pathology_plateau.h).
#include "descent/app/pathology_plateau.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cmath>
#include <memory>

#include "descent/app/diagnostics.h"
#include "descent/app/experiment_data.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/init.h"
#include "descent/nn/linear.h"
#include "descent/nn/losses.h"
#include "descent/optim/sgd.h"

namespace descent::app {
namespace {

void validate(const PlateauExperimentOptions& o) {
  const auto fail = [](const std::string& what) { throw ValueError("pathology plateau: " + what); };
  if (o.hidden.empty()) fail("at least one hidden layer is needed");
  for (int64_t h : o.hidden) {
    if (h < 1) fail(fmt::format("hidden width {} must be ≥ 1", h));
  }
  if (!(std::isfinite(o.bad_init_std) && o.bad_init_std > 0.0)) {
    fail(fmt::format("init std {} must be > 0", o.bad_init_std));
  }
  if (!(std::isfinite(o.lr) && o.lr > 0.0)) fail(fmt::format("lr {} must be > 0", o.lr));
  if (!(o.target_loss > 0.0)) fail(fmt::format("target loss {} must be > 0", o.target_loss));
  if (o.steps < 1) fail(fmt::format("steps must be ≥ 1, got {}", o.steps));
  if (o.every < 1) fail(fmt::format("every must be ≥ 1, got {}", o.every));
}

// An MLP whose hidden outputs can be looked at: linear → φ → ... → linear (logits).
struct Mlp {
  std::vector<std::shared_ptr<nn::Linear>> layers;
  std::string activation;

  std::vector<Tensor> parameters() const {
    std::vector<Tensor> out;
    for (const auto& l : layers) {
      out.push_back(l->weight);
      out.push_back(l->bias);
    }
    return out;
  }

  // Logits; the hidden outputs go to `hidden`.
  Tensor forward(const Tensor& x, std::vector<Tensor>& hidden) const {
    hidden.clear();
    Tensor h = x;
    for (size_t i = 0; i < layers.size(); ++i) {
      h = (*layers[i])(h);
      if (i + 1 == layers.size()) break;
      h = activation == "sigmoid" ? sigmoid(h) : relu(h);
      hidden.push_back(h);
    }
    return h;
  }
};

Mlp build_mlp(const PlateauExperimentOptions& o, const std::string& activation,
              const std::string& init, int64_t in, int64_t out) {
  Generator gen(o.seed);  // the same draws for every case: only the scale differs
  Mlp m{.layers = {}, .activation = activation};
  std::vector<int64_t> widths = {in};
  widths.insert(widths.end(), o.hidden.begin(), o.hidden.end());
  widths.push_back(out);
  for (size_t i = 0; i + 1 < widths.size(); ++i) {
    auto layer = std::make_shared<nn::Linear>(widths[i], widths[i + 1], true, gen);
    if (init == "normal") nn::normal_(layer->weight, 0.0, o.bad_init_std, gen);
    if (init == "xavier") nn::xavier_normal_(layer->weight, 1.0, gen);
    if (init == "he") nn::kaiming_normal_(layer->weight, 0.0, "fan_in", "relu", gen);
    nn::zeros_(layer->bias);
    m.layers.push_back(layer);
  }
  return m;
}

// The fraction of hidden units (all layers, all examples × units for sigmoid; units for ReLU)
// that pass no gradient: saturated sigmoid outputs, or ReLUs dead on every example.
double stalled_fraction(const std::vector<Tensor>& hidden, const std::string& activation) {
  double stalled = 0.0, total = 0.0;
  for (const Tensor& h : hidden) {
    const auto units = static_cast<double>(activation == "sigmoid" ? h.numel() : h.size(1));
    const double f = activation == "sigmoid"
                         ? fraction_outside(h, kSigmoidSaturation, 1.0 - kSigmoidSaturation)
                         : dead_unit_fraction(h);
    stalled += f * units;
    total += units;
  }
  return stalled / total;
}

PlateauCase run_case(const PlateauExperimentOptions& o, const data::Dataset& train,
                     const std::string& activation, const std::string& init) {
  PlateauCase c;
  c.activation = activation;
  c.init = init;
  c.name = init == "normal"   ? fmt::format("{}, N(0, {:g}^2)", activation, o.bad_init_std)
           : init == "xavier" ? activation + ", Xavier"
                              : activation + ", He";
  const Mlp mlp = build_mlp(o, activation, init, train.features(), train.num_classes);
  optim::SGD gd(mlp.parameters(), {.lr = o.lr});
  std::vector<Tensor> hidden;
  for (int64_t k = 0; k <= o.steps; ++k) {
    gd.zero_grad();
    const Tensor loss = nn::cross_entropy(mlp.forward(train.inputs, hidden), train.targets);
    const double value = loss.item();
    c.final_loss = value;
    if (c.steps_to_target < 0 && value <= o.target_loss) c.steps_to_target = k;
    if (k % o.every == 0 || k == o.steps) {
      c.step.push_back(k);
      c.loss.push_back(value);
      NoGradGuard no_grad;
      c.stalled.push_back(stalled_fraction(hidden, activation));
    }
    if (k == o.steps || !std::isfinite(value)) break;
    loss.backward();
    gd.step();
  }
  return c;
}

}  // namespace

PlateauExperiment run_plateau_experiment(const PlateauExperimentOptions& o) {
  validate(o);
  const data::Split split = prepare_data(o.data, o.seed, DType::Float32);
  if (!split.train.is_classification()) {
    throw ValueError(fmt::format("pathology plateau: dataset \"{}\" is not a classification set",
                                 o.data.dataset));
  }
  PlateauExperiment e{.options = o, .examples = split.train.size(), .cases = {}};
  e.cases.push_back(run_case(o, split.train, "sigmoid", "normal"));
  e.cases.push_back(run_case(o, split.train, "sigmoid", "xavier"));
  e.cases.push_back(run_case(o, split.train, "relu", "he"));
  return e;
}

nlohmann::ordered_json plateau_experiment_json(const PlateauExperiment& e) {
  const PlateauExperimentOptions& o = e.options;
  nlohmann::ordered_json j = {{"experiment", "plateau"},
                              {"dataset", o.data.dataset},
                              {"examples", e.examples},
                              {"hidden", o.hidden},
                              {"bad_init_std", o.bad_init_std},
                              {"lr", o.lr},
                              {"target_loss", o.target_loss},
                              {"steps", o.steps},
                              {"seed", o.seed}};
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const PlateauCase& c : e.cases) {
    cases.push_back({{"name", c.name},
                     {"activation", c.activation},
                     {"init", c.init},
                     {"step", c.step},
                     {"loss", c.loss},
                     {c.activation == "sigmoid" ? "saturated" : "dead", c.stalled},
                     {"steps_to_target", c.steps_to_target},
                     {"final_loss", c.final_loss}});
  }
  j["cases"] = cases;
  return j;
}

std::string format_plateau_experiment(const PlateauExperiment& e) {
  const PlateauExperimentOptions& o = e.options;
  std::string out = fmt::format(
      "Plateaux: MLP with hidden widths {}, {} training examples of {}, full-batch gradient "
      "descent, lr {:g}\n",
      fmt::join(o.hidden, "-"), e.examples, o.data.dataset, o.lr);
  out +=
      "loss / fraction of hidden units passing no gradient (sigmoid: saturated, "
      "sigma outside [0.01, 0.99]; relu: dead on every example)\n\n";
  out += fmt::format("{:>6}", "step");
  for (const PlateauCase& c : e.cases) out += fmt::format("  {:>24}", c.name);
  out += "\n";
  for (size_t r = 0; r < e.cases.front().step.size(); ++r) {
    out += fmt::format("{:>6}", e.cases.front().step[r]);
    for (const PlateauCase& c : e.cases) {
      out += fmt::format("  {:>14.4g} / {:>7.3f}", c.loss[r], c.stalled[r]);
    }
    out += "\n";
  }
  out += fmt::format("{:>6}", "reach");
  for (const PlateauCase& c : e.cases) {
    const std::string steps =
        c.steps_to_target < 0 ? fmt::format("> {}", o.steps) : fmt::format("{}", c.steps_to_target);
    out += fmt::format("  {:>24}", fmt::format("loss {:g}: {} steps", o.target_loss, steps));
  }
  out += "\n";
  return out;
}

}  // namespace descent::app
