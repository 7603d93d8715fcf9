#pragma once
// Stochastic trace estimators for a symmetric operator known through products.
//
// Hutchinson (1989). For z with independent Rademacher entries (±1), E[zᵀAz] = tr(A), and
//   t̂ = (1/m) Σ_{i=1..m} z_iᵀ A z_i,     Var[zᵀAz] = 2 Σ_{i≠j} a_ij²  (= 2(‖A‖_F² − Σ a_ii²)).
// The standard error is estimated from the samples, s / √m (s their sample standard
// deviation), so t̂ ± 2·SE is a ≈95% interval. Cost: m matvecs; error O(1/√m).
//
// Hutch++ (Meyer, Musco, Musco, Woodruff 2021). With m matvecs, m/3 each for three stages:
//   S, G: n×(m/3) Rademacher;  Q = orth(A S);
//   t̂ = tr(QᵀAQ) + (3/m) tr(Gᵀ (I − QQᵀ) A (I − QQᵀ) G)
// The top of the spectrum is captured exactly by the sketch Q and only the remainder is left to
// Hutchinson, so for matrices whose trace is dominated by a few large eigenvalues (Hessians of
// networks) the error falls as O(1/m) instead of O(1/√m). The reported standard error is that
// of the Hutchinson part on the deflated remainder.
#include <cstdint>

#include "descent/analysis/linear_operator.h"

namespace descent::analysis {

struct TraceEstimate {
  double estimate = 0.0;
  double std_error = 0.0;  // estimated standard error (0 when it cannot be estimated)
  int64_t matvecs = 0;
};

// m Rademacher probes (m ≥ 2, so the standard error can be estimated).
TraceEstimate hutchinson(const LinearOperator& op, int64_t probes, uint64_t seed = 0);

// `matvecs` products in all (≥ 3, rounded down to a multiple of 3).
TraceEstimate hutch_plus_plus(const LinearOperator& op, int64_t matvecs, uint64_t seed = 0);

}  // namespace descent::analysis
