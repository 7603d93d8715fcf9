#pragma once
// Numerical checks of analytical gradients by float64 central differences, with PyTorch's
// default tolerances: an entry passes when |analytical − numerical| <= atol + rtol·|numerical|.
#include <functional>
#include <string>
#include <vector>

#include "descent/core/tensor.h"

namespace descent {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0.0;
  std::string message;  // which input, which entry, both values, when !ok
  explicit operator bool() const { return ok; }
};

using DifferentiableFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares the Jacobian of fn at `inputs` (float64 tensors; those with requires_grad are
// checked) computed by autograd against central differences.
GradcheckResult gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

// Checks second derivatives: the gradient of ⟨v, fn(inputs)⟩ (with a fixed random v), taken
// with create_graph, is itself gradchecked with respect to the inputs.
GradcheckResult gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace descent
