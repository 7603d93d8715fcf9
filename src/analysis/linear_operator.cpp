// Matrix-free symmetric operators and the vector helpers of the Krylov methods.
#include "descent/analysis/linear_operator.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/core/error.h"

namespace descent::analysis {

Vector LinearOperator::operator()(const Vector& v) const {
  if (static_cast<int64_t>(v.size()) != n) {
    throw ValueError(
        fmt::format("linear operator: vector of {} entries for dimension {}", v.size(), n));
  }
  Vector out = apply(v);
  if (static_cast<int64_t>(out.size()) != n) {
    throw ValueError(
        fmt::format("linear operator: product has {} entries for dimension {}", out.size(), n));
  }
  return out;
}

LinearOperator dense_operator(std::vector<double> matrix, int64_t n) {
  if (n <= 0 || static_cast<int64_t>(matrix.size()) != n * n) {
    throw ValueError(
        fmt::format("dense_operator: {} entries do not make a {}×{} matrix", matrix.size(), n, n));
  }
  return {.n = n, .apply = [m = std::move(matrix), n](const Vector& v) {
            Vector out(static_cast<size_t>(n), 0.0);
            for (int64_t i = 0; i < n; ++i) {
              double s = 0.0;
              for (int64_t j = 0; j < n; ++j) s += m[static_cast<size_t>(i * n + j)] * v[j];
              out[static_cast<size_t>(i)] = s;
            }
            return out;
          }};
}

std::vector<double> materialize(const LinearOperator& op) {
  const auto n = static_cast<size_t>(op.n);
  std::vector<double> m(n * n);
  Vector e(n, 0.0);
  for (size_t j = 0; j < n; ++j) {
    e[j] = 1.0;
    const Vector col = op(e);
    e[j] = 0.0;
    for (size_t i = 0; i < n; ++i) m[i * n + j] = col[i];
  }
  return m;
}

double dot(const Vector& a, const Vector& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double norm(const Vector& a) {
  return std::sqrt(dot(a, a));
}

void axpy(double a, const Vector& x, Vector& y) {
  for (size_t i = 0; i < y.size(); ++i) y[i] += a * x[i];
}

double normalize(Vector& x) {
  const double r = norm(x);
  if (r > 0.0) {
    for (double& e : x) e /= r;
  }
  return r;
}

Vector rademacher(int64_t n, Generator& gen) {
  Vector v(static_cast<size_t>(n));
  for (double& e : v) e = (gen.next_u32() & 1u) ? 1.0 : -1.0;
  return v;
}

Vector gaussian(int64_t n, Generator& gen) {
  Vector v(static_cast<size_t>(n));
  for (double& e : v) e = gen.normal();
  return v;
}

}  // namespace descent::analysis
