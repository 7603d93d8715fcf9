#pragma once
// Helpers for the nn module tests (tests/nn/test_*.cpp other than the loss tests).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "descent/descent.h"

namespace descent::nn_test {

inline constexpr DType F64 = DType::Float64;

// The message of the exception `fn` throws as E, or a failure when it throws nothing or
// something else.
template <typename E, typename Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw the wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "did not throw";
  return "";
}

inline std::vector<double> values(const Tensor& t) {
  return t.to_vector<double>();
}

// Elementwise |got − want| <= atol + rtol·|want|, reporting the first offending index.
inline void expect_close(const Tensor& got, const std::vector<double>& want, double atol,
                         double rtol = 0.0, const std::string& what = "") {
  const std::vector<double> g = values(got);
  ASSERT_EQ(g.size(), want.size()) << what;
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(want[i]) && std::isnan(g[i])) continue;
    ASSERT_LE(std::abs(g[i] - want[i]), atol + rtol * std::abs(want[i]))
        << what << " at flat index " << i << ": got " << g[i] << ", want " << want[i];
  }
}
inline void expect_close(const Tensor& got, const Tensor& want, double atol, double rtol = 0.0,
                         const std::string& what = "") {
  ASSERT_TRUE(got.shape() == want.shape())
      << what << ": shape " << got.shape().str() << " vs " << want.shape().str();
  expect_close(got, values(want), atol, rtol, what);
}

// A float64 leaf with values N(0, scale²) + shift from a fixed seed.
inline Tensor random_input(const Shape& shape, uint64_t seed, double scale = 1.0,
                           double shift = 0.0, bool requires_grad = true) {
  Generator gen(seed);
  Tensor t = add(mul(randn(shape, gen, DType::Float64), scale), shift);
  t = t.detach();
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

struct Moments {
  double mean, std, min, max;
};
inline Moments moments(const Tensor& t) {
  const std::vector<double> v = values(t);
  double s = 0.0, lo = INFINITY, hi = -INFINITY;
  for (double x : v) {
    s += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const double mean = s / static_cast<double>(v.size());
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size())), lo, hi};
}

// gradcheck and gradgradcheck, each reported with its message.
inline void expect_gradients_check(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                                   const std::string& what) {
  const GradcheckResult first = gradcheck(fn, inputs);
  EXPECT_TRUE(first.ok) << what << " (first order): " << first.message;
  const GradcheckResult second = gradgradcheck(fn, inputs);
  EXPECT_TRUE(second.ok) << what << " (second order): " << second.message;
}

}  // namespace descent::nn_test
