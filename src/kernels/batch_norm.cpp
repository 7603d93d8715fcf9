#include "descent/kernels/batch_norm.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "column_blocks.h"
#include "loops.h"
#include "normalization_operands.h"

namespace descent::kernels {
namespace {

// x [N, C, *] as a row-major matrix [N, C·L] (L the product of the trailing sizes): column j
// holds channel j / L. Every pass below runs along the rows of this matrix, so its inner loop
// is contiguous and vectorizes, for [N, C] and [N, C, L] alike.
struct Layout {
  int64_t rows = 0, channels = 0, inner = 1, cols = 0;
  int64_t count() const { return rows * inner; }  // values per channel
  int64_t channel(int64_t j) const { return j / inner; }
};

Layout layout_of(const Shape& shape) {
  Layout l;
  l.rows = shape[0];
  l.channels = shape[1];
  for (size_t d = 2; d < shape.size(); ++d) l.inner *= shape[d];
  l.cols = l.channels * l.inner;
  return l;
}

// The per-channel totals of per-column sums (the L columns of each channel, in order).
std::vector<double> channel_totals(const Layout& l, const std::vector<double>& column_sums) {
  std::vector<double> totals(static_cast<size_t>(l.channels), 0.0);
  for (int64_t j = 0; j < l.cols; ++j)
    totals[static_cast<size_t>(l.channel(j))] += column_sums[static_cast<size_t>(j)];
  return totals;
}

// out[r, j] = (x[r, j] − m[j])·s[j] + t[j]: the shape of both the forward and the backward's
// last pass, with per-column coefficients.
template <typename T>
void center_scale_shift(const Layout& l, const T* x, const T* m, const T* s, const T* t, T* out,
                        const T* g = nullptr, const T* a = nullptr) {
  split(l.rows, std::max<int64_t>(1, kNormGrain / std::max<int64_t>(l.cols, 1)),
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const T* xr = x + r * l.cols;
            T* yr = out + r * l.cols;
            if (g) {  // the backward: a·g + (x − m)·s + t
              const T* gr = g + r * l.cols;
              for (int64_t j = 0; j < l.cols; ++j)
                yr[j] = a[j] * gr[j] + ((xr[j] - m[j]) * s[j] + t[j]);
            } else {
              for (int64_t j = 0; j < l.cols; ++j) yr[j] = (xr[j] - m[j]) * s[j] + t[j];
            }
          }
        });
}

// Per-channel values seen per column: the values themselves when each channel is one column
// ([N, C]), else spread over the columns of their channel. `per_channel` must outlive it.
template <typename T>
class PerColumn {
 public:
  PerColumn(const Layout& l, const std::vector<T>& per_channel) : data_(per_channel.data()) {
    if (l.inner == 1) return;
    spread_.resize(static_cast<size_t>(l.cols));
    for (int64_t j = 0; j < l.cols; ++j)
      spread_[static_cast<size_t>(j)] = per_channel[static_cast<size_t>(l.channel(j))];
    data_ = spread_.data();
  }
  PerColumn(const PerColumn&) = delete;
  PerColumn& operator=(const PerColumn&) = delete;
  const T* data() const { return data_; }
  T operator[](int64_t j) const { return data_[j]; }

 private:
  std::vector<T> spread_;
  const T* data_;
};

template <typename T>
void forward(const Layout& l, const T* x, const T* weight, const T* bias, double eps,
             BatchNormResult& out) {
  const double n = static_cast<double>(l.count());
  std::vector<double> sums(static_cast<size_t>(l.cols), 0.0);
  add_column_sums(l.rows, l.cols, sums.data(),
                  [&](int64_t r, int64_t j) { return static_cast<double>(x[r * l.cols + j]); });
  std::vector<double> mean = channel_totals(l, sums);
  for (double& m : mean) m /= n;

  // The variance about μ itself; the normalization subtracts μ rounded to T, as any
  // arithmetic in T does.
  const PerColumn<double> mean_col(l, mean);
  std::fill(sums.begin(), sums.end(), 0.0);
  add_column_sums(l.rows, l.cols, sums.data(), [&](int64_t r, int64_t j) {
    const double d = static_cast<double>(x[r * l.cols + j]) - mean_col[j];
    return d * d;
  });
  const std::vector<double> var = channel_totals(l, sums);
  const std::vector<T> mean_t(mean.begin(), mean.end());
  const PerColumn<T> m_col(l, mean_t);

  std::vector<T> scale(static_cast<size_t>(l.channels)), shift(scale.size());
  T* mean_out = out.mean.data<T>();
  T* var_out = out.var.data<T>();
  T* inv_out = out.inv_std.data<T>();
  for (size_t c = 0; c < scale.size(); ++c) {
    const double v = var[c] / n, r = 1.0 / std::sqrt(v + eps);
    mean_out[c] = mean_t[c];
    var_out[c] = static_cast<T>(v);
    inv_out[c] = static_cast<T>(r);
    scale[c] = static_cast<T>(weight ? r * static_cast<double>(weight[c]) : r);
    shift[c] = bias ? bias[c] : T(0);
  }
  const PerColumn<T> scale_col(l, scale), shift_col(l, shift);
  center_scale_shift(l, x, m_col.data(), scale_col.data(), shift_col.data(), out.y.data<T>());
}

template <typename T>
void backward(const Layout& l, const T* g, const T* x, const T* mean, const T* inv_std,
              const T* weight, BatchNormGrads& out) {
  const double n = static_cast<double>(l.count());
  const std::vector<T> mean_t(mean, mean + l.channels);
  const PerColumn<T> m_col(l, mean_t);
  // Σ g and Σ g·(x − μ) per column.
  std::vector<double> sum_g(static_cast<size_t>(l.cols), 0.0), sum_gx(sum_g.size(), 0.0);
  add_column_sums(l.rows, l.cols, sum_g.data(),
                  [&](int64_t r, int64_t j) { return static_cast<double>(g[r * l.cols + j]); });
  add_column_sums(l.rows, l.cols, sum_gx.data(), [&](int64_t r, int64_t j) {
    return static_cast<double>(g[r * l.cols + j]) *
           (static_cast<double>(x[r * l.cols + j]) - static_cast<double>(m_col[j]));
  });
  const std::vector<double> sg = channel_totals(l, sum_g), sgx = channel_totals(l, sum_gx);

  // With a = γ·r and Σ g·x̂ = r·Σ g·(x − μ):
  //   ∂L/∂x = a·g + (x − μ)·(−a·r·(Σ g·x̂)/n) + (−a·(Σ g)/n).
  std::vector<T> a(static_cast<size_t>(l.channels)), slope(a.size()), offset(a.size());
  for (size_t c = 0; c < a.size(); ++c) {
    const double r = static_cast<double>(inv_std[c]);
    const double gamma = weight ? static_cast<double>(weight[c]) : 1.0;
    const double sum_g_xhat = r * sgx[c];
    if (out.dbias.defined()) out.dbias.data<T>()[c] = static_cast<T>(sg[c]);
    if (out.dweight.defined()) out.dweight.data<T>()[c] = static_cast<T>(sum_g_xhat);
    a[c] = static_cast<T>(gamma * r);
    slope[c] = static_cast<T>(-gamma * r * r * sum_g_xhat / n);
    offset[c] = static_cast<T>(-gamma * r * sg[c] / n);
  }
  if (!out.dx.defined()) return;
  const PerColumn<T> a_col(l, a), slope_col(l, slope), offset_col(l, offset);
  center_scale_shift(l, x, m_col.data(), slope_col.data(), offset_col.data(), out.dx.data<T>(), g,
                     a_col.data());
}

void check_channels(const Tensor& t, const Tensor& x, const char* op, const char* what) {
  if (!t.defined()) return;
  if (!(t.shape() == Shape{x.shape()[1]}) || t.dtype() != x.dtype())
    throw ShapeError(std::string(op) + ": " + what + " of shape " + t.shape().str() + " (" +
                     std::string(dtype_name(t.dtype())) + ") does not match input " +
                     x.shape().str() + " (" + std::string(dtype_name(x.dtype())) +
                     "); expected [C] of the input's dtype");
}

void check_input(const Tensor& x, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": input is undefined");
  if (!is_floating(x.dtype()))
    throw DTypeError(std::string(op) + ": expected a floating input, got " +
                     std::string(dtype_name(x.dtype())));
  if (x.dim() < 2)
    throw ShapeError(std::string(op) +
                     ": expected an input [N, C, *] of at least 2 "
                     "dimensions, got " +
                     x.shape().str());
}

}  // namespace

BatchNormResult batch_norm(const Tensor& x0, const Tensor& weight, const Tensor& bias, double eps) {
  const char* op = "batch_norm";
  check_input(x0, op);
  check_channels(weight, x0, op, "weight");
  check_channels(bias, x0, op, "bias");
  const Tensor x = contiguous(x0), w = contiguous_or_none(weight), b = contiguous_or_none(bias);
  const Layout l = layout_of(x.shape());
  const Shape channels{l.channels};
  BatchNormResult out{Tensor::empty(x.shape(), x.dtype()), Tensor::empty(channels, x.dtype()),
                      Tensor::empty(channels, x.dtype()), Tensor::empty(channels, x.dtype())};
  dispatch_floating(x.dtype(), op, [&](auto t) {
    using T = decltype(t);
    forward<T>(l, x.data<T>(), data_or_null<T>(w), data_or_null<T>(b), eps, out);
  });
  return out;
}

BatchNormGrads batch_norm_backward(const Tensor& g0, const Tensor& x0, const Tensor& mean,
                                   const Tensor& inv_std, const Tensor& weight, bool need_dx,
                                   bool need_dweight, bool need_dbias) {
  const char* op = "batch_norm_backward";
  check_input(x0, op);
  check_gradient(g0, x0, op);
  check_channels(mean, x0, op, "mean");
  check_channels(inv_std, x0, op, "inv_std");
  check_channels(weight, x0, op, "weight");
  const Tensor x = contiguous(x0), g = contiguous(g0), m = contiguous(mean),
               r = contiguous(inv_std), w = contiguous_or_none(weight);
  const Layout l = layout_of(x.shape());
  BatchNormGrads out =
      allocate_grads<BatchNormGrads>(x, Shape{l.channels}, need_dx, need_dweight, need_dbias);
  dispatch_floating(x.dtype(), op, [&](auto t) {
    using T = decltype(t);
    backward<T>(l, g.data<T>(), x.data<T>(), m.data<T>(), r.data<T>(), data_or_null<T>(w), out);
  });
  return out;
}

}  // namespace descent::kernels
