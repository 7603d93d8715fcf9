// dropout (nn/functional.h); linear is the engine's fused primitive.
#include <string>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/functional.h"

namespace descent::nn {

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  if (!(p >= 0.0 && p <= 1.0))
    throw ValueError("dropout: probability has to be between 0 and 1, got " + std::to_string(p));
  if (!x.defined()) throw ValueError("dropout: input is undefined");
  if (!training || p == 0.0) return x;
  if (!is_floating(x.dtype()))
    throw DTypeError("dropout: expected a floating tensor, got " +
                     std::string(dtype_name(x.dtype())));
  if (p == 1.0) return x * 0.0;  // as PyTorch: everything dropped (and 1/(1 − p) is infinite)
  // keep ~ Bernoulli(1 − p): u < 1 − p for u uniform in [0, 1). The mask carries the 1/(1 − p)
  // scale, so the gradient is mask·scale too.
  const Tensor u = rand(x.shape(), gen, x.dtype());
  const Tensor keep = lt(u, scalar_tensor(1.0 - p, x.dtype()));
  return x * (keep * (1.0 / (1.0 - p)));
}

}  // namespace descent::nn
