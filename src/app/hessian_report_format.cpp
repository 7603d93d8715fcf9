// The curvature report as JSON and as text.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/app/hessian_report.h"

namespace descent::app {
namespace {

nlohmann::ordered_json trace_json(const analysis::TraceEstimate& t) {
  return {{"estimate", t.estimate}, {"std_error", t.std_error}, {"probes", t.matvecs}};
}

// Mass of the density's nodes below zero and the support.
struct DensitySummary {
  double lo = 0.0, hi = 0.0, negative_mass = 0.0;
};
DensitySummary summarize(const analysis::SpectralDensity& d) {
  DensitySummary s;
  s.lo = *std::min_element(d.nodes.begin(), d.nodes.end());
  s.hi = *std::max_element(d.nodes.begin(), d.nodes.end());
  for (size_t i = 0; i < d.nodes.size(); ++i) {
    if (d.nodes[i] < 0.0) s.negative_mass += d.weights[i];
  }
  return s;
}

std::string join(const std::vector<double>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += fmt::format("{}{:.6g}", i ? "  " : "", v[i]);
  return out;
}

}  // namespace

nlohmann::ordered_json hessian_report_json(const HessianReport& r) {
  nlohmann::ordered_json j = {{"checkpoint", r.checkpoint},
                              {"samples", r.samples},
                              {"parameters", r.parameters},
                              {"loss", r.loss},
                              {"gradient_norm", r.gradient_norm},
                              {"lanczos_steps", r.lanczos_steps},
                              {"top", r.top},
                              {"top_residuals", r.top_residuals},
                              {"bottom", r.bottom},
                              {"bottom_residuals", r.bottom_residuals}};
  if (r.trace) j["trace"] = trace_json(*r.trace);
  if (r.density) {
    const DensitySummary s = summarize(*r.density);
    j["density"] = {{"sigma", r.density->sigma}, {"mean", r.density->mean()},
                    {"support", {s.lo, s.hi}},   {"negative_mass", s.negative_mass},
                    {"nodes", r.density->nodes}, {"weights", r.density->weights},
                    {"grid", r.density->grid},   {"density", r.density->density}};
  }
  if (!r.blocks.empty()) {
    nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
    for (const BlockCurvature& b : r.blocks) {
      blocks.push_back({{"name", b.name},
                        {"parameters", b.parameters},
                        {"top_eigenvalue", b.top_eigenvalue},
                        {"trace", trace_json(b.trace)}});
    }
    j["blocks"] = blocks;
  }
  j["matvecs"] = r.matvecs;
  j["seconds"] = r.seconds;
  return j;
}

std::string format_hessian_report(const HessianReport& r) {
  std::string out = fmt::format("{}: {} parameters, loss {:.6g} on {} training examples\n",
                                r.checkpoint, r.parameters, r.loss, r.samples);
  out += fmt::format("gradient norm: {:.6g}\n", r.gradient_norm);
  if (!r.top.empty()) {
    out += fmt::format("top eigenvalues ({} Lanczos steps): {}\n", r.lanczos_steps, join(r.top));
  }
  if (!r.bottom.empty()) out += fmt::format("bottom eigenvalues: {}\n", join(r.bottom));
  if (!r.top.empty() && r.top[0] > 0.0) {
    out += fmt::format("sharpness λmax: {:.6g} (gradient descent is stable for lr < {:.4g})\n",
                       r.top[0], 2.0 / r.top[0]);
  }
  if (r.trace) {
    out += fmt::format("trace: {:.6g} ± {:.2g} (Hutchinson, {} probes)\n", r.trace->estimate,
                       r.trace->std_error, r.trace->matvecs);
  }
  if (r.density) {
    const DensitySummary s = summarize(*r.density);
    out += fmt::format(
        "density: support [{:.4g}, {:.4g}], mass below 0: {:.1f}%, mean eigenvalue {:.4g} "
        "(σ = {:.2g}, {} matvecs)\n",
        s.lo, s.hi, 100.0 * s.negative_mass, r.density->mean(), r.density->sigma,
        r.density->matvecs);
  }
  if (!r.blocks.empty()) {
    out += fmt::format("{:<12} {:>10} {:>14} {:>14} {:>10}\n", "block", "params", "top eig",
                       "trace", "± se");
    for (const BlockCurvature& b : r.blocks) {
      out += fmt::format("{:<12} {:>10} {:>14.6g} {:>14.6g} {:>10.2g}\n", b.name, b.parameters,
                         b.top_eigenvalue, b.trace.estimate, b.trace.std_error);
    }
  }
  out += fmt::format("{} Hessian-vector products, {:.2f} s\n", r.matvecs, r.seconds);
  return out;
}

}  // namespace descent::app
