#include "descent/kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "descent/kernels/elementwise.h"
#include "loops.h"

namespace descent::kernels {
namespace {

// Long reductions are cut into chunks of this many elements, each reduced sequentially into one
// partial result; partials are combined in chunk order. The grid depends only on the shape, so
// the result is the same for every thread count.
constexpr int64_t kChunk = 65536;
// Columns accumulated together when the reduced axis is not innermost (a stack array).
constexpr int64_t kColumns = 256;
// Minimum elements per parallel piece.
constexpr int64_t kReduceGrain = 32768;

const char* reduce_name(Reduce op) {
  switch (op) {
    case Reduce::Sum:
      return "sum";
    case Reduce::Max:
      return "max";
    case Reduce::Min:
      return "min";
  }
  return "reduce";
}

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// The accumulator of a reduction: float sums in double, int64 sums in uint64 (wrapping on
// overflow instead of undefined behaviour), max/min in the element type.
template <Reduce Op, typename T>
using Acc = std::conditional_t<Op != Reduce::Sum, T,
                               std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>>;

// Combines two partial results. Max/Min let NaN through: once the accumulator is NaN it stays.
template <Reduce Op, typename A>
A combine(A acc, A v) {
  if constexpr (Op == Reduce::Sum)
    return acc + v;
  else if constexpr (Op == Reduce::Max)
    return (v > acc || is_nan(v)) ? v : acc;
  else
    return (v < acc || is_nan(v)) ? v : acc;
}

template <Reduce Op, typename T>
Acc<Op, T> lift(T v) {
  return static_cast<Acc<Op, T>>(v);
}

template <typename T, typename A>
T lower(A v) {
  return static_cast<T>(v);
}

// Reduces n >= 1 contiguous elements. Eight independent accumulators (combined in a fixed
// order) break the dependency chain so the loop runs at the machine's throughput; they are
// separate variables rather than an array so that they stay in registers.
template <Reduce Op, typename T>
Acc<Op, T> reduce_run(const T* x, int64_t n) {
  using A = Acc<Op, T>;
  if (n < 16) {
    A acc = lift<Op>(x[0]);
    for (int64_t i = 1; i < n; ++i) acc = combine<Op>(acc, lift<Op>(x[i]));
    return acc;
  }
  A a0 = lift<Op>(x[0]), a1 = lift<Op>(x[1]), a2 = lift<Op>(x[2]), a3 = lift<Op>(x[3]),
    a4 = lift<Op>(x[4]), a5 = lift<Op>(x[5]), a6 = lift<Op>(x[6]), a7 = lift<Op>(x[7]);
  int64_t i = 8;
  for (; i + 8 <= n; i += 8) {
    a0 = combine<Op>(a0, lift<Op>(x[i]));
    a1 = combine<Op>(a1, lift<Op>(x[i + 1]));
    a2 = combine<Op>(a2, lift<Op>(x[i + 2]));
    a3 = combine<Op>(a3, lift<Op>(x[i + 3]));
    a4 = combine<Op>(a4, lift<Op>(x[i + 4]));
    a5 = combine<Op>(a5, lift<Op>(x[i + 5]));
    a6 = combine<Op>(a6, lift<Op>(x[i + 6]));
    a7 = combine<Op>(a7, lift<Op>(x[i + 7]));
  }
  A tail = lift<Op>(x[i < n ? i : 0]);
  if (i < n) {
    for (++i; i < n; ++i) tail = combine<Op>(tail, lift<Op>(x[i]));
    a0 = combine<Op>(a0, tail);
  }
  return combine<Op>(combine<Op>(combine<Op>(a0, a1), combine<Op>(a2, a3)),
                     combine<Op>(combine<Op>(a4, a5), combine<Op>(a6, a7)));
}

// Reduces rows [0, rows) of G adjacent columns (row stride ld) into out[0, G): G running
// results, fully unrolled so that they live in registers (vectors of them where the compiler
// can) while the rows stream past. They are independent, so their latencies overlap.
template <Reduce Op, int G, typename T>
void reduce_column_group(const T* x, int64_t rows, int64_t ld, Acc<Op, T>* out) {
  Acc<Op, T> acc[G];
#pragma GCC unroll 16
  for (int q = 0; q < G; ++q) acc[q] = lift<Op>(x[q]);
  for (int64_t r = 1; r < rows; ++r) {
    const T* row = x + r * ld;
#pragma GCC unroll 16
    for (int q = 0; q < G; ++q) acc[q] = combine<Op>(acc[q], lift<Op>(row[q]));
  }
#pragma GCC unroll 16
  for (int q = 0; q < G; ++q) out[q] = acc[q];
}

// The last `count` (< 8) columns in one group of exactly that many.
template <Reduce Op, int G, typename T>
void reduce_last_columns(const T* x, int64_t rows, int64_t count, int64_t ld, Acc<Op, T>* out) {
  if constexpr (G > 0) {
    if (count < G) return reduce_last_columns<Op, G - 1>(x, rows, count, ld, out);
    reduce_column_group<Op, G>(x, rows, ld, out);
  }
}

// Reduces rows [0, rows) of a row-major block with row stride `ld`, columns [0, cols), into
// out[0, cols): columns in groups of 16 and 8, then the last few together, row by row. Every
// column is reduced over its rows in order, whatever group it falls in.
template <Reduce Op, typename T>
void reduce_rows(const T* x, int64_t rows, int64_t cols, int64_t ld, Acc<Op, T>* out) {
  int64_t j = 0;
  for (; j + 16 <= cols; j += 16) reduce_column_group<Op, 16>(x + j, rows, ld, out + j);
  if (j + 8 <= cols) {
    reduce_column_group<Op, 8>(x + j, rows, ld, out + j);
    j += 8;
  }
  reduce_last_columns<Op, 7>(x + j, rows, cols - j, ld, out + j);
}

// dst[o, j] = reduce over r of src[o, r, j] for a contiguous src of shape [outer, red, inner],
// red >= 1. Work is cut into tasks of at most kChunk elements: (outer index, chunk of rows,
// block of columns). With a single row chunk a task writes its results directly; otherwise
// each task writes a partial and the partials are combined in chunk order.
template <Reduce Op, typename T>
void reduce_oi(const T* src, int64_t outer, int64_t red, int64_t inner, T* dst) {
  using A = Acc<Op, T>;
  const int64_t chunk_rows = std::max<int64_t>(1, kChunk / inner);
  const int64_t nchunks = (red + chunk_rows - 1) / chunk_rows;
  const int64_t block_cols = std::min(inner, kChunk);
  const int64_t nblocks = (inner + block_cols - 1) / block_cols;
  const int64_t ntasks = outer * nchunks * nblocks;
  const int64_t task_elems = std::min(red, chunk_rows) * block_cols;
  std::vector<A> partial(nchunks > 1 ? static_cast<size_t>(outer * nchunks * inner) : 0);

  split(ntasks, std::max<int64_t>(1, kReduceGrain / task_elems), [&](int64_t begin, int64_t end) {
    A buf[kColumns];
    for (int64_t t = begin; t < end; ++t) {
      const int64_t blk = t % nblocks, c = (t / nblocks) % nchunks, o = t / (nblocks * nchunks);
      const int64_t r0 = c * chunk_rows, rows = std::min(chunk_rows, red - r0);
      const int64_t j0 = blk * block_cols, j1 = std::min(inner, j0 + block_cols);
      const T* x = src + (o * red + r0) * inner;
      if (inner == 1) {
        const A v = reduce_run<Op>(x, rows);
        if (nchunks == 1)
          dst[o] = lower<T>(v);
        else
          partial[static_cast<size_t>(o * nchunks + c)] = v;
        continue;
      }
      for (int64_t j = j0; j < j1; j += kColumns) {
        const int64_t cols = std::min(kColumns, j1 - j);
        reduce_rows<Op>(x + j, rows, cols, inner, buf);
        if (nchunks == 1) {
          T* out = dst + o * inner + j;
          for (int64_t q = 0; q < cols; ++q) out[q] = lower<T>(buf[q]);
        } else {
          std::copy(buf, buf + cols, partial.begin() + (o * nchunks + c) * inner + j);
        }
      }
    }
  });
  if (nchunks == 1) return;
  split(outer * inner, kReduceGrain / nchunks + 1, [&](int64_t begin, int64_t end) {
    for (int64_t e = begin; e < end; ++e) {
      const int64_t o = e / inner, j = e % inner;
      const A* p = partial.data() + o * nchunks * inner + j;
      A acc = p[0];
      for (int64_t c = 1; c < nchunks; ++c) acc = combine<Op>(acc, p[c * inner]);
      dst[e] = lower<T>(acc);
    }
  });
}

template <typename T>
void reduce_dispatch(Reduce op, const T* src, int64_t outer, int64_t red, int64_t inner, T* dst) {
  switch (op) {
    case Reduce::Sum:
      return reduce_oi<Reduce::Sum>(src, outer, red, inner, dst);
    case Reduce::Max:
      return reduce_oi<Reduce::Max>(src, outer, red, inner, dst);
    case Reduce::Min:
      return reduce_oi<Reduce::Min>(src, outer, red, inner, dst);
  }
}

// x viewed as [outer, red, inner] over contiguous memory starting at x.data(), when its
// non-size-1 dimensions, ordered by decreasing stride, are contiguous, keep the kept axes in
// their original order, and put the reduced axes in one consecutive run. This covers every
// contiguous tensor whose reduced axes form one block, and their transposes where that does
// not reorder the output (summing Wᵀ over its rows, say).
struct Block {
  bool ok = false;
  int64_t outer = 1, red = 1, inner = 1;
};

Block as_block(const Tensor& x, const Shape& reduced) {
  struct D {
    int64_t size, stride;
    bool reduced;
    size_t axis;
  };
  // Up to 8 dimensions of size > 1 (more are rare and take the copying path). A stable
  // insertion sort by decreasing stride; no allocation.
  constexpr size_t kMax = 8;
  D dims[kMax];
  size_t nd = 0;
  for (size_t d = 0; d < x.shape().size(); ++d) {
    if (x.shape()[d] == 1) continue;
    if (nd == kMax) return {};
    D v{x.shape()[d], x.strides()[d], reduced[d] != 0, d};
    size_t i = nd++;
    for (; i > 0 && dims[i - 1].stride < v.stride; --i) dims[i] = dims[i - 1];
    dims[i] = v;
  }
  int64_t expected = 1;
  for (size_t i = nd; i-- > 0;) {
    if (dims[i].stride != expected) return {};
    expected *= dims[i].size;
  }
  size_t last_kept = 0;
  bool any_kept = false;
  int state = 0;  // 0: before the reduced run, 1: inside it, 2: after it
  Block b;
  for (size_t i = 0; i < nd; ++i) {
    const D& d = dims[i];
    if (!d.reduced) {
      if (any_kept && d.axis < last_kept) return {};
      any_kept = true;
      last_kept = d.axis;
      if (state == 1) state = 2;
      (state == 0 ? b.outer : b.inner) *= d.size;
    } else {
      if (state == 2) return {};
      state = 1;
      b.red *= d.size;
    }
  }
  b.ok = true;
  return b;
}

void check_axes(const char* op, std::span<const int64_t> axes, int64_t rank) {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      throw IndexError(std::string(op) + ": axis " + std::to_string(axes[i]) +
                       " out of range for rank " + std::to_string(rank));
    if (i > 0 && axes[i] <= axes[i - 1])
      throw ValueError(std::string(op) +
                       ": axes must be sorted ascending without duplicates, got " +
                       std::to_string(axes[i - 1]) + " before " + std::to_string(axes[i]));
  }
}

}  // namespace

Tensor reduce(Reduce op, const Tensor& x, std::span<const int64_t> axes, bool keepdim) {
  const char* name = reduce_name(op);
  if (!x.defined()) throw ValueError(std::string(name) + ": tensor is undefined");
  const int64_t rank = x.dim();
  check_axes(name, axes, rank);
  if (axes.empty()) return cast(x, x.dtype());

  Shape reduced = Shape::filled(static_cast<size_t>(rank), 0);  // 1 marks a reduced axis
  for (int64_t a : axes) reduced[static_cast<size_t>(a)] = 1;
  Shape out_shape;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t size = x.shape()[static_cast<size_t>(d)];
    if (reduced[static_cast<size_t>(d)]) {
      if (size == 0 && op != Reduce::Sum)
        throw ShapeError(std::string(name) + ": cannot reduce over axis " + std::to_string(d) +
                         " of size 0 (shape " + x.shape().str() + "); the result has no value");
      if (keepdim) out_shape.push_back(1);
    } else {
      out_shape.push_back(size);
    }
  }
  if (x.numel() == 0) return zeros(out_shape, x.dtype());  // a sum, or an empty result

  Block block = as_block(x, reduced);
  Tensor src = x;
  if (!block.ok) {
    // Kept axes first, reduced axes last, copied into that order.
    Shape shape, strides;
    for (int pass = 0; pass < 2; ++pass)
      for (int64_t d = 0; d < rank; ++d)
        if ((reduced[static_cast<size_t>(d)] != 0) == (pass == 1)) {
          shape.push_back(x.shape()[static_cast<size_t>(d)]);
          strides.push_back(x.strides()[static_cast<size_t>(d)]);
        }
    src = cast(Tensor::view_of(x, x.offset(), shape, strides), x.dtype());
    block = {true, 1, 1, 1};
    for (int64_t d = 0; d < rank; ++d)
      (reduced[static_cast<size_t>(d)] != 0 ? block.red : block.outer) *=
          x.shape()[static_cast<size_t>(d)];
  }
  Tensor out = Tensor::empty(out_shape, x.dtype());
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    reduce_dispatch<T>(op, src.data<T>(), block.outer, block.red, block.inner, out.data<T>());
  });
  return out;
}

namespace {

// True when v should replace best as the running arg-extreme: strictly better (so the first
// occurrence wins), or the first NaN.
template <bool Max, typename T>
bool better(T v, T best) {
  if (is_nan(best)) return false;
  if (is_nan(v)) return true;
  return Max ? v > best : v < best;
}

template <bool Max, typename T>
void arg_oi(const T* src, int64_t outer, int64_t n, int64_t inner, int64_t* dst) {
  if (inner == 1) {
    split(outer, std::max<int64_t>(1, kReduceGrain / n), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const T* x = src + o * n;
        T best = x[0];
        int64_t at = 0;
        for (int64_t i = 1; i < n; ++i)
          if (better<Max>(x[i], best)) {
            best = x[i];
            at = i;
          }
        dst[o] = at;
      }
    });
    return;
  }
  const int64_t nblocks = (inner + kColumns - 1) / kColumns;
  split(outer * nblocks, std::max<int64_t>(1, kReduceGrain / (n * std::min(inner, kColumns))),
        [&](int64_t begin, int64_t end) {
          T best[kColumns];
          int64_t idx[kColumns];
          for (int64_t t = begin; t < end; ++t) {
            const int64_t o = t / nblocks, j0 = (t % nblocks) * kColumns;
            const int64_t cols = std::min(kColumns, inner - j0);
            const T* x = src + o * n * inner + j0;
            for (int64_t j = 0; j < cols; ++j) {
              best[j] = x[j];
              idx[j] = 0;
            }
            for (int64_t r = 1; r < n; ++r) {
              const T* row = x + r * inner;
              for (int64_t j = 0; j < cols; ++j)
                if (better<Max>(row[j], best[j])) {
                  best[j] = row[j];
                  idx[j] = r;
                }
            }
            std::copy(idx, idx + cols, dst + o * inner + j0);
          }
        });
}

template <bool Max>
Tensor arg_extreme(const char* name, const Tensor& x, int64_t axis, bool keepdim) {
  if (!x.defined()) throw ValueError(std::string(name) + ": tensor is undefined");
  const int64_t rank = x.dim();
  // A 0-dimensional tensor has one element along its (single, implicit) axis 0.
  if (rank == 0 && axis == 0) return zeros(Shape{}, DType::Int64);
  if (axis < 0 || axis >= rank)
    throw IndexError(std::string(name) + ": axis " + std::to_string(axis) +
                     " out of range for rank " + std::to_string(rank));
  const size_t ax = static_cast<size_t>(axis);
  const int64_t n = x.shape()[ax];
  if (n == 0)
    throw ShapeError(std::string(name) + ": cannot take the index over axis " +
                     std::to_string(axis) + " of size 0 (shape " + x.shape().str() + ")");
  Shape out_shape = x.shape();
  if (keepdim)
    out_shape[ax] = 1;
  else
    out_shape.erase(ax);
  Tensor out = Tensor::empty(out_shape, DType::Int64);
  if (out.numel() == 0) return out;
  const Tensor xc = contiguous(x);
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < ax; ++d) outer *= x.shape()[d];
  for (size_t d = ax + 1; d < x.shape().size(); ++d) inner *= x.shape()[d];
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    arg_oi<Max>(xc.data<T>(), outer, n, inner, out.data<int64_t>());
  });
  return out;
}

}  // namespace

Tensor argmax(const Tensor& x, int64_t axis, bool keepdim) {
  return arg_extreme<true>("argmax", x, axis, keepdim);
}

Tensor argmin(const Tensor& x, int64_t axis, bool keepdim) {
  return arg_extreme<false>("argmin", x, axis, keepdim);
}

}  // namespace descent::kernels
