#include "descent/kernels/softmax.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <type_traits>

#include "descent/kernels/elementwise.h"
#include "fast_math.h"
#include "loops.h"

namespace descent::kernels {
namespace {

// Columns handled together when the softmax axis is not innermost (stack arrays).
constexpr int64_t kColumns = 128;
// Minimum elements per parallel piece (exp and log make each element costly).
constexpr int64_t kSoftmaxGrain = 8192;

// e^v for v <= 0 (the shifted inputs), in double: the branch-free approximation for float
// tensors (relative error ~1e-12, far below float precision), the C library for double ones.
template <typename T>
double exp_of(double v) {
  if constexpr (std::is_same_v<T, float>)
    return exp_for_float(v);
  else
    return std::exp(v);
}

template <typename T>
T max_with_nan(T a, T b) {
  return (b > a || std::isnan(b)) ? b : a;
}

// x viewed as [outer, n, inner], contiguous; calls row(o, j0, cols) over blocks of at most
// kColumns columns (or, with inner == 1, over single rows), spread over the pool.
template <typename Block>
void for_blocks(int64_t outer, int64_t n, int64_t inner, Block block) {
  const int64_t width = std::min(inner, kColumns);
  const int64_t nblocks = (inner + width - 1) / width;
  split(outer * nblocks, std::max<int64_t>(1, kSoftmaxGrain / std::max<int64_t>(1, n * width)),
        [&](int64_t begin, int64_t end) {
          for (int64_t t = begin; t < end; ++t) {
            const int64_t o = t / nblocks, j0 = (t % nblocks) * width;
            block(o, j0, std::min(width, inner - j0));
          }
        });
}

struct Geometry {
  size_t dim;
  int64_t outer = 1, n = 1, inner = 1;
};

// The [outer, n, inner] view of a tensor along `dim`. A 0-dimensional tensor is one row of one.
Geometry geometry(const Shape& shape, int64_t dim, const char* op) {
  Geometry g{static_cast<size_t>(normalize_axis(dim, static_cast<int64_t>(shape.size()), op))};
  if (shape.empty()) return g;
  for (size_t d = 0; d < g.dim; ++d) g.outer *= shape[d];
  g.n = shape[g.dim];
  for (size_t d = g.dim + 1; d < shape.size(); ++d) g.inner *= shape[d];
  return g;
}

// ln s for the sums of exponentials: the vectorizable log_normal for float tensors (s ≥ 1
// there unless the lane holds NaN or ±inf, which std::log handles), the C library for double.
template <typename T>
void log_in_place(double* s, int64_t count) {
  if constexpr (std::is_same_v<T, float>) {
    bool all_valid = true;
    for (int64_t j = 0; j < count; ++j) all_valid &= log_normal_valid(s[j]);
    if (all_valid) {
      for (int64_t j = 0; j < count; ++j) s[j] = log_normal(s[j]);
      return;
    }
  }
  for (int64_t j = 0; j < count; ++j) s[j] = std::log(s[j]);
}

// log_softmax over the rows i of a block of `cols` adjacent columns j: element (i, j) at
// x[i·ldx + j]. y = (x − m) − ln Σ exp(x − m), m the column's maximum. The loops run along j,
// so they vectorize.
template <typename T>
void log_softmax_columns(const T* x, int64_t ldx, T* y, int64_t ldy, int64_t n, int64_t cols) {
  T m[kColumns];
  double s[kColumns];
  for (int64_t j = 0; j < cols; ++j) {
    m[j] = x[j];
    s[j] = 0;
  }
  for (int64_t i = 1; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j) m[j] = max_with_nan(m[j], x[i * ldx + j]);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j)
      s[j] += exp_of<T>(static_cast<double>(x[i * ldx + j]) - m[j]);
  log_in_place<T>(s, cols);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j)
      y[i * ldy + j] = static_cast<T>((static_cast<double>(x[i * ldx + j]) - m[j]) - s[j]);
}

// The backward over the same kind of block: gx = g − exp(y)·Σ_i g.
template <typename T>
void log_softmax_backward_columns(const T* y, const T* g, int64_t ld, T* gx, int64_t ldgx,
                                  int64_t n, int64_t cols) {
  double s[kColumns];
  for (int64_t j = 0; j < cols; ++j) s[j] = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j) s[j] += static_cast<double>(g[i * ld + j]);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j)
      gx[i * ldgx + j] = static_cast<T>(static_cast<double>(g[i * ld + j]) -
                                        exp_of<T>(static_cast<double>(y[i * ld + j])) * s[j]);
}

// Short rows along the last axis (inner == 1, n ≤ kShortRow; a classifier's logits) are
// handled kTileRows at a time through transposed tiles [n][kTileRows], so that the per-row
// work runs across rows in vector lanes instead of along a handful of elements:
// columns(tiles, tile_out, rows) computes on the tiles of the K inputs.
constexpr int64_t kShortRow = 16;
constexpr int64_t kTileRows = 64;

template <typename T, size_t K, typename Columns>
void by_transposed_tiles(const std::array<const T*, K>& in, T* out, int64_t outer, int64_t n,
                         Columns columns) {
  const int64_t nblocks = (outer + kTileRows - 1) / kTileRows;
  split(nblocks, std::max<int64_t>(1, kSoftmaxGrain / (n * kTileRows)),
        [&](int64_t begin, int64_t end) {
          T tiles[K][kShortRow * kTileRows], tile_out[kShortRow * kTileRows];
          for (int64_t b = begin; b < end; ++b) {
            const int64_t r0 = b * kTileRows, rows = std::min(kTileRows, outer - r0);
            for (size_t a = 0; a < K; ++a)
              for (int64_t r = 0; r < rows; ++r)
                for (int64_t i = 0; i < n; ++i)
                  tiles[a][i * kTileRows + r] = in[a][(r0 + r) * n + i];
            columns(tiles, tile_out, rows);
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t i = 0; i < n; ++i) out[(r0 + r) * n + i] = tile_out[i * kTileRows + r];
          }
        });
}

// The backward needs no transposed tiles: its exponentials run over a block's contiguous
// values and only the row sums go along the rows. Same sums in the same order as
// log_softmax_backward_columns, so both paths agree exactly.
constexpr int64_t kBlockRows = kTileRows;

template <typename RowBlock>
void by_row_blocks(int64_t outer, int64_t n, RowBlock rows) {
  const int64_t nblocks = (outer + kBlockRows - 1) / kBlockRows;
  split(nblocks, std::max<int64_t>(1, kSoftmaxGrain / (n * kBlockRows)),
        [&](int64_t begin, int64_t end) {
          for (int64_t b = begin; b < end; ++b) {
            const int64_t r0 = b * kBlockRows;
            rows(r0, std::min(kBlockRows, outer - r0));
          }
        });
}

// gx = g − exp(y)·Σ g over `count` contiguous rows of n elements.
template <typename T>
void log_softmax_backward_short_rows(const T* y, const T* g, T* gx, int64_t count, int64_t n) {
  double e[kShortRow * kBlockRows];
  const int64_t total = count * n;
  for (int64_t k = 0; k < total; ++k) e[k] = exp_of<T>(static_cast<double>(y[k]));
  for (int64_t r = 0; r < count; ++r) {
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(g[r * n + i]);
    for (int64_t i = 0; i < n; ++i)
      gx[r * n + i] = static_cast<T>(static_cast<double>(g[r * n + i]) - e[r * n + i] * sum);
  }
}

template <typename T>
void log_softmax_kernel(const T* x, T* y, const Geometry& g) {
  const int64_t n = g.n, inner = g.inner;
  if (inner == 1 && n <= kShortRow) {
    by_transposed_tiles<T, 1>({x}, y, g.outer, n, [&](const auto& tiles, T* out, int64_t rows) {
      log_softmax_columns<T>(tiles[0], kTileRows, out, kTileRows, n, rows);
    });
    return;
  }
  for_blocks(g.outer, n, inner, [&](int64_t o, int64_t j0, int64_t cols) {
    const T* xb = x + o * n * inner + j0;
    T* yb = y + o * n * inner + j0;
    if (inner == 1) {
      T m = xb[0];
      for (int64_t i = 1; i < n; ++i) m = max_with_nan(m, xb[i]);
      double s = 0;
      for (int64_t i = 0; i < n; ++i) s += exp_of<T>(static_cast<double>(xb[i]) - m);
      const double ls = std::log(s);
      for (int64_t i = 0; i < n; ++i) yb[i] = static_cast<T>((static_cast<double>(xb[i]) - m) - ls);
      return;
    }
    log_softmax_columns<T>(xb, inner, yb, inner, n, cols);
  });
}

template <typename T>
void log_softmax_backward_kernel(const T* y, const T* g, T* gx, const Geometry& geo) {
  const int64_t n = geo.n, inner = geo.inner;
  if (inner == 1 && n <= kShortRow) {
    by_row_blocks(geo.outer, n, [&](int64_t r0, int64_t count) {
      log_softmax_backward_short_rows<T>(y + r0 * n, g + r0 * n, gx + r0 * n, count, n);
    });
    return;
  }
  for_blocks(geo.outer, n, inner, [&](int64_t o, int64_t j0, int64_t cols) {
    const int64_t base = o * n * inner + j0;
    log_softmax_backward_columns<T>(y + base, g + base, inner, gx + base, inner, n, cols);
  });
}

}  // namespace

Tensor log_softmax(const Tensor& x, int64_t dim) {
  if (!x.defined()) throw ValueError("log_softmax: tensor is undefined");
  return dispatch_floating(x.dtype(), "log_softmax", [&](auto z) {
    using T = decltype(z);
    const Geometry g = geometry(x.shape(), dim, "log_softmax");
    Tensor out = Tensor::empty(x.shape(), x.dtype());
    if (out.numel() == 0) return out;
    const Tensor xc = contiguous(x);
    log_softmax_kernel<T>(xc.data<T>(), out.data<T>(), g);
    return out;
  });
}

Tensor log_softmax_backward(const Tensor& y, const Tensor& g, int64_t dim) {
  if (!y.defined() || !g.defined()) throw ValueError("log_softmax_backward: tensor is undefined");
  if (y.dtype() != g.dtype())
    throw DTypeError("log_softmax_backward: output and gradient have dtypes " +
                     std::string(dtype_name(y.dtype())) + " and " +
                     std::string(dtype_name(g.dtype())));
  if (!(y.shape() == g.shape()))
    throw ShapeError("log_softmax_backward: output of shape " + y.shape().str() +
                     " and gradient of shape " + g.shape().str() + " differ");
  return dispatch_floating(y.dtype(), "log_softmax_backward", [&](auto z) {
    using T = decltype(z);
    const Geometry geo = geometry(y.shape(), dim, "log_softmax_backward");
    Tensor out = Tensor::empty(y.shape(), y.dtype());
    if (out.numel() == 0) return out;
    const Tensor yc = contiguous(y), gc = contiguous(g);
    log_softmax_backward_kernel<T>(yc.data<T>(), gc.data<T>(), out.data<T>(), geo);
    return out;
  });
}

}  // namespace descent::kernels
