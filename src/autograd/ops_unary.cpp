// Elementwise unary primitives, ops with a scalar operand, where, clamp and dtype casts.
#include <cmath>

#include "descent/core/broadcast.h"
#include "descent/kernels/elementwise.h"
#include "op_helpers.h"

namespace descent {
namespace autograd::defs {

using kernels::Binary;

// The rules below use a fused kernel for the common first-order case (grad mode off: nothing
// will differentiate the result) and the equivalent composite of differentiable ops when
// the backward pass is itself being recorded (create_graph), which keeps every order exact.
namespace {
bool recording() {
  return GradMode::is_enabled();
}
}  // namespace

const OpDef kNeg{"neg", [](BackwardContext&, const Tensor& g) -> GradList { return {neg(g)}; }};

// d eˣ = eˣ dx (y saved)
const OpDef kExp{
    "exp", [](BackwardContext& c, const Tensor& g) -> GradList { return {mul(g, c.saved(0))}; }};

// d ln x = dx / x
const OpDef kLog{
    "log", [](BackwardContext& c, const Tensor& g) -> GradList { return {div(g, c.saved(0))}; }};

// d √x = dx / (2√x) (y saved)
const OpDef kSqrt{"sqrt", [](BackwardContext& c, const Tensor& g) -> GradList {
                    return {div(g, mul(c.saved(0), 2.0))};
                  }};

// d|x| = sign(x) dx, with sign(0) = 0
const OpDef kAbs{"abs", [](BackwardContext& c, const Tensor& g) -> GradList {
                   return {mul(g, sign(c.saved(0)))};
                 }};

// d tanh x = (1 − y²) dx
const OpDef kTanh{"tanh", [](BackwardContext& c, const Tensor& g) -> GradList {
                    const Tensor y = c.saved(0);
                    if (!recording()) return {kernels::binary(Binary::TanhGrad, y, g)};
                    return {mul(g, rsub(mul(y, y), 1.0))};
                  }};

// d σ(x) = y(1 − y) dx
const OpDef kSigmoid{"sigmoid", [](BackwardContext& c, const Tensor& g) -> GradList {
                       const Tensor y = c.saved(0);
                       if (!recording()) return {kernels::binary(Binary::SigmoidGrad, y, g)};
                       return {mul(g, mul(y, rsub(y, 1.0)))};
                     }};

// d relu(x) = [x > 0] dx (the mask is read off the saved output, y > 0 ⇔ x > 0)
const OpDef kRelu{"relu", [](BackwardContext& c, const Tensor& g) -> GradList {
                    const Tensor y = c.saved(0).detach();
                    if (!recording()) return {kernels::binary(Binary::ReluGrad, y, g)};
                    return {mul(g, gt(y, zero_like_scalar(y)))};
                  }};

// d leaky_relu(x) = (x > 0 ? 1 : slope) dx
const OpDef kLeakyRelu{"leaky_relu", [](BackwardContext& c, const Tensor& g) -> GradList {
                         const Tensor slope_mask =
                             kernels::unary_scalar(kernels::UnaryScalar::LeakyReluGrad,
                                                   c.saved(0).detach(), c.attrs().scalar);
                         return {mul(g, slope_mask)};
                       }};

// The gradient passes where lo ≤ x ≤ hi.
const OpDef kClamp{"clamp", [](BackwardContext& c, const Tensor& g) -> GradList {
                     return {mul(g, kernels::in_range_mask(c.saved(0).detach(), c.attrs().scalar,
                                                           c.attrs().scalar2))};
                   }};

const OpDef kAddScalar{"add_scalar",
                       [](BackwardContext&, const Tensor& g) -> GradList { return {g}; }};
const OpDef kMulScalar{"mul_scalar", [](BackwardContext& c, const Tensor& g) -> GradList {
                         return {mul(g, c.attrs().scalar)};
                       }};
const OpDef kRSubScalar{"rsub_scalar",
                        [](BackwardContext&, const Tensor& g) -> GradList { return {neg(g)}; }};

// d xᵖ = p·xᵖ⁻¹ dx
const OpDef kPowScalar{"pow_scalar", [](BackwardContext& c, const Tensor& g) -> GradList {
                         const double p = c.attrs().scalar;
                         if (p == 0.0) return {mul(g, 0.0)};
                         const Tensor x = c.saved(0);
                         if (p == 2.0) return {mul(g, mul(x, 2.0))};
                         return {mul(g, mul(pow(x, p - 1.0), p))};
                       }};

// where(c, a, b): a's gradient where c holds, b's elsewhere; the condition gets none.
const OpDef kWhere{
    "where", [](BackwardContext& c, const Tensor& g) -> GradList {
      const Tensor cond = c.saved(0).detach();
      const Tensor zero = zero_like_scalar(g);
      return {Tensor(), c.needs(1) ? sum_to(where(cond, g, zero), c.input_shape(1)) : Tensor(),
              c.needs(2) ? sum_to(where(cond, zero, g), c.input_shape(2)) : Tensor()};
    }};

// A cast's gradient is cast back.
const OpDef kCast{"cast", [](BackwardContext& c, const Tensor& g) -> GradList {
                    return {to(g, c.input_dtype(0))};
                  }};

}  // namespace autograd::defs

using namespace autograd::defs;
using kernels::Unary;
using kernels::UnaryScalar;

namespace {

enum class Keep { Nothing, Input, Output };

Tensor unary_primitive(const autograd::OpDef& def, Unary k, const Tensor& x, Keep keep) {
  autograd::require_defined(x, def.name);
  Tensor out = kernels::unary(k, x);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(def, out, {&x});
    if (keep == Keep::Input) n.save_input(x);
    if (keep == Keep::Output) n.save_output(out);
  }
  return out;
}

// A scalar operand with a fractional value turns an int64 tensor into float32.
Tensor floating_if_needed(const Tensor& x, double s, const char* op) {
  autograd::require_defined(x, op);
  if (x.dtype() == DType::Int64 && s != std::floor(s)) return to(x, DType::Float32);
  return x;
}

Tensor scalar_primitive(const autograd::OpDef& def, UnaryScalar k, const Tensor& x0, double s,
                        bool keep_input) {
  const Tensor x = floating_if_needed(x0, s, def.name);
  Tensor out = kernels::unary_scalar(k, x, s);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(def, out, {&x});
    n.attrs.scalar = s;
    if (keep_input) n.save_input(x);
  }
  return out;
}

}  // namespace

Tensor neg(const Tensor& x) {
  return unary_primitive(kNeg, Unary::Neg, x, Keep::Nothing);
}
Tensor exp(const Tensor& x) {
  return unary_primitive(kExp, Unary::Exp, x, Keep::Output);
}
Tensor log(const Tensor& x) {
  return unary_primitive(kLog, Unary::Log, x, Keep::Input);
}
Tensor sqrt(const Tensor& x) {
  return unary_primitive(kSqrt, Unary::Sqrt, x, Keep::Output);
}
Tensor abs(const Tensor& x) {
  return unary_primitive(kAbs, Unary::Abs, x, Keep::Input);
}
Tensor tanh(const Tensor& x) {
  return unary_primitive(kTanh, Unary::Tanh, x, Keep::Output);
}
Tensor sigmoid(const Tensor& x) {
  return unary_primitive(kSigmoid, Unary::Sigmoid, x, Keep::Output);
}
Tensor relu(const Tensor& x) {
  return unary_primitive(kRelu, Unary::Relu, x, Keep::Output);
}
Tensor sign(const Tensor& x) {
  autograd::require_defined(x, "sign");
  return kernels::unary(Unary::Sign, x);
}

Tensor leaky_relu(const Tensor& x, double slope) {
  autograd::require_floating(x, "leaky_relu");
  return scalar_primitive(kLeakyRelu, UnaryScalar::LeakyRelu, x, slope, true);
}

Tensor add(const Tensor& x, double s) {
  return scalar_primitive(kAddScalar, UnaryScalar::Add, x, s, false);
}
Tensor mul(const Tensor& x, double s) {
  return scalar_primitive(kMulScalar, UnaryScalar::Mul, x, s, false);
}
Tensor rsub(const Tensor& x, double s) {
  return scalar_primitive(kRSubScalar, UnaryScalar::RSub, x, s, false);
}
Tensor pow(const Tensor& x, double p) {
  const Tensor base = x.defined() && x.dtype() == DType::Int64 && p < 0 ? to(x, DType::Float32) : x;
  return scalar_primitive(kPowScalar, UnaryScalar::Pow, base, p, true);
}

Tensor clamp(const Tensor& x, double lo, double hi) {
  autograd::require_defined(x, "clamp");
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    throw ValueError("clamp: need lo <= hi, got lo=" + std::to_string(lo) +
                     ", hi=" + std::to_string(hi));
  Tensor out = kernels::clamp(x, lo, hi);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(kClamp, out, {&x});
    n.attrs.scalar = lo;
    n.attrs.scalar2 = hi;
    n.save_input(x);
  }
  return out;
}
Tensor clamp_min(const Tensor& x, double lo) {
  return clamp(x, lo, INFINITY);
}
Tensor clamp_max(const Tensor& x, double hi) {
  return clamp(x, -INFINITY, hi);
}

Tensor where(const Tensor& cond, const Tensor& a0, const Tensor& b0) {
  autograd::require_defined(cond, "where", "condition");
  const autograd::Promoted operands(a0, b0, "where");
  const Tensor &a = operands.first(), &b = operands.second();
  broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  Tensor out = kernels::where(cond, a, b);
  if (autograd::should_record({&a, &b})) {
    const Tensor c = cond.detach();
    autograd::Node& n = autograd::record(kWhere, out, {&c, &a, &b});
    n.save_input(c);
  }
  return out;
}

Tensor to(const Tensor& x, DType dtype) {
  autograd::require_defined(x, "to");
  if (x.dtype() == dtype) return x;
  Tensor out = kernels::cast(x, dtype);
  if (is_floating(dtype) && autograd::should_record({&x})) autograd::record(kCast, out, {&x});
  return out;
}

}  // namespace descent
