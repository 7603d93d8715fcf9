// Power iteration with deflation; λmax of a Hessian for sharpness tracking.
#include "descent/analysis/power_iteration.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/core/error.h"

namespace descent::analysis {

PowerIterationResult power_iteration(const LinearOperator& op,
                                     const PowerIterationOptions& options) {
  if (options.k < 1 || options.k > op.n) {
    throw ValueError(fmt::format("power_iteration: k must be in [1, {}], got {}", op.n, options.k));
  }
  if (options.max_iterations < 1) {
    throw ValueError(
        fmt::format("power_iteration: max_iterations must be ≥ 1, got {}", options.max_iterations));
  }
  if (!(options.tol >= 0.0)) {
    throw ValueError(fmt::format("power_iteration: tol must be ≥ 0, got {}", options.tol));
  }
  Generator gen(options.seed);
  PowerIterationResult r;
  auto project_out = [&](Vector& v) {
    for (const Vector& u : r.vectors) axpy(-dot(u, v), u, v);
  };
  // A_k v = A v − Σ λ_j u_j (u_jᵀ v)
  auto deflated = [&](const Vector& v) {
    Vector w = op(v);
    ++r.matvecs;
    for (size_t j = 0; j < r.vectors.size(); ++j) {
      axpy(-r.values[j] * dot(r.vectors[j], v), r.vectors[j], w);
    }
    return w;
  };
  for (int64_t k = 0; k < options.k; ++k) {
    Vector v = gaussian(op.n, gen);
    project_out(v);
    normalize(v);
    double lambda = 0.0;
    bool converged = false;
    int64_t it = 0;
    while (it < options.max_iterations) {
      Vector w = deflated(v);
      ++it;
      const double next = dot(v, w);  // Rayleigh quotient of the unit v
      if (!std::isfinite(next)) {
        throw ValueError(fmt::format("power_iteration: non-finite product at iteration {}", it));
      }
      project_out(w);
      const double size = normalize(w);
      const bool settled = it > 1 && std::abs(next - lambda) <= options.tol * std::abs(next);
      lambda = next;
      if (size == 0.0) {  // v is in the null space of the deflated operator
        converged = true;
        break;
      }
      v = std::move(w);
      if (settled) {
        converged = true;
        break;
      }
    }
    r.values.push_back(lambda);
    r.vectors.push_back(std::move(v));
    r.iterations.push_back(it);
    r.converged.push_back(converged);
  }
  return r;
}

Sharpness estimate_sharpness(const LinearOperator& op, const PowerIterationOptions& options) {
  PowerIterationOptions o = options;
  o.k = 1;
  const PowerIterationResult dominant = power_iteration(op, o);
  Sharpness s{.lambda_max = dominant.values[0],
              .loss = 0.0,
              .matvecs = dominant.matvecs,
              .converged = dominant.converged[0]};
  if (s.lambda_max < 0.0) {
    // Every eigenvalue is ≥ λ_d, so A − λ_d I is positive semidefinite with top λmax − λ_d.
    const double shift = s.lambda_max;
    const LinearOperator shifted{.n = op.n, .apply = [&](const Vector& v) {
                                   Vector w = op(v);
                                   axpy(-shift, v, w);
                                   return w;
                                 }};
    const PowerIterationResult top = power_iteration(shifted, o);
    s.lambda_max = top.values[0] + shift;
    s.matvecs += top.matvecs;
    s.converged = top.converged[0];
  }
  return s;
}

Sharpness estimate_sharpness(const std::vector<Tensor>& params, const LossClosure& loss,
                             const PowerIterationOptions& options) {
  const HessianOperator h(params, loss);
  Sharpness s = estimate_sharpness(h.as_operator(), options);
  s.loss = h.loss();
  return s;
}

}  // namespace descent::analysis
