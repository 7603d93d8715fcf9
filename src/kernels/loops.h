#pragma once
// Typed map loops over broadcast operands, the building block of every elementwise kernel.
// Each has a contiguous fast path (which the compiler vectorizes), a broadcast-scalar path,
// and a general strided path; large tensors are split over the thread pool.
#include <algorithm>
#include <array>
#include <span>

#include "descent/core/broadcast.h"
#include "descent/kernels/parallel.h"
#include "streaming.h"
#include "strided_loop.h"

namespace descent::kernels {

// Runs body(0, n) inline for small n, or splits it over the pool.
template <typename Body>
void split(int64_t n, int64_t grain, Body&& body) {
  if (n < 2 * grain || num_threads() == 1)
    body(int64_t{0}, n);
  else
    parallel_for(n, grain, body);
}

template <typename T>
inline T& at_bytes(char* p, int64_t byte_offset) {
  return *reinterpret_cast<T*>(p + byte_offset);
}

// True when t can be read as a flat array of n elements in the same order as the output,
// or holds one element that is broadcast to all of them.
inline bool flat_like(const Tensor& t, const Tensor& out) {
  if (t.impl() == out.impl()) return t.is_contiguous();  // in place: no shapes to compare
  return t.is_contiguous() &&
         (t.numel() == out.numel() ? t.shape() == out.shape() : t.numel() == 1);
}

// out[i] = f(a[i]) with a broadcast to out's shape.
template <typename TO, typename TA, typename F>
void map1(const Tensor& out, const Tensor& a, F f, int64_t grain = kElementwiseGrain) {
  if (out.is_contiguous() && flat_like(a, out)) {
    // The common case, without building a strided loop: plain arrays.
    TO* o = static_cast<TO*>(out.raw_data());
    const TA* x = static_cast<const TA*>(a.raw_data());
    const bool scalar = a.numel() == 1 && out.numel() != 1;
    const bool streaming = out.numel() * int64_t{sizeof(TO)} >= kStreamingBytes;
    split(out.numel(), grain, [&](int64_t begin, int64_t end) {
      if (scalar) {
        const TO v = f(*x);
        for (int64_t i = begin; i < end; ++i) o[i] = v;
      } else {
        write_range(o, begin, end, streaming, [&](int64_t i) { return f(x[i]); });
      }
    });
    return;
  }
  auto loop = make_loop<2>(out.shape(),
                           {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data())},
                           {out.strides(), broadcast_strides(a.shape(), a.strides(), out.shape())},
                           {sizeof(TO), sizeof(TA)});
  split(loop.numel(), grain, [&](int64_t begin, int64_t end) {
    loop.run(begin, end, [&](std::array<char*, 2> p, int64_t n, std::array<int64_t, 2> s) {
      TO* o = reinterpret_cast<TO*>(p[0]);
      const TA* x = reinterpret_cast<const TA*>(p[1]);
      if (s[0] == sizeof(TO) && s[1] == sizeof(TA)) {
        for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
      } else {
        for (int64_t i = 0; i < n; ++i)
          at_bytes<TO>(p[0], i * s[0]) = f(at_bytes<TA>(p[1], i * s[1]));
      }
    });
  });
}

// out[i] = f(a[i], b[i]) with a and b broadcast to out's shape.
template <typename TO, typename TA, typename TB, typename F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f,
          int64_t grain = kElementwiseGrain) {
  if (out.is_contiguous() && flat_like(a, out) && flat_like(b, out)) {
    TO* o = static_cast<TO*>(out.raw_data());
    const TA* x = static_cast<const TA*>(a.raw_data());
    const TB* y = static_cast<const TB*>(b.raw_data());
    const bool xs = a.numel() == 1 && out.numel() != 1, ys = b.numel() == 1 && out.numel() != 1;
    const bool streaming = out.numel() * int64_t{sizeof(TO)} >= kStreamingBytes;
    split(out.numel(), grain, [&](int64_t begin, int64_t end) {
      if (!xs && !ys) {
        write_range(o, begin, end, streaming, [&](int64_t i) { return f(x[i], y[i]); });
      } else if (!xs) {
        const TB yv = *y;
        for (int64_t i = begin; i < end; ++i) o[i] = f(x[i], yv);
      } else if (!ys) {
        const TA xv = *x;
        for (int64_t i = begin; i < end; ++i) o[i] = f(xv, y[i]);
      } else {
        const TO v = f(*x, *y);
        for (int64_t i = begin; i < end; ++i) o[i] = v;
      }
    });
    return;
  }
  if (out.is_contiguous() && flat_like(a, out) && b.is_contiguous() && b.numel() > 1 &&
      out.dim() > b.dim() &&
      b.shape() == Shape(std::span(out.shape().end() - b.dim(), out.shape().end()))) {
    // b broadcast along leading dimensions (a bias row added to every example): rows of out.
    TO* o = static_cast<TO*>(out.raw_data());
    const TA* x = static_cast<const TA*>(a.raw_data());
    const TB* y = static_cast<const TB*>(b.raw_data());
    const int64_t row = b.numel(), rows = out.numel() / row;
    const bool xs = a.numel() == 1;
    // A short row (a bias of 3 or 16) is repeated to fill a period of at least kPeriod
    // elements, so that whole periods go through one long loop instead of a short loop per row.
    constexpr int64_t kPeriod = 64;
    TB repeated[2 * kPeriod];
    const int64_t period = row < kPeriod ? (kPeriod + row - 1) / row * row : row;
    const TB* ypat = y;
    if (row < kPeriod) {
      std::copy(y, y + row, repeated);
      for (int64_t filled = row; filled < period; filled *= 2)  // doubling: few short copies
        std::copy(repeated, repeated + std::min(filled, period - filled), repeated + filled);
      ypat = repeated;
    }
    split(rows, std::max<int64_t>(1, grain / row), [&](int64_t begin, int64_t end) {
      if (xs) {
        for (int64_t r = begin; r < end; ++r)
          for (int64_t j = 0; j < row; ++j) o[r * row + j] = f(*x, y[j]);
        return;
      }
      for (int64_t i0 = begin * row; i0 < end * row; i0 += period) {
        const int64_t n = std::min(period, end * row - i0);
        const TA* xp = x + i0;
        TO* op = o + i0;
        // Blocks of 8 computed before they are stored: correct when o is x (in place),
        // without the overlap checks that a loop writing o directly would make.
        int64_t j = 0;
        for (; j + 8 <= n; j += 8) {
          TO v[8];
#pragma GCC unroll 8
          for (int q = 0; q < 8; ++q) v[q] = f(xp[j + q], ypat[j + q]);
#pragma GCC unroll 8
          for (int q = 0; q < 8; ++q) op[j + q] = v[q];
        }
        for (; j < n; ++j) op[j] = f(xp[j], ypat[j]);
      }
    });
    return;
  }
  auto loop = make_loop<3>(out.shape(),
                           {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data()),
                            static_cast<char*>(b.raw_data())},
                           {out.strides(), broadcast_strides(a.shape(), a.strides(), out.shape()),
                            broadcast_strides(b.shape(), b.strides(), out.shape())},
                           {sizeof(TO), sizeof(TA), sizeof(TB)});
  split(loop.numel(), grain, [&](int64_t begin, int64_t end) {
    loop.run(begin, end, [&](std::array<char*, 3> p, int64_t n, std::array<int64_t, 3> s) {
      TO* o = reinterpret_cast<TO*>(p[0]);
      const TA* x = reinterpret_cast<const TA*>(p[1]);
      const TB* y = reinterpret_cast<const TB*>(p[2]);
      const bool out_c = s[0] == sizeof(TO);
      if (out_c && s[1] == sizeof(TA) && s[2] == sizeof(TB)) {
        for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
      } else if (out_c && s[1] == sizeof(TA) && s[2] == 0) {
        const TB yv = *y;
        for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
      } else if (out_c && s[1] == 0 && s[2] == sizeof(TB)) {
        const TA xv = *x;
        for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
      } else {
        for (int64_t i = 0; i < n; ++i)
          at_bytes<TO>(p[0], i * s[0]) =
              f(at_bytes<TA>(p[1], i * s[1]), at_bytes<TB>(p[2], i * s[2]));
      }
    });
  });
}

// out[i] = f(a[i], b[i], c[i]), all broadcast to out's shape.
template <typename TO, typename TA, typename TB, typename TC, typename F>
void map3(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  auto loop = make_loop<4>(out.shape(),
                           {static_cast<char*>(out.raw_data()), static_cast<char*>(a.raw_data()),
                            static_cast<char*>(b.raw_data()), static_cast<char*>(c.raw_data())},
                           {out.strides(), broadcast_strides(a.shape(), a.strides(), out.shape()),
                            broadcast_strides(b.shape(), b.strides(), out.shape()),
                            broadcast_strides(c.shape(), c.strides(), out.shape())},
                           {sizeof(TO), sizeof(TA), sizeof(TB), sizeof(TC)});
  split(loop.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
    loop.run(begin, end, [&](std::array<char*, 4> p, int64_t n, std::array<int64_t, 4> s) {
      for (int64_t i = 0; i < n; ++i)
        at_bytes<TO>(p[0], i * s[0]) = f(at_bytes<TA>(p[1], i * s[1]), at_bytes<TB>(p[2], i * s[2]),
                                         at_bytes<TC>(p[3], i * s[3]));
    });
  });
}

}  // namespace descent::kernels
