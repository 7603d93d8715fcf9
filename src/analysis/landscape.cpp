// Loss landscapes: interpolation, 2-D slices, filter-normalized directions (see landscape.h).
#include "descent/analysis/landscape.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

void check_matching(const std::vector<Tensor>& a, const std::vector<Tensor>& b, const char* what) {
  if (a.size() != b.size()) {
    throw ShapeError(fmt::format("{}: {} tensors vs {}", what, b.size(), a.size()));
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape()) {
      throw ShapeError(fmt::format("{}: tensor {} has shape {}, expected {}", what, i,
                                   b[i].shape().str(), a[i].shape().str()));
    }
  }
}

std::vector<double> values_of(const Tensor& t) {
  return contiguous(to(t.detach(), DType::Float64)).to_vector<double>();
}

// θ + Σ_k c_k d_k, skipping zero coefficients so that all-zero ones return θ bitwise.
std::vector<Tensor> combine(
    const std::vector<Tensor>& theta,
    const std::vector<std::pair<double, const std::vector<Tensor>*>>& terms) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < theta.size(); ++i) {
    Tensor p = theta[i].detach();
    for (const auto& [c, d] : terms) {
      if (c != 0.0) p = p + (*d)[i].detach() * c;
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace

std::vector<Tensor> filter_normalized_direction(const std::vector<Tensor>& theta0, Generator& gen,
                                                const FilterNormOptions& options) {
  std::vector<Tensor> out;
  for (const Tensor& t : theta0) {
    const int64_t n = t.numel();
    std::vector<double> d(static_cast<size_t>(n));
    for (double& v : d)
      v = gen.normal();  // drawn for every tensor, so d2 never depends on d1's
                         // zeroed tensors
    const bool matrix = t.dim() >= 2;
    if (!matrix && !options.include_vectors) {
      out.push_back(zeros(t.shape(), t.dtype()));
      continue;
    }
    // Rows: the slices along the first axis (one filter / one output neuron); a 1-axis
    // parameter is one row.
    const int64_t rows = matrix ? t.size(0) : 1;
    const int64_t width = rows > 0 ? n / rows : 0;
    const std::vector<double> theta = values_of(t);
    for (int64_t r = 0; r < rows; ++r) {
      double nd = 0.0, nt = 0.0;
      for (int64_t k = r * width; k < (r + 1) * width; ++k) {
        nd += d[static_cast<size_t>(k)] * d[static_cast<size_t>(k)];
        nt += theta[static_cast<size_t>(k)] * theta[static_cast<size_t>(k)];
      }
      // d_row ← d_row · ‖θ_row‖ / ‖d_row‖
      const double scale = nd > 0.0 ? std::sqrt(nt) / std::sqrt(nd) : 0.0;
      for (int64_t k = r * width; k < (r + 1) * width; ++k) d[static_cast<size_t>(k)] *= scale;
    }
    out.push_back(from_vector(d, t.shape(), t.dtype()));
  }
  return out;
}

Directions random_filter_normalized_directions(const std::vector<Tensor>& theta0, uint64_t seed,
                                               const FilterNormOptions& options) {
  Generator gen(seed);
  Directions dirs;
  dirs.d1 = filter_normalized_direction(theta0, gen, options);
  dirs.d2 = filter_normalized_direction(theta0, gen, options);
  return dirs;
}

std::vector<double> grid_axis(double lo, double hi, int n) {
  if (n < 1) throw ValueError(fmt::format("grid: {} points < 1", n));
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) {
    throw ValueError(fmt::format("grid: bad range [{}, {}]", lo, hi));
  }
  if (n == 1) return {0.5 * (lo + hi)};
  // x_i = mid + half·(2i − (n−1))/(n−1): the integer numerator makes the middle point exact.
  const double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(mid + half * (2.0 * i - (n - 1)) / (n - 1));
  return out;
}

Interpolation interpolate(const std::vector<Tensor>& theta_a, const std::vector<Tensor>& theta_b,
                          const std::vector<double>& alphas, const ParamEvaluator& evaluate,
                          const InterpolateOptions& options) {
  check_matching(theta_a, theta_b, "interpolate: second parameter set");
  if (!options.clamp_alpha.empty() && options.clamp_alpha.size() != theta_a.size()) {
    throw ValueError(fmt::format("interpolate: clamp_alpha has {} entries for {} tensors",
                                 options.clamp_alpha.size(), theta_a.size()));
  }
  for (size_t i = 0; i < theta_a.size(); ++i) {
    if (theta_a[i].dtype() != theta_b[i].dtype()) {
      throw DTypeError(fmt::format("interpolate: tensor {} has dtypes {} and {}", i,
                                   dtype_name(theta_a[i].dtype()), dtype_name(theta_b[i].dtype())));
    }
  }
  NoGradGuard no_grad;
  Interpolation out;
  for (double alpha : alphas) {
    if (!std::isfinite(alpha)) throw ValueError("interpolate: alpha must be finite");
    std::vector<Tensor> theta;
    if (alpha == 0.0) {
      theta = combine(theta_a, {});
    } else if (alpha == 1.0) {
      theta = combine(theta_b, {});
    } else {
      for (size_t i = 0; i < theta_a.size(); ++i) {
        const bool clamped = !options.clamp_alpha.empty() && options.clamp_alpha[i];
        const double w = clamped ? std::clamp(alpha, 0.0, 1.0) : alpha;
        if (w == 0.0 || w == 1.0) {
          theta.push_back((w == 0.0 ? theta_a : theta_b)[i].detach());
        } else {
          theta.push_back(theta_a[i].detach() * (1.0 - w) + theta_b[i].detach() * w);
        }
      }
    }
    const LossAccuracy r = evaluate(theta);
    out.alpha.push_back(alpha);
    out.loss.push_back(r.loss);
    out.accuracy.push_back(r.accuracy);
  }
  return out;
}

Slice2 slice_2d(const std::vector<Tensor>& theta0, const Directions& directions,
                const std::vector<double>& a, const std::vector<double>& b,
                const ParamEvaluator& evaluate) {
  check_matching(theta0, directions.d1, "slice_2d: direction d1");
  check_matching(theta0, directions.d2, "slice_2d: direction d2");
  NoGradGuard no_grad;
  // Directions in the parameters' dtypes, so the sum stays in that dtype.
  std::vector<Tensor> d1, d2;
  for (size_t i = 0; i < theta0.size(); ++i) {
    d1.push_back(to(directions.d1[i].detach(), theta0[i].dtype()));
    d2.push_back(to(directions.d2[i].detach(), theta0[i].dtype()));
  }
  Slice2 out{.a = a, .b = b};
  for (double bj : b) {
    for (double ai : a) {
      if (!std::isfinite(ai) || !std::isfinite(bj)) {
        throw ValueError("slice_2d: grid coordinates must be finite");
      }
      const LossAccuracy r = evaluate(combine(theta0, {{ai, &d1}, {bj, &d2}}));
      out.loss.push_back(r.loss);
      out.accuracy.push_back(r.accuracy);
    }
  }
  return out;
}

}  // namespace descent::analysis
