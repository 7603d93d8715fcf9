// High curvature from badly scaled inputs, and its cures (see pathology_curvature.h).
#include "descent/app/pathology_curvature.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "descent/analysis/hessian.h"
#include "descent/analysis/param_vector.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/data/synthetic.h"
#include "descent/data/transforms.h"
#include "descent/nn/batchnorm.h"
#include "descent/nn/init.h"
#include "descent/nn/linear.h"
#include "descent/nn/losses.h"
#include "descent/nn/sequential.h"
#include "descent/optim/sgd.h"

namespace descent::app {
namespace {

void validate(const CurvatureExperimentOptions& o) {
  const auto fail = [](const std::string& what) {
    throw ValueError("pathology curvature: " + what);
  };
  if (o.samples < 3) fail(fmt::format("samples must be ≥ 3, got {}", o.samples));
  if (o.scales.empty()) fail("scales must not be empty");
  const size_t d = o.scales.size();
  // Empty offsets and weights mean zeros and ones (data::linear_regression).
  if (!o.offsets.empty() && o.offsets.size() != d) {
    fail(fmt::format("{} offsets for {} scales", o.offsets.size(), d));
  }
  if (!o.weights.empty() && o.weights.size() != d) {
    fail(fmt::format("{} weights for {} scales", o.weights.size(), d));
  }
  for (double s : o.scales) {
    if (!(std::isfinite(s) && s > 0.0)) fail(fmt::format("scale {} must be > 0", s));
  }
  if (o.lr_rule != "optimal" && o.lr_rule != "stable") {
    fail(fmt::format("lr rule must be optimal or stable, got \"{}\"", o.lr_rule));
  }
  if (!(o.target > 0.0 && o.target < 1.0)) fail(fmt::format("target {} not in (0, 1)", o.target));
  if (o.max_steps < 1) fail(fmt::format("max steps must be ≥ 1, got {}", o.max_steps));
}

// κ(ŨᵀŨ) for Ũ = [U 1]: the spectrum of the design's Gram matrix, by Jacobi.
double design_condition(const Tensor& u) {
  const Tensor c = contiguous(to(u, DType::Float64));
  const int64_t n = c.size(0), d = c.size(1), m = d + 1;
  const double* x = c.data<double>();
  std::vector<double> gram(static_cast<size_t>(m * m), 0.0);
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t i = 0; i < m; ++i) {
      const double xi = i < d ? x[r * d + i] : 1.0;
      for (int64_t j = 0; j < m; ++j) gram[i * m + j] += xi * (j < d ? x[r * d + j] : 1.0);
    }
  }
  const analysis::SymmetricEigen e = analysis::symmetric_eigen(gram, m);
  return e.values.back() / e.values.front();
}

// Runs one case: fills the curvature columns from the Hessian of `model`'s loss on (x, y) and
// counts the gradient-descent steps to the target.
void measure(nn::Module& model, const Tensor& x, const Tensor& y,
             const CurvatureExperimentOptions& o, CurvatureCase& c) {
  const std::vector<Tensor> params = model.parameters();
  const auto loss = [&] { return nn::mse_loss(model(x), y); };
  const int64_t n = analysis::parameter_count(params);
  const analysis::SymmetricEigen h =
      analysis::symmetric_eigen(analysis::full_hessian(params, loss), n);
  c.lambda_min = h.values.front();
  c.lambda_max = h.values.back();
  c.cond_hessian = c.lambda_max / c.lambda_min;
  c.lr = o.lr_rule == "optimal" ? 2.0 / (c.lambda_min + c.lambda_max) : 1.0 / c.lambda_max;

  optim::SGD gd(params, {.lr = c.lr});
  for (int64_t k = 0;; ++k) {
    gd.zero_grad();
    const Tensor l = loss();
    const double value = l.item();
    if (k == 0) c.initial_loss = value;
    c.final_loss = value;
    if (value <= o.target * c.initial_loss) {
      c.steps = k;
      break;
    }
    if (k == o.max_steps || !std::isfinite(value)) break;
    l.backward();
    gd.step();
  }
}

// A linear layer d → 1 starting at θ = 0, so every case starts from the same loss mean(y²).
std::shared_ptr<nn::Linear> zero_linear(int64_t d, Generator& gen) {
  auto layer = std::make_shared<nn::Linear>(d, 1, true, gen, DType::Float64);
  nn::zeros_(layer->weight);
  nn::zeros_(layer->bias);
  return layer;
}

// The data as data::linear_regression draws it (float32), without noise.
data::Dataset single_precision_data(const CurvatureExperimentOptions& o) {
  validate(o);
  Generator gen(o.seed);
  return data::linear_regression({.samples = o.samples,
                                  .scales = o.scales,
                                  .offsets = o.offsets,
                                  .weights = o.weights,
                                  .bias = o.bias,
                                  .noise = 0.0},
                                 gen);
}

}  // namespace

data::Dataset curvature_data(const CurvatureExperimentOptions& o) {
  data::Dataset d = single_precision_data(o);
  d.inputs = to(d.inputs, DType::Float64);
  d.targets = to(d.targets, DType::Float64);
  return d;
}

CurvatureExperiment run_curvature_experiment(const CurvatureExperimentOptions& o) {
  // The float32 data, for data::Standardize (which works on float32 inputs).
  const data::Dataset single = single_precision_data(o);
  const data::Dataset d = curvature_data(o);
  const int64_t features = d.inputs.size(1);
  Generator gen(o.seed + 1);
  CurvatureExperiment out{.options = o, .cases = {}};

  {  // raw: the model sees x itself.
    CurvatureCase c{.name = "raw"};
    c.cond_design = design_condition(d.inputs);
    auto model = zero_linear(features, gen);
    measure(*model, d.inputs, d.targets, o, c);
    out.cases.push_back(c);
  }
  {  // standardized: (x − mean)/std, fitted on the data as the "standardize" transform does.
    CurvatureCase c{.name = "standardized"};
    data::Standardize standardize;
    standardize.fit(single.inputs);
    const Tensor u = to(standardize.apply(single.inputs), DType::Float64);
    c.cond_design = design_condition(u);
    auto model = zero_linear(features, gen);
    measure(*model, u, d.targets, o, c);
    out.cases.push_back(c);
  }
  {  // batchnorm: the model normalizes its own input with the batch's statistics.
    CurvatureCase c{.name = "batchnorm"};
    nn::Sequential model;
    auto bn = std::make_shared<nn::BatchNorm1d>(
        features, nn::BatchNormOptions{.affine = false, .dtype = DType::Float64});
    model.push_back(bn);
    model.push_back(zero_linear(features, gen));
    model.train();
    {
      NoGradGuard no_grad;
      c.cond_design = design_condition((*bn)(d.inputs));
    }
    measure(model, d.inputs, d.targets, o, c);
    out.cases.push_back(c);
  }
  return out;
}

nlohmann::ordered_json curvature_experiment_json(const CurvatureExperiment& e) {
  const CurvatureExperimentOptions& o = e.options;
  nlohmann::ordered_json j = {{"experiment", "curvature"}, {"samples", o.samples},
                              {"scales", o.scales},        {"offsets", o.offsets},
                              {"lr_rule", o.lr_rule},      {"target", o.target},
                              {"max_steps", o.max_steps},  {"seed", o.seed}};
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const CurvatureCase& c : e.cases) {
    cases.push_back({{"name", c.name},
                     {"cond_design", c.cond_design},
                     {"lambda_min", c.lambda_min},
                     {"lambda_max", c.lambda_max},
                     {"cond_hessian", c.cond_hessian},
                     {"lr", c.lr},
                     {"initial_loss", c.initial_loss},
                     {"final_loss", c.final_loss},
                     {"steps", c.steps}});
  }
  j["cases"] = cases;
  return j;
}

std::string format_curvature_experiment(const CurvatureExperiment& e) {
  const CurvatureExperimentOptions& o = e.options;
  std::string out = fmt::format(
      "High curvature: least squares on x_j = c_j + s_j z_j, scales [{}], offsets [{}], "
      "n = {}\n",
      fmt::join(o.scales, ", "), fmt::join(o.offsets, ", "), o.samples);
  out += fmt::format(
      "Hessian H = (2/n) U~'U~ with U~ = [U 1]; gradient descent with the {} step {}, "
      "until L <= {:g} L0\n\n",
      o.lr_rule, o.lr_rule == "optimal" ? "2/(lmin+lmax)" : "1/lmax", o.target);
  out += fmt::format("{:<13} {:>11} {:>11} {:>11} {:>11} {:>11} {:>9}\n", "case", "cond(U~'U~)",
                     "lmin(H)", "lmax(H)", "cond(H)", "lr", "steps");
  for (const CurvatureCase& c : e.cases) {
    out += fmt::format("{:<13} {:>11.4g} {:>11.4g} {:>11.4g} {:>11.4g} {:>11.4g} {:>9}\n", c.name,
                       c.cond_design, c.lambda_min, c.lambda_max, c.cond_hessian, c.lr,
                       c.steps < 0 ? fmt::format(">{}", o.max_steps) : std::to_string(c.steps));
  }
  return out;
}

}  // namespace descent::app
