// The curvature report of a checkpoint: Lanczos extremes, trace, density and per-block figures.
#include "descent/app/hessian_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "descent/analysis/hessian.h"
#include "descent/analysis/lanczos.h"
#include "descent/app/checkpoint_model.h"
#include "descent/app/model_builder.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

void validate(const HessianReportOptions& o) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw ValueError("hessian: " + what);
  };
  require(o.samples >= 1, fmt::format("--samples must be ≥ 1, got {}", o.samples));
  require(o.top >= 0, fmt::format("--top must be ≥ 0, got {}", o.top));
  require(o.bottom >= 0, fmt::format("--bottom must be ≥ 0, got {}", o.bottom));
  require(o.lanczos_steps >= 0, fmt::format("--steps must be ≥ 0, got {}", o.lanczos_steps));
  require(o.trace_probes >= 2, fmt::format("--probes must be ≥ 2, got {}", o.trace_probes));
}

// L(θ) on the first `samples` training examples, as one batch.
struct FullBatchLoss {
  Tensor x, y;
  nn::Sequential* model;
  const LossConfig* loss;
  Tensor operator()() const { return compute_loss(*loss, (*model)(x), y); }
};

}  // namespace

HessianReport hessian_report(const std::filesystem::path& checkpoint,
                             const HessianReportOptions& options) {
  validate(options);
  const auto start = std::chrono::steady_clock::now();
  CheckpointModel loaded(checkpoint, options.data_path);
  nn::Sequential& model = loaded.model();
  model.eval();
  const data::Dataset& train = loaded.data().train;
  const int64_t n_samples = std::min(options.samples, train.size());
  if (n_samples < 1) throw ValueError("hessian: the training split is empty");
  const FullBatchLoss loss{.x = slice(train.inputs, 0, 0, n_samples),
                           .y = slice(train.targets, 0, 0, n_samples),
                           .model = &model,
                           .loss = &loaded.config().loss};

  HessianReport r;
  r.checkpoint = checkpoint.string();
  r.samples = n_samples;
  const analysis::HessianOperator h(model.parameters(), loss);
  const analysis::LinearOperator op = h.as_operator();
  r.parameters = h.dim();
  r.loss = h.loss();
  r.gradient_norm = analysis::norm(h.gradient());
  if (options.top + options.bottom > 0) {
    const analysis::ExtremeEigenpairs e = analysis::extreme_eigenpairs(
        op, options.top, options.bottom, {.steps = options.lanczos_steps, .seed = options.seed});
    r.lanczos_steps = e.steps;
    r.top = e.top.values;
    r.top_residuals = e.top.residuals;
    r.bottom = e.bottom.values;
    r.bottom_residuals = e.bottom.residuals;
  }
  if (options.trace) r.trace = analysis::hutchinson(op, options.trace_probes, options.seed + 1);
  if (options.density) {
    analysis::SpectralDensityOptions d = options.density_options;
    d.seed = options.seed + 2;
    r.density = analysis::spectral_density(op, d);
  }
  r.matvecs = h.matvecs();
  if (options.blocks) {
    for (const analysis::ParameterBlock& b : analysis::parameter_blocks(model)) {
      const analysis::HessianOperator hb(b.params, loss);
      const analysis::LinearOperator opb = hb.as_operator();
      const int64_t steps = std::min<int64_t>(hb.dim(), 20);
      BlockCurvature c;
      c.name = b.name;
      c.parameters = hb.dim();
      c.top_eigenvalue =
          analysis::extreme_eigenpairs(opb, 1, 0, {.steps = steps, .seed = options.seed})
              .top.values.at(0);
      c.trace = analysis::hutchinson(opb, options.trace_probes, options.seed + 1);
      r.matvecs += hb.matvecs();
      r.blocks.push_back(c);
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace descent::app
