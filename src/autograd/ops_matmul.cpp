// Matrix product (primitive for rank >= 2, with NumPy's 1-D promotion as a composite).
#include <algorithm>

#include "descent/kernels/elementwise.h"
#include "descent/kernels/matmul.h"
#include "op_helpers.h"

namespace descent {
namespace autograd::defs {

// For C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC, summed over broadcast batch dimensions. In a
// first-order pass of plain matrices (grad mode off: nothing will differentiate the result)
// the products go straight to the kernel, transposes as flags; a small network's backward
// pass is mostly this rule, and the composite's bookkeeping costs as much as the products.
const OpDef kMatmul{
    "matmul", [](BackwardContext& c, const Tensor& g) -> GradList {
      GradList out{Tensor(), Tensor()};
      if (!GradMode::is_enabled() && c.input_shape(0).size() == 2 && c.input_shape(1).size() == 2) {
        if (c.needs(0)) out[0] = kernels::matmul_2d(g, false, c.saved(1), true);
        if (c.needs(1)) out[1] = kernels::matmul_2d(c.saved(0), true, g, false);
        return out;
      }
      if (c.needs(0)) out[0] = sum_to(matmul(g, transpose(c.saved(1), -1, -2)), c.input_shape(0));
      if (c.needs(1)) out[1] = sum_to(matmul(transpose(c.saved(0), -1, -2), g), c.input_shape(1));
      return out;
    }};

// y = x·Wᵀ + b over the last axis of x. The fused form of a dense layer: one node instead of
// transpose, matmul and add, and a weight gradient that arrives in W's own layout.
// dx = g·W,  dW = gᵀ·x (over all leading positions),  db = Σ g over all leading positions.
const OpDef kLinear{"linear", [](BackwardContext& c, const Tensor& g) -> GradList {
                      const Tensor x = c.saved(0), w = c.saved(1);
                      GradList out{Tensor(), Tensor(), Tensor()};
                      if (!GradMode::is_enabled() && x.dim() == 2) {
                        // First order on a matrix input: the products straight to the
                        // kernel, transposes as flags (as in matmul's rule).
                        if (c.needs(0)) out[0] = kernels::matmul_2d(g, false, w, false);
                        if (c.needs(1)) out[1] = kernels::matmul_2d(g, true, x, false);
                        if (c.needs(2)) out[2] = sum_to(g, c.input_shape(2));
                        return out;
                      }
                      if (c.needs(0)) out[0] = matmul(g, w);
                      if (c.needs(1)) {
                        const Tensor g2 = reshape(g, {-1, w.size(0)});
                        const Tensor x2 = reshape(x, {-1, w.size(1)});
                        out[1] = matmul(transpose(g2, 0, 1), x2);
                      }
                      if (c.needs(2)) out[2] = sum_to(g, c.input_shape(2));
                      return out;
                    }};

}  // namespace autograd::defs

Tensor linear(const Tensor& x0, const Tensor& w0, const Tensor& b0) {
  const autograd::Promoted operands(x0, w0, "linear");
  const Tensor &x = operands.first(), &w = operands.second();
  if (w.dim() != 2)
    throw ShapeError("linear: weight must be 2-D [out_features, in_features], got shape " +
                     w.shape().str());
  if (x.dim() < 1 || x.size(-1) != w.size(1))
    throw ShapeError("linear: input of shape " + x.shape().str() +
                     " does not end in in_features = " + std::to_string(w.size(1)) +
                     " (weight of shape " + w.shape().str() + ")");
  const Tensor b = b0.defined() && b0.dtype() != w.dtype() ? to(b0, w.dtype()) : b0;
  if (b.defined() && !(b.shape() == Shape{w.size(0)}))
    throw ShapeError("linear: bias of shape " + b.shape().str() + " does not match weight " +
                     w.shape().str() + "; expected [" + std::to_string(w.size(0)) + "]");
  // The product on x viewed as a matrix [rows, in], then viewed back as [..., out].
  const Tensor xc = kernels::contiguous(x);
  const int64_t rows = x.numel() / std::max<int64_t>(w.size(1), 1);
  const Tensor x2 = Tensor::view_of(xc, xc.offset(), Shape{rows, w.size(1)}, Shape{w.size(1), 1});
  const Tensor y2 = kernels::matmul_2d(x2, false, w, true);
  if (b.defined()) kernels::binary_inplace(kernels::Binary::Add, y2, b);
  Shape out_shape = x.shape();
  out_shape[out_shape.size() - 1] = w.size(0);
  Tensor y = Tensor::view_of(y2, 0, out_shape, contiguous_strides(out_shape));
  if (autograd::should_record({&x, &w, &b})) {
    autograd::Node& n = autograd::record(autograd::defs::kLinear, y, {&x, &w, &b});
    n.save_input(x);
    n.save_input(w);
  }
  return y;
}

Tensor matmul(const Tensor& a0, const Tensor& b0) {
  const autograd::Promoted operands(a0, b0, "matmul");
  const Tensor &a = operands.first(), &b = operands.second();
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
