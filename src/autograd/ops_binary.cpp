// Elementwise binary primitives with broadcasting: add, sub, mul, div, pow, maximum, minimum.
// Every rule un-broadcasts its gradients with sum_to, the one place where that happens.
#include "descent/kernels/elementwise.h"
#include "op_helpers.h"

namespace descent {
namespace autograd::defs {

// d(a + b) = da + db
const OpDef kAdd{"add", [](BackwardContext& c, const Tensor& g) -> GradList {
                   return {c.needs(0) ? sum_to(g, c.input_shape(0)) : Tensor(),
                           c.needs(1) ? sum_to(g, c.input_shape(1)) : Tensor()};
                 }};

// d(a − b) = da − db
const OpDef kSub{"sub", [](BackwardContext& c, const Tensor& g) -> GradList {
                   return {c.needs(0) ? sum_to(g, c.input_shape(0)) : Tensor(),
                           c.needs(1) ? sum_to(neg(g), c.input_shape(1)) : Tensor()};
                 }};

// d(a·b) = b·da + a·db: each input receives the gradient times the other ("swap multiplier").
const OpDef kMul{"mul", [](BackwardContext& c, const Tensor& g) -> GradList {
                   return {c.needs(0) ? sum_to(mul(g, c.saved(1)), c.input_shape(0)) : Tensor(),
                           c.needs(1) ? sum_to(mul(g, c.saved(0)), c.input_shape(1)) : Tensor()};
                 }};

// d(a/b) = da/b − a·db/b²
const OpDef kDiv{
    "div", [](BackwardContext& c, const Tensor& g) -> GradList {
      const Tensor a = c.saved(0), b = c.saved(1);
      return {c.needs(0) ? sum_to(div(g, b), c.input_shape(0)) : Tensor(),
              c.needs(1) ? sum_to(neg(div(mul(g, a), mul(b, b))), c.input_shape(1)) : Tensor()};
    }};

// d(a^b) = b·a^(b−1)·da + a^b·ln(a)·db; the second term is taken as 0 where a = 0.
const OpDef kPow{"pow", [](BackwardContext& c, const Tensor& g) -> GradList {
                   const Tensor a = c.saved(0), b = c.saved(1);
                   GradList out{Tensor(), Tensor()};
                   if (c.needs(0))
                     out[0] = sum_to(mul(g, mul(b, pow(a, add(b, -1.0)))), c.input_shape(0));
                   if (c.needs(1)) {
                     const Tensor y = pow(a, b);
                     const Tensor term = mul(g, mul(y, log(a)));
                     out[1] =
                         sum_to(where(eq(a, zero_like_scalar(a)), zero_like_scalar(term), term),
                                c.input_shape(1));
                   }
                   return out;
                 }};

namespace {
// Gradient weights of max(a, b) for a: 1 where a wins, ½ on ties, 0 where b wins.
Tensor winner_weight(const Tensor& mine, const Tensor& other, bool is_max) {
  const Tensor wins = is_max ? gt(mine, other) : lt(mine, other);
  return add(wins, mul(eq(mine, other), 0.5));
}
GradList extremum_backward(BackwardContext& c, const Tensor& g, bool is_max) {
  const Tensor a = c.saved(0).detach(), b = c.saved(1).detach();
  return {c.needs(0) ? sum_to(mul(g, winner_weight(a, b, is_max)), c.input_shape(0)) : Tensor(),
          c.needs(1) ? sum_to(mul(g, winner_weight(b, a, is_max)), c.input_shape(1)) : Tensor()};
}
}  // namespace

// The max gate routes the gradient to the larger input; a tie splits it evenly.
const OpDef kMaximum{
    "maximum", [](BackwardContext& c, const Tensor& g) { return extremum_backward(c, g, true); }};
const OpDef kMinimum{
    "minimum", [](BackwardContext& c, const Tensor& g) { return extremum_backward(c, g, false); }};

}  // namespace autograd::defs

namespace {

enum class Save { Nothing, Inputs };

Tensor binary_primitive(const autograd::OpDef& def, kernels::Binary k, const Tensor& a0,
                        const Tensor& b0, Save save) {
  const autograd::Promoted operands(a0, b0, def.name);
  const Tensor &a = operands.first(), &b = operands.second();
  Tensor out = kernels::binary(k, a, b, def.name);  // checks the shapes, naming the op
  if (autograd::should_record({&a, &b})) {
    autograd::Node& n = autograd::record(def, out, {&a, &b});
    if (save == Save::Inputs) {
      n.save_input(a);
      n.save_input(b);
    }
  }
  return out;
}

Tensor comparison(kernels::Binary k, const Tensor& a0, const Tensor& b0, const char* name) {
  const autograd::Promoted operands(a0, b0, name);
  const Tensor &a = operands.first(), &b = operands.second();
  return kernels::binary(k, a.detach(), b.detach(), name);
}

}  // namespace

using namespace autograd::defs;
using kernels::Binary;

Tensor add(const Tensor& a, const Tensor& b) {
  return binary_primitive(kAdd, Binary::Add, a, b, Save::Nothing);
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return binary_primitive(kSub, Binary::Sub, a, b, Save::Nothing);
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary_primitive(kMul, Binary::Mul, a, b, Save::Inputs);
}
Tensor div(const Tensor& a, const Tensor& b) {
  return binary_primitive(kDiv, Binary::Div, a, b, Save::Inputs);
}
Tensor pow(const Tensor& a, const Tensor& b) {
  return binary_primitive(kPow, Binary::Pow, a, b, Save::Inputs);
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary_primitive(kMaximum, Binary::Maximum, a, b, Save::Inputs);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary_primitive(kMinimum, Binary::Minimum, a, b, Save::Inputs);
}

Tensor eq(const Tensor& a, const Tensor& b) {
  return comparison(Binary::Eq, a, b, "eq");
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return comparison(Binary::Ne, a, b, "ne");
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return comparison(Binary::Lt, a, b, "lt");
}
Tensor le(const Tensor& a, const Tensor& b) {
  return comparison(Binary::Le, a, b, "le");
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return comparison(Binary::Gt, a, b, "gt");
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return comparison(Binary::Ge, a, b, "ge");
}

}  // namespace descent
