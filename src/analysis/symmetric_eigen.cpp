// Cyclic Jacobi eigenvalue algorithm for symmetric matrices (formulas in symmetric_eigen.h).
#include "descent/analysis/symmetric_eigen.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "descent/core/error.h"

namespace descent::analysis {
namespace {

constexpr int kMaxSweeps = 100;

void check_input(const std::vector<double>& a, int64_t n) {
  if (n <= 0)
    throw ValueError(fmt::format("symmetric_eigen: dimension must be positive, got {}", n));
  if (static_cast<int64_t>(a.size()) != n * n) {
    throw ShapeError(
        fmt::format("symmetric_eigen: expected {}x{} = {} entries, got {}", n, n, n * n, a.size()));
  }
  double scale = 0.0;
  for (int64_t i = 0; i < n * n; ++i) {
    if (!std::isfinite(a[i])) {
      throw ValueError(
          fmt::format("symmetric_eigen: entry ({}, {}) is not finite: {}", i / n, i % n, a[i]));
    }
    scale = std::max(scale, std::abs(a[i]));
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      const double aij = a[i * n + j], aji = a[j * n + i];
      if (std::abs(aij - aji) > 1e-12 * scale) {
        throw ValueError(fmt::format(
            "symmetric_eigen: matrix is not symmetric: entry ({}, {}) = {} but ({}, {}) = {}", i, j,
            aij, j, i, aji));
      }
    }
  }
}

double off_diagonal_mass(const std::vector<double>& a, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (i != j) s += a[i * n + j] * a[i * n + j];
  return s;
}

// A ← Jᵀ A J and V ← V J for the rotation that zeroes a_pq.
void rotate(std::vector<double>& a, std::vector<double>& v, int64_t n, int64_t p, int64_t q) {
  const double apq = a[p * n + q];
  if (apq == 0.0) return;
  const double theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
  // The smaller root of t² + 2θt − 1 = 0, so that |rotation angle| ≤ π/4 (stable).
  const double t = std::copysign(1.0, theta) / (std::abs(theta) + std::hypot(theta, 1.0));
  const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
  for (int64_t k = 0; k < n; ++k) {  // columns p, q: A ← A J
    const double akp = a[k * n + p], akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (int64_t k = 0; k < n; ++k) {  // rows p, q: A ← Jᵀ A
    const double apk = a[p * n + k], aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  a[p * n + q] = a[q * n + p] = 0.0;  // exactly zero by construction; drop the rounding residue
  for (int64_t k = 0; k < n; ++k) {
    const double vkp = v[k * n + p], vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

}  // namespace

SymmetricEigen symmetric_eigen(const std::vector<double>& input, int64_t n) {
  check_input(input, n);
  std::vector<double> a(input.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) a[i * n + j] = 0.5 * (input[i * n + j] + input[j * n + i]);
  std::vector<double> v(a.size(), 0.0);
  for (int64_t i = 0; i < n; ++i) v[i * n + i] = 1.0;

  const double frob2 = std::inner_product(a.begin(), a.end(), a.begin(), 0.0);
  const double tol = 1e-30 * frob2;  // (1e-15 ‖A‖_F)²
  int sweeps = 0;
  while (sweeps < kMaxSweeps && off_diagonal_mass(a, n) > tol) {
    for (int64_t p = 0; p < n - 1; ++p)
      for (int64_t q = p + 1; q < n; ++q) rotate(a, v, n, p, q);
    ++sweeps;
  }

  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return a[x * n + x] < a[y * n + y]; });
  SymmetricEigen out{
      .n = n, .values = {}, .vectors = std::vector<double>(a.size()), .sweeps = sweeps};
  for (int64_t j = 0; j < n; ++j) {
    const int64_t src = order[j];
    out.values.push_back(a[src * n + src]);
    for (int64_t k = 0; k < n; ++k) out.vectors[k * n + j] = v[k * n + src];
  }
  return out;
}

}  // namespace descent::analysis
