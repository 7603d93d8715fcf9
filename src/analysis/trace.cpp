// Hutchinson and Hutch++ trace estimators.
#include "descent/analysis/trace.h"

#include <fmt/core.h>

#include <cmath>
#include <vector>

#include "descent/core/error.h"

namespace descent::analysis {
namespace {

// Mean and standard error s/√m of samples (m ≥ 2).
TraceEstimate mean_and_error(const std::vector<double>& samples) {
  const auto m = static_cast<double>(samples.size());
  double mean = 0.0;
  for (double s : samples) mean += s;
  mean /= m;
  double ss = 0.0;
  for (double s : samples) ss += (s - mean) * (s - mean);
  const double sd = samples.size() > 1 ? std::sqrt(ss / (m - 1.0)) : 0.0;
  return {.estimate = mean, .std_error = sd / std::sqrt(m), .matvecs = 0};
}

}  // namespace

TraceEstimate hutchinson(const LinearOperator& op, int64_t probes, uint64_t seed) {
  if (probes < 2) {
    throw ValueError(fmt::format("hutchinson: probes must be ≥ 2, got {}", probes));
  }
  Generator gen(seed);
  std::vector<double> samples;
  for (int64_t i = 0; i < probes; ++i) {
    const Vector z = rademacher(op.n, gen);
    samples.push_back(dot(z, op(z)));
  }
  TraceEstimate t = mean_and_error(samples);
  t.matvecs = probes;
  return t;
}

TraceEstimate hutch_plus_plus(const LinearOperator& op, int64_t matvecs, uint64_t seed) {
  if (matvecs < 3) {
    throw ValueError(fmt::format("hutch++: matvecs must be ≥ 3, got {}", matvecs));
  }
  const int64_t k = matvecs / 3;
  Generator gen(seed);
  // Q = orth(A S) by modified Gram–Schmidt (twice), dropping columns that are (numerically)
  // dependent: then the sketch has rank < k and fewer matvecs are needed in the next stage.
  std::vector<Vector> q;
  for (int64_t i = 0; i < k; ++i) {
    Vector y = op(rademacher(op.n, gen));
    const double before = norm(y);
    for (int pass = 0; pass < 2; ++pass) {
      for (const Vector& u : q) axpy(-dot(u, y), u, y);
    }
    if (normalize(y) > 1e-10 * before && before > 0.0) q.push_back(std::move(y));
  }
  double sketched = 0.0;  // tr(QᵀAQ)
  for (const Vector& u : q) sketched += dot(u, op(u));
  // Hutchinson on the remainder: z ← (I − QQᵀ) g,  sample zᵀ A z.
  std::vector<double> samples;
  for (int64_t i = 0; i < k; ++i) {
    Vector z = rademacher(op.n, gen);
    for (const Vector& u : q) axpy(-dot(u, z), u, z);
    samples.push_back(dot(z, op(z)));
  }
  TraceEstimate rest = mean_and_error(samples);
  return {.estimate = sketched + rest.estimate,
          .std_error = rest.std_error,
          .matvecs = k + static_cast<int64_t>(q.size()) + k};
}

}  // namespace descent::analysis
