#pragma once
// The curvature of a checkpoint's loss: what `descent hessian` prints (and the web lab can ask
// for). The loss is the run's loss (without penalties) of the model in eval mode (dropout off,
// batch norm on its running statistics, so L is a deterministic function of θ) on the first
// N examples of the training split, as one full batch. Everything is matrix-free on exact
// Hessian-vector products (analysis/hessian.h); docs/curvature.md gives the equations.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "descent/analysis/spectral_density.h"
#include "descent/analysis/trace.h"

namespace descent::app {

struct HessianReportOptions {
  std::string data_path;      // replaces the config's data path when not empty
  int64_t samples = 1000;     // N ≥ 1 (all of the training split when it has fewer)
  int64_t top = 3;            // largest eigenvalues
  int64_t bottom = 1;         // smallest eigenvalues
  int64_t lanczos_steps = 0;  // 0: min(n, max(40, 3·(top + bottom)))
  bool trace = false;         // Hutchinson trace with its standard error
  int64_t trace_probes = 30;  // Rademacher probes (trace and per-block traces)
  bool density = false;       // spectral density by stochastic Lanczos quadrature
  analysis::SpectralDensityOptions density_options = {};
  bool blocks = false;  // per-block (per-layer) top eigenvalue and trace
  uint64_t seed = 0;
};

struct BlockCurvature {
  std::string name;  // module name, e.g. "0" for the first layer of the model
  int64_t parameters = 0;
  double top_eigenvalue = 0.0;
  analysis::TraceEstimate trace;
};

struct HessianReport {
  std::string checkpoint;
  int64_t samples = 0;     // examples the loss was evaluated on
  int64_t parameters = 0;  // n
  double loss = 0.0;
  double gradient_norm = 0.0;
  int64_t lanczos_steps = 0;
  std::vector<double> top;            // descending
  std::vector<double> top_residuals;  // ‖H y − θ y‖ of each
  std::vector<double> bottom;         // ascending
  std::vector<double> bottom_residuals;
  std::optional<analysis::TraceEstimate> trace;
  std::optional<analysis::SpectralDensity> density;
  std::vector<BlockCurvature> blocks;
  int64_t matvecs = 0;  // Hessian-vector products in all
  double seconds = 0.0;
};

// ValueError for bad options (naming the option), CheckpointError for a bad checkpoint.
HessianReport hessian_report(const std::filesystem::path& checkpoint,
                             const HessianReportOptions& options);

// A JSON object with every field above (density: nodes, weights, grid, density, sigma).
nlohmann::ordered_json hessian_report_json(const HessianReport& report);

// The text `descent hessian` prints.
std::string format_hessian_report(const HessianReport& report);

}  // namespace descent::app
