#include "descent/kernels/index.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "descent/kernels/elementwise.h"
#include "loops.h"

namespace descent::kernels {
namespace {

std::string str(int64_t v) {
  return std::to_string(v);
}

void require_defined(const char* op, const Tensor& t, const char* what) {
  if (!t.defined()) throw ValueError(std::string(op) + ": " + what + " is undefined");
}

void require_int64(const char* op, const Tensor& t, const char* what) {
  if (t.dtype() != DType::Int64)
    throw DTypeError(std::string(op) + ": " + what + " must be int64, got " +
                     std::string(dtype_name(t.dtype())));
}

void require_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    throw DTypeError(std::string(op) + ": operands have dtypes " +
                     std::string(dtype_name(a.dtype())) + " and " +
                     std::string(dtype_name(b.dtype())));
}

// `dim` in [-rank, rank) mapped to [0, rank); a 0-dimensional tensor has no dimension to index.
size_t checked_dim(const char* op, int64_t dim, int64_t rank) {
  if (rank == 0)
    throw IndexError(std::string(op) + ": dim " + str(dim) +
                     " out of range for a 0-dimensional tensor");
  return static_cast<size_t>(normalize_axis(dim, rank, op));
}

[[noreturn]] void out_of_range(const char* op, int64_t v, int64_t size, size_t dim) {
  throw IndexError(std::string(op) + ": index " + str(v) + " out of range for dimension " +
                   std::to_string(dim) + " of size " + str(size));
}

Shape without(const Shape& s, size_t d) {
  Shape r = s;
  r.erase(d);
  return r;
}

// The values of a 0- or 1-dimensional int64 index tensor, each checked against `size`.
struct Indices {
  Tensor held;  // keeps a contiguous copy alive when the index was strided
  const int64_t* p;
  int64_t n;
  int64_t operator[](int64_t r) const { return p[r]; }
};

Indices checked_indices(const char* op, const Tensor& idx, int64_t size, size_t dim) {
  require_defined(op, idx, "index");
  require_int64(op, idx, "index");
  if (idx.dim() > 1)
    throw ShapeError(std::string(op) + ": index must be 1-dimensional, got shape " +
                     idx.shape().str());
  Indices v{contiguous(idx), nullptr, idx.numel()};
  v.p = v.held.data<int64_t>();
  for (int64_t r = 0; r < v.n; ++r)
    if (v.p[r] < 0 || v.p[r] >= size) out_of_range(op, v.p[r], size, dim);
  return v;
}

// d += x; int64 wraps on overflow (as in PyTorch) instead of being undefined.
template <typename T>
void add_into(T& d, T x) {
  if constexpr (std::is_same_v<T, int64_t>)
    d = static_cast<int64_t>(static_cast<uint64_t>(d) + static_cast<uint64_t>(x));
  else
    d += x;
}

// Copies (or adds) slices: for each r, dst.select(dim, dst_pos(r)) op= src.select(dim, src_pos(r)).
// One strided loop is built over the shape of a slice and re-based for every r.
template <typename T, bool Add, typename DstPos, typename SrcPos>
void move_slices(const Tensor& dst, const Tensor& src, size_t dim, int64_t count, DstPos dst_pos,
                 SrcPos src_pos, bool parallel) {
  const Shape slice = without(src.shape(), dim);
  char* const dbase = static_cast<char*>(dst.raw_data());
  char* const sbase = static_cast<char*>(src.raw_data());
  const int64_t dstep = dst.strides()[dim] * static_cast<int64_t>(sizeof(T));
  const int64_t sstep = src.strides()[dim] * static_cast<int64_t>(sizeof(T));
  const StridedLoop<2> proto = make_loop<2>(
      slice, {dbase, sbase}, {without(dst.strides(), dim), without(src.strides(), dim)},
      {sizeof(T), sizeof(T)});
  const int64_t per = proto.numel();
  if (per == 0) return;
  const auto body = [&](int64_t begin, int64_t end) {
    StridedLoop<2> loop = proto;
    for (int64_t r = begin; r < end; ++r) {
      loop.base = {dbase + dst_pos(r) * dstep, sbase + src_pos(r) * sstep};
      loop.run(0, per, [](std::array<char*, 2> p, int64_t n, std::array<int64_t, 2> s) {
        if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
          T* d = reinterpret_cast<T*>(p[0]);
          const T* x = reinterpret_cast<const T*>(p[1]);
          if constexpr (Add)
            for (int64_t i = 0; i < n; ++i) add_into(d[i], x[i]);
          else
            std::memcpy(d, x, static_cast<size_t>(n) * sizeof(T));
        } else {
          for (int64_t i = 0; i < n; ++i) {
            T& d = at_bytes<T>(p[0], i * s[0]);
            const T x = at_bytes<T>(p[1], i * s[1]);
            if constexpr (Add)
              add_into(d, x);
            else
              d = x;
          }
        }
      });
    }
  };
  if (parallel)
    split(count, std::max<int64_t>(1, kElementwiseGrain / per), body);
  else
    body(0, count);
}

// Shape checks shared by gather and scatter_add: idx has x's rank and sizes no larger than x's
// outside `dim`.
void check_index_shape(const char* op, const Tensor& idx, const Tensor& x, size_t dim,
                       const char* xname) {
  if (idx.dim() != x.dim())
    throw ShapeError(std::string(op) + ": index of shape " + idx.shape().str() +
                     " must have the rank of " + xname + " " + x.shape().str());
  for (size_t d = 0; d < x.shape().size(); ++d)
    if (d != dim && idx.shape()[d] > x.shape()[d])
      throw ShapeError(std::string(op) + ": index of shape " + idx.shape().str() +
                       " is larger than " + xname + " " + x.shape().str() + " in dimension " +
                       std::to_string(d));
}

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& idx) {
  const char* op = "index_select";
  require_defined(op, x, "input");
  const size_t d = checked_dim(op, dim, x.dim());
  const Indices ids = checked_indices(op, idx, x.shape()[d], d);
  Shape out_shape = x.shape();
  out_shape[d] = ids.n;
  Tensor out = Tensor::empty(out_shape, x.dtype());
  if (out.numel() == 0) return out;
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    if (!x.is_contiguous()) {
      move_slices<T, false>(
          out, x, d, ids.n, [](int64_t r) { return r; }, [&](int64_t r) { return ids[r]; }, true);
      return;
    }
    // Contiguous input: out[o, r, :] = x[o, ids[r], :], rows of `inner` elements.
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < d; ++i) outer *= x.shape()[i];
    for (size_t i = d + 1; i < x.shape().size(); ++i) inner *= x.shape()[i];
    const int64_t size = x.shape()[d], n = ids.n;
    const T* src = x.data<T>();
    T* dst = out.data<T>();
    split(outer * n, std::max<int64_t>(1, kElementwiseGrain / inner), [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) {
        const int64_t o = t / n, r = t % n;
        const T* from = src + (o * size + ids[r]) * inner;
        T* to = dst + t * inner;
        if (inner < 8)
          for (int64_t i = 0; i < inner; ++i) to[i] = from[i];
        else
          std::memcpy(to, from, static_cast<size_t>(inner) * sizeof(T));
      }
    });
  });
  return out;
}

Tensor index_add(const Tensor& base, int64_t dim, const Tensor& idx, const Tensor& src) {
  const char* op = "index_add";
  require_defined(op, base, "base");
  require_defined(op, src, "source");
  require_same_dtype(op, base, src);
  const size_t d = checked_dim(op, dim, base.dim());
  const Indices ids = checked_indices(op, idx, base.shape()[d], d);
  Shape expected = base.shape();
  expected[d] = ids.n;
  if (!(src.shape() == expected))
    throw ShapeError(std::string(op) + ": source of shape " + src.shape().str() + " should be " +
                     expected.str() + " (base " + base.shape().str() + " with " +
                     std::to_string(ids.n) + " indices along dim " + std::to_string(d) + ")");
  Tensor out = cast(base, base.dtype());
  if (src.numel() == 0) return out;
  dispatch(base.dtype(), [&](auto z) {
    using T = decltype(z);
    // Sequential over indices: duplicates accumulate in index order.
    move_slices<T, true>(
        out, src, d, ids.n, [&](int64_t r) { return ids[r]; }, [](int64_t r) { return r; }, false);
  });
  return out;
}

namespace {

// Walks idx (and `other`, of idx's shape) with x's strides, x's stride along dim set to 0; calls
// f(x_element_at_index_zero_along_dim, index value, other element) for every position.
template <typename T, typename U, typename F>
void walk_indexed(const char* op, const Tensor& x, size_t dim, const Tensor& idx,
                  const Tensor& other, F f) {
  Shape xs = x.strides();
  xs[dim] = 0;
  const int64_t size = x.shape()[dim];
  const int64_t step = x.strides()[dim];
  auto loop =
      make_loop<3>(idx.shape(),
                   {static_cast<char*>(x.raw_data()), static_cast<char*>(idx.raw_data()),
                    static_cast<char*>(other.raw_data())},
                   {xs, idx.strides(), other.strides()}, {sizeof(T), sizeof(int64_t), sizeof(U)});
  loop.run(0, loop.numel(), [&](std::array<char*, 3> p, int64_t n, std::array<int64_t, 3> s) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = at_bytes<int64_t>(p[1], i * s[1]);
      if (v < 0 || v >= size) out_of_range(op, v, size, dim);
      f(&at_bytes<T>(p[0], i * s[0]) + v * step, at_bytes<U>(p[2], i * s[2]));
    }
  });
}

}  // namespace

Tensor gather(const Tensor& x, int64_t dim, const Tensor& idx) {
  const char* op = "gather";
  require_defined(op, x, "input");
  require_defined(op, idx, "index");
  require_int64(op, idx, "index");
  const size_t d = checked_dim(op, dim, x.dim());
  check_index_shape(op, idx, x, d, "input");
  Tensor out = Tensor::empty(idx.shape(), x.dtype());
  if (out.numel() == 0) return out;
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    walk_indexed<T, T>(op, x, d, idx, out, [](T* from, T& to) { to = *from; });
  });
  return out;
}

namespace {

// out[..][idx[..]][..] += src[..] along axis d, into `out` in place (scatter_add's loop).
void scatter_add_into(const char* op, const Tensor& out, size_t d, const Tensor& idx,
                      const Tensor& src) {
  if (idx.numel() == 0) return;
  dispatch(out.dtype(), [&](auto z) {
    using T = decltype(z);
    walk_indexed<T, T>(op, out, d, idx, src, [](T* to, T v) { add_into(*to, v); });
  });
}

// scatter_add's checks of index and source against a base (here: one of that shape and dtype
// of source); returns the normalized axis.
size_t check_scatter_add(const char* op, const Tensor& base, int64_t dim, const Tensor& idx,
                         const Tensor& src) {
  require_defined(op, base, "base");
  require_defined(op, idx, "index");
  require_defined(op, src, "source");
  require_int64(op, idx, "index");
  require_same_dtype(op, base, src);
  const size_t d = checked_dim(op, dim, base.dim());
  if (!(idx.shape() == src.shape()))
    throw ShapeError(std::string(op) + ": index of shape " + idx.shape().str() +
                     " and source of shape " + src.shape().str() + " must have the same shape");
  check_index_shape(op, idx, base, d, "base");
  return d;
}

}  // namespace

Tensor scatter_add(const Tensor& base, int64_t dim, const Tensor& idx, const Tensor& src) {
  const size_t d = check_scatter_add("scatter_add", base, dim, idx, src);
  Tensor out = cast(base, base.dtype());
  scatter_add_into("scatter_add", out, d, idx, src);
  return out;
}

Tensor scatter_add_to_zeros(const Shape& shape, int64_t dim, const Tensor& idx, const Tensor& src) {
  require_defined("scatter_add", src, "source");
  Tensor out = zeros(shape, src.dtype());
  const size_t d = check_scatter_add("scatter_add", out, dim, idx, src);
  scatter_add_into("scatter_add", out, d, idx, src);
  return out;
}

Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype) {
  const char* op = "one_hot";
  require_defined(op, labels, "labels");
  require_int64(op, labels, "labels");
  if (num_classes <= 0)
    throw ValueError(std::string(op) + ": num_classes must be positive, got " + str(num_classes));
  Shape out_shape = labels.shape();
  out_shape.push_back(num_classes);
  Tensor out = zeros(out_shape, dtype);
  const Tensor lc = contiguous(labels);
  const int64_t* v = lc.data<int64_t>();
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* o = out.data<T>();
    for (int64_t i = 0; i < lc.numel(); ++i) {
      if (v[i] < 0 || v[i] >= num_classes)
        throw IndexError(std::string(op) + ": label " + str(v[i]) + " out of range for " +
                         str(num_classes) + " classes");
      o[i * num_classes + v[i]] = T(1);
    }
  });
  return out;
}

Tensor concat(std::span<const Tensor> parts, int64_t dim) {
  const char* op = "concat";
  if (parts.empty()) throw ValueError("concat: expected at least one tensor, got none");
  for (size_t i = 0; i < parts.size(); ++i)
    if (!parts[i].defined())
      throw ValueError("concat: part " + std::to_string(i) + " is undefined");
  const Tensor& first = parts[0];
  const size_t d = checked_dim(op, dim, first.dim());
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& p = parts[i];
    if (p.dtype() != first.dtype())
      throw DTypeError("concat: part " + std::to_string(i) + " has dtype " +
                       std::string(dtype_name(p.dtype())) + ", part 0 has " +
                       std::string(dtype_name(first.dtype())));
    bool same = p.dim() == first.dim();
    for (size_t k = 0; same && k < out_shape.size(); ++k)
      same = k == d || p.shape()[k] == first.shape()[k];
    if (!same)
      throw ShapeError("concat: part " + std::to_string(i) + " has shape " + p.shape().str() +
                       ", which does not match part 0's shape " + first.shape().str() +
                       " outside dimension " + std::to_string(d));
    out_shape[d] += p.shape()[d];
  }
  Tensor out = Tensor::empty(out_shape, first.dtype());
  if (out.numel() == 0) return out;
  int64_t at = 0;
  for (const Tensor& p : parts) {
    const int64_t len = p.shape()[d];
    if (len > 0 && p.numel() > 0) {
      Shape shape = out_shape;
      shape[d] = len;
      copy(Tensor::view_of(out, out.offset() + at * out.strides()[d], shape, out.strides()), p);
    }
    at += len;
  }
  return out;
}

Tensor embed_slice(const Tensor& src, const Shape& shape, int64_t dim, int64_t start,
                   int64_t step) {
  const char* op = "embed_slice";
  require_defined(op, src, "source");
  const size_t d = checked_dim(op, dim, static_cast<int64_t>(shape.size()));
  if (step < 1) throw ValueError(std::string(op) + ": step must be positive, got " + str(step));
  bool same = src.shape().size() == shape.size();
  for (size_t k = 0; same && k < shape.size(); ++k) same = k == d || src.shape()[k] == shape[k];
  if (!same)
    throw ShapeError(std::string(op) + ": source of shape " + src.shape().str() +
                     " does not fit shape " + shape.str() + " outside dimension " +
                     std::to_string(d));
  const int64_t len = src.shape()[d], size = shape[d];
  if (start < 0 || start > size)
    throw IndexError(std::string(op) + ": start " + str(start) + " out of range for dimension " +
                     std::to_string(d) + " of size " + str(size));
  if (len > 0) {
    // start + (len - 1)·step must stay inside the dimension (computed without overflow).
    int64_t last;
    if (__builtin_mul_overflow(len - 1, step, &last) || last >= size - start)
      throw IndexError(std::string(op) + ": " + str(len) + " entries from " + str(start) +
                       " with step " + str(step) + " do not fit in dimension " + std::to_string(d) +
                       " of size " + str(size));
  }
  Tensor out = zeros(shape, src.dtype());
  if (src.numel() == 0) return out;
  Shape strides = out.strides();
  strides[d] *= step;
  copy(Tensor::view_of(out, out.offset() + start * out.strides()[d], src.shape(), strides), src);
  return out;
}

}  // namespace descent::kernels
