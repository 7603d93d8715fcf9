#pragma once
// A SharpnessEstimator for tests: the exact λmax of a small model, from the full Hessian built
// row by row with second derivatives (∂/∂θ of each component of ∇L) and a full symmetric
// eigendecomposition. O(P) backward passes for P parameters: tiny models only.
#include <vector>

#include "descent/analysis/symmetric_eigen.h"
#include "descent/app/sharpness.h"
#include "descent/autograd/engine.h"
#include "descent/autograd/ops.h"

namespace descent::app::testing {

inline std::vector<double> flat_doubles(const std::vector<Tensor>& parts, int64_t total) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(total));
  for (const Tensor& t : parts) {
    const Tensor c = contiguous(to(t.detach(), DType::Float64));
    out.insert(out.end(), c.data<double>(), c.data<double>() + c.numel());
  }
  return out;
}

inline double exact_lambda_max(const SharpnessProblem& problem) {
  const Tensor loss = problem.loss();
  const std::vector<Tensor> g = grad({loss}, problem.params, {.create_graph = true});
  std::vector<Tensor> flat;
  for (const Tensor& gi : g) flat.push_back(flatten(gi));
  const Tensor all = concat(flat, 0);
  const int64_t n = all.numel();
  std::vector<double> h;
  for (int64_t j = 0; j < n; ++j) {
    const std::vector<Tensor> row =
        grad({select(all, 0, j)}, problem.params, {.retain_graph = true, .allow_unused = true});
    std::vector<Tensor> filled;
    for (size_t k = 0; k < row.size(); ++k) {
      filled.push_back(row[k].defined() ? row[k] : zeros_like(problem.params[k]));
    }
    const std::vector<double> r = flat_doubles(filled, n);
    h.insert(h.end(), r.begin(), r.end());
  }
  // Rounding leaves H asymmetric by ~1e-16 relative; symmetric_eigen symmetrizes it.
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      const double m = 0.5 * (h[i * n + j] + h[j * n + i]);
      h[i * n + j] = h[j * n + i] = m;
    }
  }
  return analysis::symmetric_eigen(h, n).values.back();
}

}  // namespace descent::app::testing
