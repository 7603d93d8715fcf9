// The fused log-softmax primitive and the softmax family built on it.
#include <cmath>

#include "descent/kernels/softmax.h"
#include "op_helpers.h"

namespace descent {
namespace autograd::defs {

// For y = log_softmax(x): dx = g − softmax(x)·Σ g = g − exp(y)·Σ g along the axis.
const OpDef kLogSoftmax{"log_softmax", [](BackwardContext& c, const Tensor& g) -> GradList {
                          const Tensor y = c.saved(0);
                          const int64_t dim = c.attrs().dim;
                          if (!GradMode::is_enabled())
                            return {kernels::log_softmax_backward(y, g, dim)};
                          return {sub(g, mul(exp(y), sum(g, {dim}, true)))};
                        }};

}  // namespace autograd::defs

Tensor log_softmax(const Tensor& x, int64_t dim) {
  autograd::require_floating(x, "log_softmax");
  const int64_t d = normalize_axis(dim, x.dim(), "log_softmax");
  Tensor out = kernels::log_softmax(x, d);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(autograd::defs::kLogSoftmax, out, {&x});
    n.attrs.dim = d;
    n.save_output(out);
  }
  return out;
}

Tensor softmax(const Tensor& x, int64_t dim) {
  return exp(log_softmax(x, dim));
}

Tensor logsumexp(const Tensor& x, int64_t dim, bool keepdim) {
  autograd::require_floating(x, "logsumexp");
  // log Σ exp(x) = m + log Σ exp(x − m) with m the (constant) maximum; an infinite maximum is
  // replaced by 0 so that x − m stays defined.
  const Tensor m = max(x, {dim}, true).detach();
  const Tensor finite = lt(abs(m), scalar_tensor(INFINITY, m.dtype()));
  const Tensor shift = where(finite, m, zeros_like(m));
  Tensor out = add(log(sum(exp(sub(x, shift)), {dim}, true)), shift);
  return keepdim ? out : squeeze(out, dim);
}

}  // namespace descent
