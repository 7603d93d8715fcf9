#include "descent/kernels/layer_norm.h"

#include <cmath>
#include <string>
#include <vector>

#include "column_blocks.h"
#include "loops.h"
#include "normalization_operands.h"

namespace descent::kernels {
namespace {

// x as rows [R, D]: D the product of the last `normalized_dims` sizes.
struct Rows {
  int64_t rows = 1, width = 1;
};

Rows rows_of(const Shape& shape, int64_t normalized_dims) {
  Rows l;
  const size_t lead = shape.size() - static_cast<size_t>(normalized_dims);
  for (size_t d = 0; d < shape.size(); ++d) (d < lead ? l.rows : l.width) *= shape[d];
  return l;
}

// Σ term(i) over [0, n) in float64, in eight interleaved partial sums (so that the loop
// vectorizes) combined in a fixed order.
template <typename Term>
double row_sum(int64_t n, Term term) {
  double acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += term(i + k);
  for (int k = 0; i < n; ++i, ++k) acc[k] += term(i);
  return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

// Rows are spread over the pool; each row is computed whole by one thread.
template <typename RowFn>
void by_rows(const Rows& l, RowFn row) {
  split(l.rows, std::max<int64_t>(1, kNormGrain / std::max<int64_t>(l.width, 1)),
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) row(r);
        });
}

// γ and β, or 1 and 0 spelled out when undefined (one loop shape for all four cases).
template <typename T>
struct Affine {
  std::vector<T> ones, zeros;
  const T* w;
  const T* b;
  Affine(const T* weight, const T* bias, int64_t width) : w(weight), b(bias) {
    if (!w) w = (ones.assign(static_cast<size_t>(width), T(1)), ones.data());
    if (!b) b = (zeros.assign(static_cast<size_t>(width), T(0)), zeros.data());
  }
};

template <typename T>
void forward(const Rows& l, const T* x, const T* weight, const T* bias, double eps, T* y, T* mean,
             T* inv_std) {
  const double d = static_cast<double>(l.width);
  const Affine<T> a(weight, bias, l.width);
  by_rows(l, [&](int64_t r) {
    const T* xr = x + r * l.width;
    const double mu = row_sum(l.width, [&](int64_t i) { return static_cast<double>(xr[i]); }) / d;
    const double var = row_sum(l.width,
                               [&](int64_t i) {
                                 const double c = static_cast<double>(xr[i]) - mu;
                                 return c * c;
                               }) /
                       d;
    const T m = static_cast<T>(mu), s = static_cast<T>(1.0 / std::sqrt(var + eps));
    mean[r] = m;
    inv_std[r] = s;
    T* yr = y + r * l.width;
    for (int64_t i = 0; i < l.width; ++i) yr[i] = (xr[i] - m) * s * a.w[i] + a.b[i];
  });
}

template <typename T>
void backward(const Rows& l, const T* g, const T* x, const T* mean, const T* inv_std,
              const T* weight, LayerNormGrads& out) {
  const double d = static_cast<double>(l.width);
  const Affine<T> a(weight, nullptr, l.width);
  const auto x_hat = [&](int64_t r, int64_t i) {
    return (static_cast<double>(x[r * l.width + i]) - static_cast<double>(mean[r])) *
           static_cast<double>(inv_std[r]);
  };
  if (out.dx.defined()) {
    T* dx = out.dx.data<T>();
    by_rows(l, [&](int64_t r) {
      const T* gr = g + r * l.width;
      const auto g_hat = [&](int64_t i) {
        return static_cast<double>(gr[i]) * static_cast<double>(a.w[i]);
      };
      const double sum_g = row_sum(l.width, g_hat);
      const double sum_gx = row_sum(l.width, [&](int64_t i) { return g_hat(i) * x_hat(r, i); });
      const double s = static_cast<double>(inv_std[r]), k1 = sum_g / d, k2 = sum_gx / d;
      for (int64_t i = 0; i < l.width; ++i)
        dx[r * l.width + i] = static_cast<T>(s * (g_hat(i) - k1 - x_hat(r, i) * k2));
    });
  }
  if (!out.dweight.defined() && !out.dbias.defined()) return;
  // ∂L/∂γ and ∂L/∂β: sums down the columns, over the rows in order.
  std::vector<double> sum_gx(static_cast<size_t>(l.width), 0.0), sum_g(sum_gx.size(), 0.0);
  const auto g_at = [&](int64_t r, int64_t j) { return static_cast<double>(g[r * l.width + j]); };
  if (out.dbias.defined()) add_column_sums(l.rows, l.width, sum_g.data(), g_at);
  if (out.dweight.defined())
    add_column_sums(l.rows, l.width, sum_gx.data(),
                    [&](int64_t r, int64_t j) { return g_at(r, j) * x_hat(r, j); });
  for (int64_t j = 0; j < l.width; ++j) {
    if (out.dweight.defined()) out.dweight.data<T>()[j] = static_cast<T>(sum_gx[j]);
    if (out.dbias.defined()) out.dbias.data<T>()[j] = static_cast<T>(sum_g[j]);
  }
}

// The trailing sizes of x that a row has, as a shape.
Shape row_shape(const Tensor& x, int64_t normalized_dims) {
  const auto& s = x.shape();
  return Shape(std::span<const int64_t>(s.data() + (s.size() - normalized_dims), normalized_dims));
}

void check(const Tensor& x, int64_t normalized_dims, const Tensor& t, const char* op,
           const char* what) {
  if (!x.defined()) throw ValueError(std::string(op) + ": input is undefined");
  if (!is_floating(x.dtype()))
    throw DTypeError(std::string(op) + ": expected a floating input, got " +
                     std::string(dtype_name(x.dtype())));
  if (normalized_dims < 1 || normalized_dims > x.dim())
    throw ShapeError(std::string(op) + ": cannot normalize the last " +
                     std::to_string(normalized_dims) + " dimensions of an input of shape " +
                     x.shape().str());
  if (t.defined() && (!(t.shape() == row_shape(x, normalized_dims)) || t.dtype() != x.dtype()))
    throw ShapeError(std::string(op) + ": " + what + " of shape " + t.shape().str() + " (" +
                     std::string(dtype_name(t.dtype())) + ") does not match input " +
                     x.shape().str() + " (" + std::string(dtype_name(x.dtype())) + "); expected " +
                     row_shape(x, normalized_dims).str() + " of the input's dtype");
}

}  // namespace

LayerNormResult layer_norm(const Tensor& x0, int64_t normalized_dims, const Tensor& weight,
                           const Tensor& bias, double eps) {
  const char* op = "layer_norm";
  check(x0, normalized_dims, weight, op, "weight");
  check(x0, normalized_dims, bias, op, "bias");
  const Tensor x = contiguous(x0), w = contiguous_or_none(weight), b = contiguous_or_none(bias);
  const Rows l = rows_of(x.shape(), normalized_dims);
  LayerNormResult out{Tensor::empty(x.shape(), x.dtype()), Tensor::empty({l.rows}, x.dtype()),
                      Tensor::empty({l.rows}, x.dtype())};
  dispatch_floating(x.dtype(), op, [&](auto t) {
    using T = decltype(t);
    forward<T>(l, x.data<T>(), data_or_null<T>(w), data_or_null<T>(b), eps, out.y.data<T>(),
               out.mean.data<T>(), out.inv_std.data<T>());
  });
  return out;
}

LayerNormGrads layer_norm_backward(const Tensor& g0, const Tensor& x0, int64_t normalized_dims,
                                   const Tensor& mean, const Tensor& inv_std, const Tensor& weight,
                                   bool need_dx, bool need_dweight, bool need_dbias) {
  const char* op = "layer_norm_backward";
  check(x0, normalized_dims, weight, op, "weight");
  check_gradient(g0, x0, op);
  const Rows l = rows_of(x0.shape(), normalized_dims);
  for (const Tensor* t : {&mean, &inv_std})
    if (!t->defined() || !(t->shape() == Shape{l.rows}) || t->dtype() != x0.dtype())
      throw ShapeError(std::string(op) + ": row statistics of shape " +
                       (t->defined() ? t->shape().str() : std::string("(undefined)")) +
                       " do not match " + std::to_string(l.rows) + " rows");
  const Tensor x = contiguous(x0), g = contiguous(g0), m = contiguous(mean),
               r = contiguous(inv_std), w = contiguous_or_none(weight);
  LayerNormGrads out = allocate_grads<LayerNormGrads>(x, row_shape(x, normalized_dims), need_dx,
                                                      need_dweight, need_dbias);
  dispatch_floating(x.dtype(), op, [&](auto t) {
    using T = decltype(t);
    backward<T>(l, g.data<T>(), x.data<T>(), m.data<T>(), r.data<T>(), data_or_null<T>(w), out);
  });
  return out;
}

}  // namespace descent::kernels
