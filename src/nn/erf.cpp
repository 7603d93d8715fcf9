// erf and erfc as composites of differentiable primitives (see nn/functional.h for why and how
// accurate). Coefficients: Cephes Math Library, ndtr.c (S. L. Moshier), public domain.
#include <array>
#include <span>
#include <string>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/functional.h"

namespace descent::nn {
namespace {

// erf(x) = x·T(x²)/U(x²) for |x| ≤ 1 (U monic).
constexpr std::array<double, 5> kT = {9.60497373987051638749E0, 9.00260197203842689217E1,
                                      2.23200534594684319226E3, 7.00332514112805075473E3,
                                      5.55923013010394962768E4};
constexpr std::array<double, 5> kU = {3.35617141647503099647E1, 5.21357949780152679795E2,
                                      4.59432382970980127987E3, 2.26290000613890934246E4,
                                      4.92673942608635921086E4};
// erfc(x) = e^{−x²}·P(x)/Q(x) for 1 ≤ x < 8 (Q monic).
constexpr std::array<double, 9> kP = {
    2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
    4.86371970985681366614E1,   1.96520832956077098242E2,  5.26445194995477358631E2,
    9.34528527171957607540E2,   1.02755188689515710272E3,  5.57535335369399327526E2};
constexpr std::array<double, 8> kQ = {1.32281951154744992508E1, 8.67072140885989742329E1,
                                      3.54937778887819891062E2, 9.75708501743205489753E2,
                                      1.82390916687909736289E3, 2.24633760818710981792E3,
                                      1.65666309194161350182E3, 5.57535340817727675546E2};
// erfc(x) = e^{−x²}·R(x)/S(x) for x ≥ 8 (S monic).
constexpr std::array<double, 6> kR = {5.64189583547755073984E-1, 1.27536670759978104416E0,
                                      5.01905042251180477414E0,  6.16021097993053585195E0,
                                      7.40974269950448939160E0,  2.97886665372100240670E0};
constexpr std::array<double, 6> kS = {2.26052863220117276590E0, 9.39603524938001434673E0,
                                      1.20489539808096656605E1, 1.70814450747565897222E1,
                                      9.60896809063285878198E0, 3.36907645100081516050E0};

// c[0]·x^n + c[1]·x^{n−1} + … + c[n], by Horner's rule.
Tensor polynomial(const Tensor& x, std::span<const double> c) {
  Tensor p = x * c[0] + c[1];
  for (size_t i = 2; i < c.size(); ++i) p = p * x + c[i];
  return p;
}

// x^n + c[0]·x^{n−1} + … + c[n−1] (a leading coefficient of 1).
Tensor monic_polynomial(const Tensor& x, std::span<const double> c) {
  Tensor p = x + c[0];
  for (size_t i = 1; i < c.size(); ++i) p = p * x + c[i];
  return p;
}

// Beyond |x| = 30, erfc(|x|) < 1e−392 is 0 in float64; clamping there keeps x² and the
// polynomials finite for any input.
constexpr double kLargest = 30.0;

// e^{−x²} for x in [0, 30], to nearly full precision. Computing x² first would round it with
// relative error ε, which e^{−x²} turns into an absolute error of x²·ε in the exponent (4e−14
// relative at x = 20). Instead x = h + l with h = x rounded to a multiple of 1/128, so that h²
// is exact (h·128 is an integer below 2¹², its square below 2²⁴, exact even in float32), and
//   e^{−x²} = e^{−h²}·e^{−l·(x + h)},   |l·(x + h)| < 0.25.
// The rounding uses the classic trick (y + C) − C with C = 1.5·2^{mantissa bits}, which rounds
// y to an integer in round-to-nearest arithmetic. Autograd sees h as a function of x with some
// derivative, but the split is an identity in x, so the gradient is −2x·e^{−x²} regardless.
Tensor exp_minus_square(const Tensor& x) {
  const double round_constant = x.dtype() == DType::Float64 ? 6755399441055744.0 : 12582912.0;
  const Tensor h = (x * 128.0 + round_constant - round_constant) * (1.0 / 128.0);
  const Tensor l = x - h;
  return exp(-(h * h)) * exp(-(l * (x + h)));
}

struct ErfPieces {
  Tensor small_erf;    // erf(x), valid where |x| ≤ 1
  Tensor erfc_of_abs;  // erfc(|x|), valid where |x| > 1
  Tensor small;        // 1 where |x| ≤ 1
  Tensor is_nan;       // 1 where x is NaN
};

ErfPieces erf_pieces(const Tensor& x, const char* op) {
  if (!x.defined()) throw ValueError(std::string(op) + ": input is undefined");
  if (!is_floating(x.dtype()))
    throw DTypeError(std::string(op) + ": expected a floating tensor, got " +
                     std::string(dtype_name(x.dtype())));
  const Tensor a = abs(x);
  const Tensor xs = clamp(x, -1.0, 1.0);
  const Tensor xs2 = xs * xs;
  const Tensor small_erf = xs * polynomial(xs2, kT) / monic_polynomial(xs2, kU);

  // Both outer ranges share e^{−x²}; each rational function reads |x| clamped to its range.
  const Tensor gaussian = exp_minus_square(clamp(a, 1.0, kLargest));
  const Tensor am = clamp(a, 1.0, 8.0);
  const Tensor mid = polynomial(am, kP) / monic_polynomial(am, kQ);
  const Tensor al = clamp(a, 8.0, kLargest);
  const Tensor far = polynomial(al, kR) / monic_polynomial(al, kS);

  const Tensor eight = scalar_tensor(8.0, x.dtype());
  const Tensor one = scalar_tensor(1.0, x.dtype());
  return {small_erf, gaussian * where(lt(a, eight), mid, far), le(a, one), ne(x, x)};
}

}  // namespace

Tensor erf(const Tensor& x) {
  const ErfPieces p = erf_pieces(x, "erf");
  // erf is odd: erf(x) = sign(x)·(1 − erfc(|x|)) outside [−1, 1].
  const Tensor outer = sign(x) * rsub(p.erfc_of_abs, 1.0);
  return where(p.is_nan, x, where(p.small, p.small_erf, outer));
}

Tensor erfc(const Tensor& x) {
  const ErfPieces p = erf_pieces(x, "erfc");
  // erfc(x) = 2 − erfc(|x|) for negative x.
  const Tensor positive = gt(x, scalar_tensor(0.0, x.dtype()));
  const Tensor outer = where(positive, p.erfc_of_abs, rsub(p.erfc_of_abs, 2.0));
  return where(p.is_nan, x, where(p.small, rsub(p.small_erf, 1.0), outer));
}

}  // namespace descent::nn
