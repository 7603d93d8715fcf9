// Loss landscapes from checkpoints (see landscape_job.h).
#include "descent/app/landscape_job.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/analysis/hessian_directions.h"
#include "descent/app/checkpoint.h"
#include "descent/app/checkpoint_model.h"
#include "descent/app/experiment_data.h"
#include "descent/app/landscape_report.h"
#include "descent/app/metrics_log.h"
#include "descent/app/model_builder.h"
#include "descent/app/run.h"
#include "descent/app/run_dir.h"
#include "descent/app/run_report.h"
#include "descent/app/text_file.h"
#include "descent/app/trainer.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

void validate(const LandscapeOptions& o) {
  if (o.checkpoint.empty()) throw ValueError("landscape: a checkpoint is required");
  if (o.split != "train" && o.split != "test") {
    throw ValueError(fmt::format("landscape: --split must be train or test, got \"{}\"", o.split));
  }
  if (o.samples < 0) throw ValueError(fmt::format("landscape: --samples {} < 0", o.samples));
  if (o.grid != 0 && (o.grid < 2 || o.grid > 401)) {
    throw ValueError(fmt::format("landscape: --grid {} must be in [2, 401]", o.grid));
  }
  if (!std::isfinite(o.range) || o.range <= 0.0) {
    throw ValueError(fmt::format("landscape: --range {} must be a positive number", o.range));
  }
  if (o.directions != "random" && o.directions != "hessian") {
    throw ValueError(
        fmt::format("landscape: --directions must be random or hessian, got \"{}\"", o.directions));
  }
  if (!o.to.empty() && o.directions != "random") {
    throw ValueError("landscape: --directions is for a 2-D slice; it cannot go with --to");
  }
}

// The top two Hessian eigenvectors of the loss the slice plots: the config's loss (without
// penalties, like Trainer::evaluate) of the model in eval mode on `subset` as one batch.
analysis::HessianDirections hessian_directions(CheckpointModel& loaded, const data::Dataset& subset,
                                               uint64_t seed) {
  nn::Sequential& model = loaded.model();
  model.eval();
  const LossConfig& loss = loaded.config().loss;
  const analysis::HessianOperator h(
      model.parameters(), [&] { return compute_loss(loss, model(subset.inputs), subset.targets); });
  return analysis::top_hessian_directions(h, {.seed = seed});
}

// The first n examples of d (all when n is 0 or at least its size).
data::Dataset first_examples(const data::Dataset& d, int64_t n) {
  if (n == 0 || n >= d.size()) return d;
  data::Dataset out = d;
  out.inputs = contiguous(slice(d.inputs, 0, 0, n));
  out.targets = contiguous(slice(d.targets, 0, 0, n));
  return out;
}

// The model's tensors that a landscape moves: its parameters, and with `buffers` also its
// floating-point buffers (BatchNorm running statistics).
std::vector<std::pair<std::string, Tensor>> moved_tensors(const nn::Module& model, bool buffers) {
  std::vector<std::pair<std::string, Tensor>> out = model.named_parameters();
  if (buffers) {
    for (auto& [name, t] : model.named_buffers()) {
      if (t.dtype() != DType::Int64) out.emplace_back(name, t);
    }
  }
  return out;
}

std::vector<Tensor> values_of(const std::vector<std::pair<std::string, Tensor>>& tensors) {
  std::vector<Tensor> out;
  for (const auto& [name, t] : tensors) out.push_back(clone(t.detach()));
  return out;
}

// The same tensors from another checkpoint of the same architecture.
std::vector<Tensor> values_from(const Checkpoint& other, const fs::path& path,
                                const std::vector<std::pair<std::string, Tensor>>& like) {
  std::vector<Tensor> out;
  for (const auto& [name, t] : like) {
    const Tensor* v = other.find("model." + name);
    if (v == nullptr) {
      throw CheckpointError(
          fmt::format("{}: has no tensor model.{} (another architecture?)", path.string(), name));
    }
    if (v->shape() != t.shape() || v->dtype() != t.dtype()) {
      throw CheckpointError(fmt::format("{}: model.{} is {} {}, expected {} {}", path.string(),
                                        name, dtype_name(v->dtype()), v->shape().str(),
                                        dtype_name(t.dtype()), t.shape().str()));
    }
    out.push_back(*v);
  }
  return out;
}

ordered_json number_or_null(double v) {
  return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr);
}

ordered_json numbers(const std::vector<double>& v) {
  ordered_json out = ordered_json::array();
  for (double x : v) out.push_back(number_or_null(x));
  return out;
}

std::string csv_number(double v) {
  return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string();
}

}  // namespace

fs::path default_landscape_dir(const fs::path& checkpoint) {
  const fs::path dir = fs::absolute(checkpoint).lexically_normal().parent_path();
  if (dir.filename() == kCheckpointsDirName) return dir.parent_path() / kAnalysisDirName;
  return dir / kAnalysisDirName;
}

fs::path run_dir_of_analysis(const fs::path& out_dir) {
  std::error_code ec;
  for (fs::path p = fs::absolute(out_dir).lexically_normal(); p.has_relative_path();
       p = p.parent_path()) {
    if (p.filename() != kAnalysisDirName) continue;
    const fs::path run = p.parent_path();
    if (fs::is_regular_file(run / kConfigFileName, ec) &&
        fs::is_regular_file(run / kMetricsJsonlName, ec)) {
      return run;
    }
  }
  return {};
}

LandscapeResult run_landscape(const LandscapeOptions& o) {
  validate(o);
  CheckpointModel loaded(o.checkpoint, o.data_path);
  Trainer& trainer = loaded.trainer();
  const data::Split& data = loaded.data();
  const data::Dataset subset =
      first_examples(o.split == "train" ? data.train : data.test, o.samples);

  const bool interpolation = !o.to.empty();
  const auto tensors = moved_tensors(trainer.model(), interpolation);
  const analysis::ParamEvaluator evaluate = [&](const std::vector<Tensor>& values) {
    {
      NoGradGuard no_grad;
      for (size_t i = 0; i < tensors.size(); ++i) {
        Tensor target = tensors[i].second;
        target.copy_(values[i]);
      }
    }
    const std::map<std::string, double> m = trainer.evaluate(subset);
    const auto acc = m.find("accuracy");
    return analysis::LossAccuracy{.loss = m.at("loss"),
                                  .accuracy = acc == m.end() ? std::nan("") : acc->second};
  };

  LandscapeResult r{.kind = interpolation ? "interpolation" : "slice",
                    .checkpoint = o.checkpoint.string(),
                    .to = o.to.string(),
                    .split = o.split,
                    .examples = subset.size(),
                    .seed = o.seed,
                    .directions = interpolation ? "" : o.directions,
                    .eigenvalues = {},
                    .out_dir = o.out_dir.empty() ? default_landscape_dir(o.checkpoint) : o.out_dir,
                    .report = {}};
  const std::vector<Tensor> theta0 = values_of(tensors);
  if (interpolation) {
    const Checkpoint other = read_checkpoint(o.to);
    const std::vector<Tensor> theta_b = values_from(other, o.to, tensors);
    // α over [−R/2, 1 + R/2], with the end points 0 and 1 always on the grid.
    std::vector<double> alphas =
        analysis::grid_axis(-o.range / 2, 1 + o.range / 2, o.grid == 0 ? 25 : o.grid);
    alphas.push_back(0.0);
    alphas.push_back(1.0);
    std::sort(alphas.begin(), alphas.end());
    alphas.erase(std::unique(alphas.begin(), alphas.end()), alphas.end());
    // Buffers (running statistics) never extrapolate: a variance could turn negative.
    const size_t parameters = trainer.model().named_parameters().size();
    analysis::InterpolateOptions mix;
    for (size_t i = 0; i < tensors.size(); ++i) mix.clamp_alpha.push_back(i >= parameters);
    r.line = analysis::interpolate(theta0, theta_b, alphas, evaluate, mix);
  } else {
    analysis::Directions dirs;
    if (o.directions == "hessian") {
      analysis::HessianDirections hd = hessian_directions(loaded, subset, o.seed);
      dirs = std::move(hd.directions);
      r.eigenvalues = hd.eigenvalues;
    } else {
      dirs = analysis::random_filter_normalized_directions(theta0, o.seed);
    }
    const std::vector<double> axis =
        analysis::grid_axis(-o.range, o.range, o.grid == 0 ? 21 : o.grid);
    r.slice = analysis::slice_2d(theta0, dirs, axis, axis, evaluate);
  }

  fs::create_directories(r.out_dir);
  write_text_file_atomic(r.out_dir / "landscape.csv", landscape_csv(r));
  write_text_file_atomic(r.out_dir / "landscape.json", landscape_json(r).dump(2) + "\n");
  write_text_file_atomic(r.out_dir / "landscape.html", landscape_html(r));
  if (const fs::path run = run_dir_of_analysis(r.out_dir); !run.empty()) {
    rerender_run_report(run);
    r.report = run / kReportFileName;
  }
  return r;
}

std::string landscape_csv(const LandscapeResult& r) {
  std::string out;
  if (r.kind == "interpolation") {
    out = "alpha,loss,accuracy\n";
    for (size_t i = 0; i < r.line.alpha.size(); ++i) {
      out += fmt::format("{},{},{}\n", csv_number(r.line.alpha[i]), csv_number(r.line.loss[i]),
                         csv_number(r.line.accuracy[i]));
    }
    return out;
  }
  out = "a,b,loss,accuracy\n";
  const size_t na = r.slice.a.size();
  for (size_t j = 0; j < r.slice.b.size(); ++j) {
    for (size_t i = 0; i < na; ++i) {
      out += fmt::format("{},{},{},{}\n", csv_number(r.slice.a[i]), csv_number(r.slice.b[j]),
                         csv_number(r.slice.loss[j * na + i]),
                         csv_number(r.slice.accuracy[j * na + i]));
    }
  }
  return out;
}

ordered_json landscape_json(const LandscapeResult& r) {
  ordered_json j = {{"kind", r.kind}, {"checkpoint", r.checkpoint}};
  if (r.kind == "interpolation") j["to"] = r.to;
  j["split"] = r.split;
  j["examples"] = r.examples;
  if (r.kind == "interpolation") {
    j["alpha"] = numbers(r.line.alpha);
    j["loss"] = numbers(r.line.loss);
    j["accuracy"] = numbers(r.line.accuracy);
  } else {
    j["seed"] = r.seed;
    if (r.directions == "hessian") {
      j["directions"] = "hessian: top two unit eigenvectors of the loss Hessian";
      j["eigenvalues"] = numbers(r.eigenvalues);
    } else {
      j["directions"] = "random, filter-normalized; biases and BatchNorm parameters zero";
    }
    j["a"] = numbers(r.slice.a);
    j["b"] = numbers(r.slice.b);
    j["loss"] = numbers(r.slice.loss);
    j["accuracy"] = numbers(r.slice.accuracy);
  }
  return j;
}

}  // namespace descent::app
