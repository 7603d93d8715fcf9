#pragma once
// Shared fixtures of the curvature tests: symmetric matrices with a chosen spectrum and a tiny
// float64 softmax MLP whose Hessian can be formed in full.
#include <cmath>
#include <vector>

#include "descent/analysis/linear_operator.h"
#include "descent/autograd/ops.h"
#include "descent/core/rng.h"
#include "descent/nn/losses.h"

namespace descent::analysis::testing {

// A random orthogonal n×n matrix (row-major): Gram–Schmidt of a Gaussian matrix's columns.
inline std::vector<double> random_orthogonal(int64_t n, uint64_t seed) {
  Generator gen(seed);
  std::vector<Vector> cols;
  while (static_cast<int64_t>(cols.size()) < n) {
    Vector v = gaussian(n, gen);
    for (int pass = 0; pass < 2; ++pass) {
      for (const Vector& u : cols) axpy(-dot(u, v), u, v);
    }
    if (normalize(v) > 1e-6) cols.push_back(v);
  }
  std::vector<double> q(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) q[static_cast<size_t>(i * n + j)] = cols[j][i];
  }
  return q;
}

// Q diag(λ) Qᵀ for a random orthogonal Q: a dense symmetric matrix with spectrum λ.
inline std::vector<double> matrix_with_spectrum(const std::vector<double>& lambda, uint64_t seed) {
  const auto n = static_cast<int64_t>(lambda.size());
  const std::vector<double> q = random_orthogonal(n, seed);
  std::vector<double> a(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (int64_t k = 0; k < n; ++k) s += q[i * n + k] * lambda[k] * q[j * n + k];
      a[static_cast<size_t>(i * n + j)] = s;
    }
  }
  return a;
}

// A 3-5-3 tanh MLP with softmax cross-entropy on 12 random points, float64 (n = 38).
struct TinyMlp {
  Tensor w1, b1, w2, b2, x, y;

  explicit TinyMlp(uint64_t seed = 1) {
    Generator gen(seed);
    auto normal = [&](Shape shape, double scale) {
      std::vector<double> v(static_cast<size_t>(shape.numel()));
      for (double& e : v) e = scale * gen.normal();
      Tensor t = from_vector(v, shape, DType::Float64);
      return t;
    };
    w1 = normal({5, 3}, 0.8).set_requires_grad(true);
    b1 = normal({5}, 0.3).set_requires_grad(true);
    w2 = normal({3, 5}, 0.8).set_requires_grad(true);
    b2 = normal({3}, 0.3).set_requires_grad(true);
    x = normal({12, 3}, 1.0);
    std::vector<int64_t> labels;
    for (int i = 0; i < 12; ++i) labels.push_back(static_cast<int64_t>(gen.below(3)));
    y = from_vector(labels, Shape{12});
  }
  std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
  Tensor logits() const { return linear(tanh(linear(x, w1, b1)), w2, b2); }
  Tensor loss() const { return nn::cross_entropy(logits(), y); }
};

}  // namespace descent::analysis::testing
