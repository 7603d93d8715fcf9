// orthogonal_ (nn/init.h): QR of a Gaussian matrix by Householder reflections, in float64.
#include <cmath>
#include <vector>

#include "descent/nn/init.h"
#include "init_common.h"

namespace descent::nn {
namespace {

// Row-major m×n matrix of doubles.
struct Matrix {
  int64_t rows, cols;
  std::vector<double> v;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), v(static_cast<size_t>(r * c), 0.0) {}
  double& operator()(int64_t i, int64_t j) { return v[static_cast<size_t>(i * cols + j)]; }
};

// Reflects rows k.. of `m` by H = I − 2·h·hᵀ/(hᵀh), h = (0,…,0, reflector): a Householder
// reflection touching only rows k and below.
void reflect(Matrix& m, int64_t k, const std::vector<double>& reflector, double squared_norm) {
  for (int64_t j = 0; j < m.cols; ++j) {
    double dot = 0.0;
    for (size_t i = 0; i < reflector.size(); ++i)
      dot += reflector[i] * m(k + static_cast<int64_t>(i), j);
    const double f = 2.0 * dot / squared_norm;
    for (size_t i = 0; i < reflector.size(); ++i)
      m(k + static_cast<int64_t>(i), j) -= f * reflector[i];
  }
}

// The thin Q (m×n, m ≥ n) of A = QR, normalized so that R's diagonal is non-negative: that
// makes Q unique and, for Gaussian A, Haar-distributed (Mezzadri, 2007), the same Q that
// PyTorch's orthogonal_ gets from LAPACK after its sign correction.
Matrix thin_q(Matrix a) {
  const int64_t m = a.rows, n = a.cols;
  std::vector<std::vector<double>> reflectors(static_cast<size_t>(n));
  std::vector<double> squared_norms(static_cast<size_t>(n), 0.0);
  std::vector<double> r_diagonal(static_cast<size_t>(n), 0.0);
  for (int64_t k = 0; k < n; ++k) {
    double norm2 = 0.0;
    for (int64_t i = k; i < m; ++i) norm2 += a(i, k) * a(i, k);
    if (norm2 == 0.0) continue;  // a zero column: nothing to annihilate, R_kk = 0
    // Reflect column k onto α·e₁ with α of the opposite sign to a_kk, so that forming
    // h = x − α·e₁ never cancels.
    const double alpha = a(k, k) >= 0.0 ? -std::sqrt(norm2) : std::sqrt(norm2);
    std::vector<double> h(static_cast<size_t>(m - k));
    for (int64_t i = k; i < m; ++i) h[static_cast<size_t>(i - k)] = a(i, k);
    h[0] -= alpha;
    double h2 = 0.0;
    for (double x : h) h2 += x * x;
    reflect(a, k, h, h2);
    r_diagonal[static_cast<size_t>(k)] = a(k, k);
    reflectors[static_cast<size_t>(k)] = std::move(h);
    squared_norms[static_cast<size_t>(k)] = h2;
  }
  // Q = H₀·H₁·…·H_{n−1}·I[:, :n], applied right to left.
  Matrix q(m, n);
  for (int64_t j = 0; j < n; ++j) q(j, j) = 1.0;
  for (int64_t k = n - 1; k >= 0; --k)
    if (!reflectors[static_cast<size_t>(k)].empty())
      reflect(q, k, reflectors[static_cast<size_t>(k)], squared_norms[static_cast<size_t>(k)]);
  for (int64_t j = 0; j < n; ++j)
    if (r_diagonal[static_cast<size_t>(j)] < 0.0)
      for (int64_t i = 0; i < m; ++i) q(i, j) = -q(i, j);
  return q;
}

}  // namespace

Tensor& orthogonal_(Tensor& tensor, double gain, Generator& gen) {
  detail::require_floating_target(tensor, "orthogonal_");
  if (tensor.dim() < 2)
    throw ValueError(
        "orthogonal_: only tensors with 2 or more dimensions are supported, got "
        "shape " +
        tensor.shape().str());
  if (tensor.numel() == 0) return tensor;
  const int64_t rows = tensor.size(0), cols = tensor.numel() / rows;

  // A Gaussian rows×cols matrix, drawn row by row as PyTorch's normal_; factorized tall.
  Matrix g(rows, cols);
  for (double& x : g.v) x = gen.normal();
  const bool wide = rows < cols;
  Matrix tall(wide ? cols : rows, wide ? rows : cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) (wide ? tall(j, i) : tall(i, j)) = g(i, j);

  Matrix q = thin_q(std::move(tall));
  std::vector<double> out(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      out[static_cast<size_t>(i * cols + j)] = gain * (wide ? q(j, i) : q(i, j));
  return detail::overwrite(tensor, from_vector(out, tensor.shape(), tensor.dtype()));
}

}  // namespace descent::nn
