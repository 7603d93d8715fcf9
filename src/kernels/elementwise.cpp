#include "descent/kernels/elementwise.h"

#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "fast_math.h"
#include "loops.h"

namespace descent::kernels {
namespace {

// Transcendental loops are worth splitting over threads at smaller sizes.
constexpr int64_t kHeavyGrain = 8192;

const char* unary_name(Unary op) {
  switch (op) {
    case Unary::Neg:
      return "neg";
    case Unary::Exp:
      return "exp";
    case Unary::Log:
      return "log";
    case Unary::Sqrt:
      return "sqrt";
    case Unary::Abs:
      return "abs";
    case Unary::Tanh:
      return "tanh";
    case Unary::Sigmoid:
      return "sigmoid";
    case Unary::Relu:
      return "relu";
    case Unary::Sign:
      return "sign";
    case Unary::Reciprocal:
      return "reciprocal";
  }
  return "unary";
}

// A double converted to T; for int64 it saturates at the type's range instead of invoking
// undefined behaviour (NaN becomes 0).
template <typename T>
T to_scalar(double v) {
  if constexpr (std::is_same_v<T, int64_t>) {
    if (std::isnan(v)) return 0;
    if (v >= 9.2233720368547758e18) return INT64_MAX;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
  }
  return static_cast<T>(v);
}

// Integer arithmetic wraps around (two's complement) instead of overflowing, which would be
// undefined behaviour; floating arithmetic is the usual IEEE one.
template <typename T>
T add_w(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>)
    return static_cast<T>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y));
  else
    return x + y;
}
template <typename T>
T sub_w(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>)
    return static_cast<T>(static_cast<uint64_t>(x) - static_cast<uint64_t>(y));
  else
    return x - y;
}
template <typename T>
T mul_w(T x, T y) {
  if constexpr (std::is_same_v<T, int64_t>)
    return static_cast<T>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
  else
    return x * y;
}

template <typename T>
T sign_of(T v) {
  return static_cast<T>((v > T(0)) - (v < T(0)));
}

template <typename T>
void unary_floating(Unary op, const Tensor& out, const Tensor& x) {
  constexpr bool f32 = std::is_same_v<T, float>;
  switch (op) {
    case Unary::Exp:
      if constexpr (f32)
        return map1<T, T>(
            out, x, [](T v) { return exp_float(v); }, kHeavyGrain);
      else
        return map1<T, T>(
            out, x, [](T v) { return std::exp(v); }, kHeavyGrain);
    case Unary::Tanh:
      if constexpr (f32)
        return map1<T, T>(
            out, x, [](T v) { return tanh_float(v); }, kHeavyGrain);
      else
        return map1<T, T>(
            out, x, [](T v) { return std::tanh(v); }, kHeavyGrain);
    case Unary::Sigmoid:
      if constexpr (f32)
        return map1<T, T>(
            out, x, [](T v) { return sigmoid_float(v); }, kHeavyGrain);
      else
        return map1<T, T>(
            out, x, [](T v) { return T(1) / (T(1) + std::exp(-v)); }, kHeavyGrain);
    case Unary::Log:
      return map1<T, T>(
          out, x, [](T v) { return std::log(v); }, kHeavyGrain);
    case Unary::Sqrt:
      return map1<T, T>(out, x, [](T v) { return std::sqrt(v); });
    case Unary::Reciprocal:
      return map1<T, T>(out, x, [](T v) { return T(1) / v; });
    default:
      break;
  }
}

template <typename T>
void unary_any(Unary op, const Tensor& out, const Tensor& x) {
  switch (op) {
    case Unary::Neg:
      return map1<T, T>(out, x, [](T v) { return sub_w(T(0), v); });
    case Unary::Abs:
      return map1<T, T>(out, x, [](T v) { return v < T(0) ? sub_w(T(0), v) : v; });
    case Unary::Relu:
      return map1<T, T>(out, x, [](T v) { return v > T(0) ? v : T(0); });
    case Unary::Sign:
      return map1<T, T>(out, x, [](T v) { return sign_of(v); });
    default:
      if constexpr (std::is_floating_point_v<T>) return unary_floating<T>(op, out, x);
      throw DTypeError(std::string(unary_name(op)) + ": expected a floating tensor, got int64");
  }
}

template <typename T>
void unary_scalar_into(UnaryScalar op, const Tensor& out, const Tensor& x, double sd) {
  const T s = to_scalar<T>(sd);
  switch (op) {
    case UnaryScalar::Add:
      return map1<T, T>(out, x, [s](T v) { return add_w(v, s); });
    case UnaryScalar::Mul:
      return map1<T, T>(out, x, [s](T v) { return mul_w(v, s); });
    case UnaryScalar::RSub:
      return map1<T, T>(out, x, [s](T v) { return sub_w(s, v); });
    case UnaryScalar::ClampMin:
      return map1<T, T>(out, x, [s](T v) { return v < s ? s : v; });
    case UnaryScalar::ClampMax:
      return map1<T, T>(out, x, [s](T v) { return v > s ? s : v; });
    case UnaryScalar::LeakyRelu:
      return map1<T, T>(out, x, [s](T v) { return v > T(0) ? v : mul_w(v, s); });
    case UnaryScalar::LeakyReluGrad:
      return map1<T, T>(out, x, [s](T v) { return v > T(0) ? T(1) : s; });
    case UnaryScalar::Pow:
      if constexpr (std::is_floating_point_v<T>) {
        if (sd == 2.0) return map1<T, T>(out, x, [](T v) { return v * v; });
        if (sd == 1.0) return map1<T, T>(out, x, [](T v) { return v; });
        if (sd == 0.5)
          return map1<T, T>(
              out, x, [](T v) { return std::sqrt(v); }, kHeavyGrain);
        return map1<T, T>(
            out, x, [s](T v) { return std::pow(v, s); }, kHeavyGrain);
      } else {
        if (sd < 0 || sd != std::floor(sd))
          throw ValueError("pow: an int64 tensor takes only non-negative integer exponents, got " +
                           std::to_string(sd));
        const int64_t e = static_cast<int64_t>(sd);
        return map1<T, T>(out, x, [e](T v) {
          T r = 1;
          for (int64_t i = 0; i < e; ++i)
            r = static_cast<T>(static_cast<uint64_t>(r) * static_cast<uint64_t>(v));
          return r;
        });
      }
  }
}

template <typename T>
void binary_into(Binary op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
    case Binary::Add:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return add_w(x, y); });
    case Binary::Sub:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return sub_w(x, y); });
    case Binary::Mul:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return mul_w(x, y); });
    case Binary::Div:
      if constexpr (std::is_floating_point_v<T>) {
        return map2<T, T, T>(out, a, b, [](T x, T y) { return x / y; });
      } else {
        // Integer division truncates toward zero as in C; division by zero is an error, not UB.
        return map2<T, T, T>(out, a, b, [](T x, T y) -> T {
          if (y == 0) throw ValueError("div: integer division by zero");
          if (y == -1) return static_cast<T>(0 - static_cast<uint64_t>(x));
          return x / y;
        });
      }
    case Binary::Pow:
      if constexpr (std::is_floating_point_v<T>)
        return map2<T, T, T>(
            out, a, b, [](T x, T y) { return std::pow(x, y); }, kHeavyGrain);
      else
        throw DTypeError("pow: a tensor exponent needs floating tensors, got int64");
    case Binary::Maximum:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return x < y ? y : x; });
    case Binary::Minimum:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return y < x ? y : x; });
    case Binary::Eq:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x == y); });
    case Binary::Ne:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x != y); });
    case Binary::Lt:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x < y); });
    case Binary::Le:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x <= y); });
    case Binary::Gt:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x > y); });
    case Binary::Ge:
      return map2<T, T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x >= y); });
    case Binary::TanhGrad:
      return map2<T, T, T>(out, a, b, [](T y, T g) { return mul_w(g, sub_w(T(1), mul_w(y, y))); });
    case Binary::SigmoidGrad:
      return map2<T, T, T>(out, a, b, [](T y, T g) { return mul_w(mul_w(g, y), sub_w(T(1), y)); });
    case Binary::ReluGrad:
      return map2<T, T, T>(out, a, b, [](T x, T g) { return x > T(0) ? g : T(0); });
  }
}

void require_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  if (a.dtype() != b.dtype())
    throw DTypeError(std::string(op) + ": operands have dtypes " +
                     std::string(dtype_name(a.dtype())) + " and " +
                     std::string(dtype_name(b.dtype())) + "; convert one first");
}

void require_broadcastable_into(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() == b.shape()) return;  // an update of the same shape, as optimizers make
  const Shape s = broadcast_shapes(a.shape(), b.shape(), op);
  if (!(s == a.shape()))
    throw ShapeError(std::string(op) + ": in-place operand of shape " + b.shape().str() +
                     " does not broadcast to " + a.shape().str());
}

// The operand b of an in-place update of a: b itself, or, when b overlaps a through another
// view, a copy of it in `copy` (so that it is read before it is written). A reference rather
// than a new handle: a handle costs two atomic reference-count updates per call, and
// optimizers and gradient accumulation make such calls by the dozen per step.
const Tensor& source_for_inplace(const Tensor& a, const Tensor& b, Tensor& copy) {
  if (!a.shares_storage(b) || a.impl() == b.impl()) return b;
  copy = cast(b, b.dtype());
  return copy;
}

}  // namespace

Tensor unary(Unary op, const Tensor& x) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto z) { unary_any<decltype(z)>(op, out, x); });
  return out;
}

Tensor unary_scalar(UnaryScalar op, const Tensor& x, double s) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto z) { unary_scalar_into<decltype(z)>(op, out, x, s); });
  return out;
}

void unary_scalar_inplace(UnaryScalar op, const Tensor& x, double s) {
  dispatch(x.dtype(), [&](auto z) { unary_scalar_into<decltype(z)>(op, x, x, s); });
  x.storage()->bump_version();
}

Tensor binary(Binary op, const Tensor& a, const Tensor& b, const char* name) {
  require_same_dtype(a, b, name);
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
  dispatch(a.dtype(), [&](auto z) { binary_into<decltype(z)>(op, out, a, b); });
  return out;
}

void binary_inplace(Binary op, const Tensor& a, const Tensor& b) {
  require_same_dtype(a, b, "in-place op");
  require_broadcastable_into(a, b, "in-place op");
  Tensor copy;
  const Tensor& src = source_for_inplace(a, b, copy);
  dispatch(a.dtype(), [&](auto z) { binary_into<decltype(z)>(op, a, a, src); });
  a.storage()->bump_version();
}

void axpy_inplace(const Tensor& a, const Tensor& b, double alpha) {
  require_same_dtype(a, b, "add_");
  if (a.is_contiguous() && b.is_contiguous() && a.shape() == b.shape() && !a.shares_storage(b) &&
      a.numel() * static_cast<int64_t>(dtype_size(a.dtype())) < kStreamingBytes) {
    // What optimizers and gradient accumulation do a dozen times per step: two separate flat
    // arrays of one shape, without the broadcasting and overlap machinery below.
    dispatch(a.dtype(), [&](auto z) {
      using T = decltype(z);
      T* x = static_cast<T*>(a.raw_data());
      const T* __restrict y = static_cast<const T*>(b.raw_data());
      const T s = to_scalar<T>(alpha);
      split(a.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) x[i] = add_w(x[i], mul_w(s, y[i]));
      });
    });
    a.storage()->bump_version();
    return;
  }
  require_broadcastable_into(a, b, "add_");
  Tensor copy;
  const Tensor& src = source_for_inplace(a, b, copy);
  dispatch(a.dtype(), [&](auto z) {
    using T = decltype(z);
    const T s = to_scalar<T>(alpha);
    map2<T, T, T>(a, a, src, [s](T x, T y) { return add_w(x, mul_w(s, y)); });
  });
  a.storage()->bump_version();
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  require_same_dtype(a, b, "where");
  const Shape s =
      broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = Tensor::empty(s, a.dtype());
  dispatch(cond.dtype(), [&](auto zc) {
    using C = decltype(zc);
    dispatch(a.dtype(), [&](auto z) {
      using T = decltype(z);
      map3<T, C, T, T>(out, cond, a, b, [](C c, T x, T y) { return c != C(0) ? x : y; });
    });
  });
  return out;
}

Tensor clamp(const Tensor& x, double lo, double hi) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T l = to_scalar<T>(lo), h = to_scalar<T>(hi);
    map1<T, T>(out, x, [l, h](T v) { return v < l ? l : (v > h ? h : v); });
  });
  return out;
}

Tensor in_range_mask(const Tensor& x, double lo, double hi) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T l = to_scalar<T>(lo), h = to_scalar<T>(hi);
    map1<T, T>(out, x, [l, h](T v) { return static_cast<T>(v >= l && v <= h); });
  });
  return out;
}

void copy(const Tensor& dst, const Tensor& src) {
  require_broadcastable_into(dst, src, "copy_");
  if (dst.is_contiguous() && src.is_contiguous() && dst.dtype() == src.dtype() &&
      dst.shape() == src.shape() && !dst.shares_storage(src)) {
    std::memcpy(dst.raw_data(), src.raw_data(),
                static_cast<size_t>(dst.numel()) * dtype_size(dst.dtype()));
  } else {
    const Tensor from = dst.shares_storage(src) ? cast(src, src.dtype()) : src;
    dispatch(dst.dtype(), [&](auto zd) {
      using D = decltype(zd);
      dispatch(from.dtype(), [&](auto zs) {
        using S = decltype(zs);
        map1<D, S>(dst, from, [](S v) { return static_cast<D>(v); });
      });
    });
  }
  dst.storage()->bump_version();
}

Tensor contiguous(const Tensor& x) {
  if (x.is_contiguous()) return x;
  return cast(x, x.dtype());
}

Tensor cast(const Tensor& x, DType dtype) {
  Tensor out = Tensor::empty(x.shape(), dtype);
  if (x.is_contiguous() && x.dtype() == dtype) {
    std::memcpy(out.raw_data(), x.raw_data(), static_cast<size_t>(x.numel()) * dtype_size(dtype));
    return out;
  }
  dispatch(dtype, [&](auto zd) {
    using D = decltype(zd);
    dispatch(x.dtype(), [&](auto zs) {
      using S = decltype(zs);
      if constexpr (std::is_same_v<D, int64_t> && !std::is_same_v<S, int64_t>) {
        // Float to integer conversion is undefined outside int64's range; refuse it instead.
        map1<D, S>(out, x, [](S v) -> D {
          if (!(v >= S(-9.2233720368547758e18) && v < S(9.2233720368547758e18)))
            throw ValueError("cast: value " + std::to_string(static_cast<double>(v)) +
                             " does not fit in int64");
          return static_cast<D>(v);
        });
      } else {
        map1<D, S>(out, x, [](S v) { return static_cast<D>(v); });
      }
    });
  });
  return out;
}

void fill(const Tensor& x, double value) {
  dispatch(x.dtype(), [&](auto z) {
    using T = decltype(z);
    const T v = to_scalar<T>(value);
    map1<T, T>(x, x, [v](T) { return v; });
  });
  x.storage()->bump_version();
}

}  // namespace descent::kernels
