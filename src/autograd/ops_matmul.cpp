// Matrix product (primitive for rank >= 2, with NumPy's 1-D promotion as a composite).
#include "descent/kernels/matmul.h"
#include "op_helpers.h"

namespace descent {
namespace autograd::defs {

// For C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC, summed over broadcast batch dimensions.
const OpDef kMatmul{"matmul", [](BackwardContext& c, const Tensor& g) -> GradList {
                      GradList out{Tensor(), Tensor()};
                      if (c.needs(0))
                        out[0] = sum_to(matmul(g, transpose(c.saved(1), -1, -2)), c.input_shape(0));
                      if (c.needs(1))
                        out[1] = sum_to(matmul(transpose(c.saved(0), -1, -2), g), c.input_shape(1));
                      return out;
                    }};

}  // namespace autograd::defs

Tensor matmul(const Tensor& a0, const Tensor& b0) {
  auto [a, b] = autograd::promoted(a0, b0, "matmul");
  if (a.dim() == 0 || b.dim() == 0)
    throw ShapeError("matmul: both operands need at least one dimension, got shapes " +
                     a.shape().str() + " and " + b.shape().str());
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  Tensor out = kernels::matmul(a, b);
  if (autograd::should_record({&a, &b})) {
    autograd::Node& n = autograd::record(autograd::defs::kMatmul, out, {&a, &b});
    n.save_input(a);
    n.save_input(b);
  }
  return out;
}

}  // namespace descent
