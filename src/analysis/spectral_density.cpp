// Stochastic Lanczos quadrature: Gauss nodes and weights per random start, Gaussian-broadened.
#include "descent/analysis/spectral_density.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "descent/analysis/lanczos.h"
#include "descent/core/error.h"

namespace descent::analysis {

double SpectralDensity::mean() const {
  double s = 0.0;
  for (size_t i = 0; i < nodes.size(); ++i) s += weights[i] * nodes[i];
  return s;
}

double SpectralDensity::integral() const {
  double s = 0.0;
  for (size_t i = 1; i < grid.size(); ++i) {
    s += 0.5 * (density[i] + density[i - 1]) * (grid[i] - grid[i - 1]);
  }
  return s;
}

SpectralDensity spectral_density(const LinearOperator& op, const SpectralDensityOptions& options) {
  if (options.runs < 1) {
    throw ValueError(fmt::format("spectral density: runs must be ≥ 1, got {}", options.runs));
  }
  if (options.steps < 1) {
    throw ValueError(fmt::format("spectral density: steps must be ≥ 1, got {}", options.steps));
  }
  if (options.grid_points < 2) {
    throw ValueError(
        fmt::format("spectral density: grid_points must be ≥ 2, got {}", options.grid_points));
  }
  if (!(options.sigma >= 0.0) || !std::isfinite(options.sigma)) {
    throw ValueError(fmt::format("spectral density: sigma must be ≥ 0, got {}", options.sigma));
  }
  Generator gen(options.seed);
  SpectralDensity d;
  const int64_t steps = std::min(options.steps, op.n);
  for (int64_t r = 0; r < options.runs; ++r) {
    // The quadrature belongs to the start vector's own Krylov space: no restart on breakdown
    // (the nodes found are then exact eigenvalues carrying all of v's weight).
    const LanczosDecomposition l = lanczos(op, steps,
                                           {.steps = steps,
                                            .seed = gen.next_u64(),
                                            .start = rademacher(op.n, gen),
                                            .restart_on_breakdown = false});
    d.matvecs += l.matvecs;
    const TridiagonalEigen t = tridiagonal_eigen(l.alpha, l.beta);
    for (size_t k = 0; k < t.values.size(); ++k) {
      const double first = t.vectors[k][0];
      d.nodes.push_back(t.values[k]);
      d.weights.push_back(first * first / static_cast<double>(options.runs));
    }
  }
  const auto [lo_it, hi_it] = std::minmax_element(d.nodes.begin(), d.nodes.end());
  const double lo = *lo_it, hi = *hi_it;
  const double span = hi - lo;
  d.sigma = options.sigma > 0.0 ? options.sigma
            : span > 0.0        ? 0.01 * span
                                : 1e-3 * std::max(1.0, std::abs(hi));
  const double a = lo - 5.0 * d.sigma, b = hi + 5.0 * d.sigma;
  const double norm = 1.0 / (d.sigma * std::sqrt(2.0 * std::numbers::pi));
  for (int64_t i = 0; i < options.grid_points; ++i) {
    const double t =
        a + (b - a) * static_cast<double>(i) / static_cast<double>(options.grid_points - 1);
    double phi = 0.0;
    for (size_t k = 0; k < d.nodes.size(); ++k) {
      const double z = (t - d.nodes[k]) / d.sigma;
      phi += d.weights[k] * norm * std::exp(-0.5 * z * z);
    }
    d.grid.push_back(t);
    d.density.push_back(phi);
  }
  return d;
}

}  // namespace descent::analysis
