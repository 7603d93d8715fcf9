// Lanczos with full reorthogonalization and the Ritz pairs at both ends of the spectrum.
#include "descent/analysis/lanczos.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/analysis/symmetric_eigen.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

// w ← w − Q (Qᵀ w), twice (classical Gram–Schmidt with reorthogonalization).
void orthogonalize(Vector& w, const std::vector<Vector>& basis) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const Vector& q : basis) axpy(-dot(q, w), q, w);
  }
}

// A random unit vector orthogonal to `basis`, or an empty vector when the basis spans ℝⁿ.
Vector fresh_direction(int64_t n, const std::vector<Vector>& basis, Generator& gen) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    Vector v = gaussian(n, gen);
    const double before = norm(v);
    orthogonalize(v, basis);
    if (normalize(v) > 1e-8 * before) return v;
  }
  return {};
}

}  // namespace

LanczosDecomposition lanczos(const LinearOperator& op, int64_t steps,
                             const LanczosOptions& options) {
  const int64_t n = op.n;
  if (n <= 0) throw ValueError("lanczos: the operator has no dimension");
  if (steps < 1 || steps > n) {
    throw ValueError(fmt::format("lanczos: steps must be in [1, {}], got {}", n, steps));
  }
  Generator gen(options.seed);
  Vector q = options.start.empty() ? gaussian(n, gen) : options.start;
  if (static_cast<int64_t>(q.size()) != n) {
    throw ValueError(
        fmt::format("lanczos: start vector has {} entries, operator dimension {}", q.size(), n));
  }
  if (!(normalize(q) > 0.0) || !std::isfinite(norm(q))) {
    throw ValueError("lanczos: the start vector must be nonzero and finite");
  }
  LanczosDecomposition d;
  double scale = 0.0;  // largest |α|, β seen: the yardstick for a vanishing β
  for (int64_t j = 0; j < steps; ++j) {
    Vector w = op(q);
    ++d.matvecs;
    const double a = dot(q, w);
    if (!std::isfinite(a)) {
      throw ValueError(fmt::format("lanczos: non-finite product at step {}", j + 1));
    }
    d.alpha.push_back(a);
    d.basis.push_back(std::move(q));
    // The three-term recurrence is implied by the full orthogonalization against the basis.
    orthogonalize(w, d.basis);
    const double b = normalize(w);
    scale = std::max({scale, std::abs(a), b});
    if (j + 1 == steps) {
      d.beta_last = b;
      break;
    }
    if (b > 1e-10 * scale) {
      d.beta.push_back(b);
      q = std::move(w);
      continue;
    }
    // Invariant subspace: T gets a zero off-diagonal entry and a new block.
    if (!options.restart_on_breakdown) {
      d.beta_last = 0.0;
      break;
    }
    q = fresh_direction(n, d.basis, gen);
    if (q.empty()) break;
    d.beta.push_back(0.0);
  }
  return d;
}

TridiagonalEigen tridiagonal_eigen(const std::vector<double>& alpha,
                                   const std::vector<double>& beta) {
  const auto m = static_cast<int64_t>(alpha.size());
  if (m == 0 || static_cast<int64_t>(beta.size()) != m - 1) {
    throw ValueError(fmt::format("tridiagonal_eigen: {} diagonal and {} off-diagonal entries",
                                 alpha.size(), beta.size()));
  }
  std::vector<double> t(static_cast<size_t>(m * m), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    t[static_cast<size_t>(i * m + i)] = alpha[static_cast<size_t>(i)];
    if (i + 1 < m) {
      t[static_cast<size_t>(i * m + i + 1)] = t[static_cast<size_t>((i + 1) * m + i)] =
          beta[static_cast<size_t>(i)];
    }
  }
  const SymmetricEigen e = symmetric_eigen(t, m);
  TridiagonalEigen out{.values = e.values, .vectors = {}};
  for (int64_t j = 0; j < m; ++j) {
    std::vector<double> s(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) s[static_cast<size_t>(i)] = e.vectors[i * m + j];
    out.vectors.push_back(std::move(s));
  }
  return out;
}

ExtremeEigenpairs extreme_eigenpairs(const LinearOperator& op, int64_t top, int64_t bottom,
                                     const LanczosOptions& options) {
  if (top < 0 || bottom < 0) {
    throw ValueError(fmt::format("eigenpairs: top ({}) and bottom ({}) must be ≥ 0", top, bottom));
  }
  const int64_t steps =
      std::min(op.n, options.steps > 0 ? options.steps : std::max<int64_t>(40, 3 * (top + bottom)));
  if (top + bottom > std::min(steps, op.n)) {
    throw ValueError(
        fmt::format("eigenpairs: top + bottom = {} exceeds the {} Lanczos steps (dimension {})",
                    top + bottom, steps, op.n));
  }
  const LanczosDecomposition d = lanczos(op, steps, options);
  const TridiagonalEigen t = tridiagonal_eigen(d.alpha, d.beta);
  const auto m = static_cast<int64_t>(d.alpha.size());
  auto ritz = [&](int64_t j, Eigenpairs& out) {
    const std::vector<double>& s = t.vectors[static_cast<size_t>(j)];
    Vector y(static_cast<size_t>(op.n), 0.0);
    for (int64_t i = 0; i < m; ++i) axpy(s[static_cast<size_t>(i)], d.basis[i], y);
    normalize(y);
    out.values.push_back(t.values[static_cast<size_t>(j)]);
    out.vectors.push_back(std::move(y));
    out.residuals.push_back(std::abs(d.beta_last * s[static_cast<size_t>(m - 1)]));
  };
  ExtremeEigenpairs r{.top = {}, .bottom = {}, .steps = m, .matvecs = d.matvecs};
  for (int64_t j = 0; j < std::min(top, m); ++j) ritz(m - 1 - j, r.top);
  for (int64_t j = 0; j < std::min(bottom, m); ++j) ritz(j, r.bottom);
  return r;
}

}  // namespace descent::analysis
