#pragma once
// Branch-free exp, tanh and sigmoid that the compiler can vectorize, used for float32 tensors
// (float64 tensors use the C library, whose results are correctly rounded in practice).
//
// exp(x) = 2^n · e^r with n = round(x / ln 2) and r = x − n ln 2 (|r| ≤ ln2/2), e^r by its
// Taylor polynomial to degree 12 (remainder below 2e-16 relative). All in double, so the float
// results they feed are correctly rounded except in rare ties.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace descent::kernels {

template <int Degree>
inline double exp_poly(double x) {
  static_assert(Degree >= 1 && Degree <= 12);
  x = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);  // NaN stays NaN
  constexpr double kLog2e = 1.4426950408889634, kLn2Hi = 0.6931471803691238,
                   kLn2Lo = 1.9082149292705877e-10, kRound = 0x1.8p52;
  const double k = x * kLog2e + kRound;  // the low mantissa bits of k hold round(x / ln 2)
  const double n = k - kRound;
  const double r = (x - n * kLn2Hi) - n * kLn2Lo;
  constexpr double kInvFactorial[13] = {1.0,
                                        1.0,
                                        0.5,
                                        1.0 / 6,
                                        1.0 / 24,
                                        1.0 / 120,
                                        1.0 / 720,
                                        1.0 / 5040,
                                        1.0 / 40320,
                                        1.0 / 362880,
                                        1.0 / 3628800,
                                        1.0 / 39916800,
                                        1.0 / 479001600};
  // Horner's scheme: Σ_{j ≤ Degree} r^j / j!
  double p = kInvFactorial[Degree];
#pragma GCC unroll 13
  for (int j = Degree - 1; j >= 0; --j) p = p * r + kInvFactorial[j];
  const uint64_t scale_bits = (std::bit_cast<uint64_t>(k) + 1023u) << 52;  // 2^n
  return p * std::bit_cast<double>(scale_bits);
}

// Full double accuracy (relative error below 2e-16).
inline double exp_approx(double x) {
  return exp_poly<12>(x);
}
// Relative error below 3e-12: ample for results rounded to float32, and cheaper.
inline double exp_for_float(double x) {
  return exp_poly<9>(x);
}

// ln(x) for normal positive finite x, branch-free so that it vectorizes; relative error below
// 1e-15. x = 2^e · m with m in [√½, √2), and ln m = 2·atanh(t) = 2·Σ t^(2j+1)/(2j+1) with
// t = (m − 1)/(m + 1), |t| ≤ 0.172, to t^19 (remainder below 0.172^21/21 · 2 < 1e-16 relative
// to 2t). Zero, negative, subnormal, infinite and NaN inputs give meaningless values: callers
// check for them and use std::log there.
inline double log_normal(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  // Mantissa scaled into [1, 2), then halved above √2 (with the exponent raised to match).
  const double m1 = std::bit_cast<double>((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  const bool high = m1 > 1.4142135623730951;
  const double m = high ? 0.5 * m1 : m1;
  // The biased exponent k as a double, exactly: k in the low mantissa bits of 2^52 gives the
  // double 2^52 + k. No int64 → double conversion, which AVX2 lacks and which would keep every
  // loop calling this scalar.
  constexpr double kTwo52 = 4503599627370496.0;
  const double biased =
      std::bit_cast<double>(0x4330000000000000ull | ((bits >> 52) & 0x7ff)) - kTwo52;
  const double e = (biased - 1023.0) + (high ? 1.0 : 0.0);
  const double t = (m - 1.0) / (m + 1.0), t2 = t * t;
  double p = 1.0 / 19;
#pragma GCC unroll 10
  for (int j = 8; j >= 0; --j) p = p * t2 + 1.0 / (2 * j + 1);
  constexpr double kLn2Hi = 0.6931471803691238, kLn2Lo = 1.9082149292705877e-10;
  return (e * kLn2Hi + 2.0 * t * p) + e * kLn2Lo;
}

// True where log_normal is valid.
inline bool log_normal_valid(double x) {
  return x >= 2.2250738585072014e-308 && x <= 1.7976931348623157e308;
}

// tanh in float32 arithmetic by a rational minimax approximation, x·P(x²)/Q(x²) with P of
// degree 13 and Q of degree 6 in x, on |x| ≤ 7.9053 (beyond it tanh rounds to ±1), and
// tanh(x) = x below 4e-4. Eight lanes per AVX2 vector and one division; within a few ulp.
inline float tanh_float(float x) {
  constexpr float kClamp = 7.90531110763549805f;
  const float xc = x < -kClamp ? -kClamp : (x > kClamp ? kClamp : x);  // NaN stays NaN
  const float x2 = xc * xc;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * xc;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return std::fabs(x) < 0.0004f ? x : p / q;
}

// σ(x) = 1 / (1 + e^{−x}).
inline float sigmoid_float(float x) {
  return static_cast<float>(1.0 / (1.0 + exp_for_float(-static_cast<double>(x))));
}

inline float exp_float(float x) {
  return static_cast<float>(exp_for_float(x));
}

}  // namespace descent::kernels
