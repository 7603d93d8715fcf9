#include "descent/nn/layernorm.h"

#include <string>

#include "descent/core/error.h"
#include "descent/nn/functional.h"
#include "repr_number.h"

namespace descent::nn {

LayerNorm::LayerNorm(Shape shape, LayerNormOptions opts)
    : normalized_shape(std::move(shape)), options(opts) {
  if (normalized_shape.empty()) throw ValueError("LayerNorm: normalized_shape is empty");
  for (int64_t d : normalized_shape)
    if (d <= 0)
      throw ValueError("LayerNorm: normalized_shape " + normalized_shape.str() +
                       " must have positive sizes");
  if (!is_floating(opts.dtype))
    throw DTypeError("LayerNorm: dtype must be floating, got " +
                     std::string(dtype_name(opts.dtype)));
  if (opts.elementwise_affine) {
    weight = register_parameter("weight", ones(normalized_shape, opts.dtype));
    bias = register_parameter("bias", zeros(normalized_shape, opts.dtype));
  }
}

Tensor LayerNorm::forward(const Tensor& input) {
  return layer_norm(input, normalized_shape, weight, bias, options.eps);
}

std::string LayerNorm::extra_repr() const {
  std::string shape = "(";
  for (size_t i = 0; i < normalized_shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(normalized_shape[i]);
  shape += normalized_shape.size() == 1 ? ",)" : ")";
  return shape + ", eps=" + detail::repr_number(options.eps) +
         ", elementwise_affine=" + (options.elementwise_affine ? "True" : "False");
}

}  // namespace descent::nn
