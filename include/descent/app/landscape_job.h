#pragma once
// Loss landscapes of a trained model, from checkpoints (the math is analysis/landscape.h).
// `descent landscape` and the web lab are thin shells over run_landscape().
//
//   with `to`:    1-D interpolation θ(α) = (1 − α) θA + α θB between two checkpoints of the same
//                 architecture; floating-point buffers (BatchNorm running statistics) are
//                 interpolated too, with α clamped to [0, 1] (an extrapolated variance could be
//                 negative), so α = 1 reproduces B's model exactly.
//   without:      2-D slice L(θ0 + a d1 + b d2) over [−R, R]², buffers staying at θ0's, with
//                 directions d1, d2 over the parameters that are either
//                   random:  random filter-normalized (seed S), the default;
//                   hessian: the top two unit eigenvectors of the Hessian of the same loss on
//                            the same examples (one full batch), by Lanczos with seed S
//                            (analysis/hessian_directions.h): the plane of sharpest curvature.
//
// The model is evaluated in eval mode (BatchNorm uses its running statistics, dropout is off),
// with the loss of the checkpoint's own config, on the first `samples` examples of a split.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/analysis/landscape.h"

namespace descent::app {

struct LandscapeOptions {
  std::filesystem::path checkpoint;   // θA or θ0
  std::filesystem::path to;           // θB; empty for a 2-D slice
  std::string data_path;              // other files of the same dataset kind ("" = config's)
  std::string split = "train";        // train | test
  int64_t samples = 1000;             // first N examples of the split; 0: all
  int grid = 0;                       // points per axis; 0: 25 for 1-D, 21 for 2-D
  double range = 1.0;                 // 2-D: [−R, R]²; 1-D: α ∈ [−R/2, 1 + R/2]
  uint64_t seed = 0;                  // directions of a 2-D slice
  std::string directions = "random";  // 2-D: random | hessian
  std::filesystem::path out_dir;      // empty: <run dir>/analysis (see default_landscape_dir)
};

struct LandscapeResult {
  std::string kind;  // "interpolation" | "slice"
  std::string checkpoint, to, split;
  int64_t examples = 0;
  analysis::Interpolation line = {};  // kind "interpolation"
  analysis::Slice2 slice = {};        // kind "slice"
  uint64_t seed = 0;
  std::string directions;           // kind "slice": "random" | "hessian"
  std::vector<double> eigenvalues;  // directions "hessian": λ1 ≥ λ2 along d1, d2
  std::filesystem::path out_dir;    // where the files went
  std::filesystem::path report;     // the run's report.html rendered again; empty if none
};

// Validates the options (ValueError naming the option), computes the landscape and writes
// landscape.csv, landscape.json and landscape.html into the output directory. When that
// directory is a run's analysis/ folder or a folder inside it, the run's report.html is rendered
// again from the run's files (rerender_run_report), so it shows this landscape and every other
// one in analysis/.
LandscapeResult run_landscape(const LandscapeOptions& options);

// The run directory whose analysis/ folder holds `out_dir` (at any depth): the nearest ancestor
// named analysis whose parent has config.json and metrics.jsonl. Empty when there is none.
std::filesystem::path run_dir_of_analysis(const std::filesystem::path& out_dir);

// <run dir>/analysis for a checkpoint inside <run dir>/checkpoints/, else <its dir>/analysis.
std::filesystem::path default_landscape_dir(const std::filesystem::path& checkpoint);

// The files' contents. CSV columns: alpha,loss,accuracy (1-D) or a,b,loss,accuracy (2-D);
// JSON: {kind, checkpoint, to?, split, examples, seed?, directions?, eigenvalues?, alpha|a,b,
// loss, accuracy} with
// loss/accuracy flat (2-D: index j·len(a) + i for (a[i], b[j])) and null for non-finite values.
std::string landscape_csv(const LandscapeResult& result);
nlohmann::ordered_json landscape_json(const LandscapeResult& result);
std::string landscape_html(const LandscapeResult& result);

}  // namespace descent::app
