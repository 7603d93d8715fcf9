// Full Jacobians by one vector–Jacobian product per output.
#include "descent/analysis/jacobian.h"

#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {

Jacobian jacobian(const std::function<Tensor(const Tensor& x)>& f, const Tensor& x) {
  if (!f) throw ValueError("jacobian: got an empty function");
  if (!x.defined() || x.dtype() == DType::Int64) {
    throw ValueError("jacobian: x must be a defined floating tensor");
  }
  Tensor leaf = clone(x.detach());
  leaf.set_requires_grad(true);
  Tensor y;
  {
    GradModeGuard enable(true);
    y = f(leaf);
  }
  if (!y.defined()) throw ValueError("jacobian: f returned an undefined tensor");
  Jacobian j{.rows = y.numel(), .cols = leaf.numel(), .values = {}};
  j.values.assign(static_cast<size_t>(j.rows * j.cols), 0.0);
  if (!y.requires_grad()) return j;  // f does not depend on x
  const Tensor flat = reshape(y, Shape{j.rows});
  std::vector<double> seed(static_cast<size_t>(j.rows), 0.0);
  for (int64_t i = 0; i < j.rows; ++i) {
    seed[static_cast<size_t>(i)] = 1.0;
    const Tensor row = grad(std::vector<Tensor>{flat}, std::vector<Tensor>{leaf},
                            {.grad_outputs = {from_vector(seed, Shape{j.rows}, y.dtype())},
                             .retain_graph = true,
                             .allow_unused = true})[0];
    seed[static_cast<size_t>(i)] = 0.0;
    if (!row.defined()) continue;
    const std::vector<double> r = contiguous(row).to_vector<double>();
    std::copy(r.begin(), r.end(), j.values.begin() + i * j.cols);
  }
  return j;
}

}  // namespace descent::analysis
