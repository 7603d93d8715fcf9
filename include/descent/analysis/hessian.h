#pragma once
// The Hessian H = ∇²L(θ) of a scalar loss over a list of parameter tensors, as a matrix-free
// operator. A Hessian-vector product is exact, by double backward (Pearlmutter's trick):
//
//   g(θ) = ∇L(θ)  (recorded with create_graph),   H v = ∇_θ ⟨g(θ), v⟩
//
// i.e. one more reverse pass, through the graph of the first backward, seeded with v. The
// operator evaluates the loss and g once at construction and keeps that graph
// (retain_graph), so every further product costs one backward of the backward: about 2–3
// gradients. Nothing else is recomputed and the parameters are not modified.
//
// Blocks. Built over a subset B of the parameters (one layer, say), the operator is the
// diagonal block H_BB = ∂²L/∂θ_B², the curvature seen when only that block moves.
//
// The parameters must be leaves that require gradients; the closure is called once, with
// gradients enabled, and must build the loss from them (a one-element tensor). A parameter
// the loss does not depend on, or on which it depends linearly, has zero rows in H.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "descent/analysis/linear_operator.h"
#include "descent/core/tensor.h"

namespace descent::nn {
class Module;
}

namespace descent::analysis {

using LossClosure = std::function<Tensor()>;

class HessianOperator {
 public:
  HessianOperator(std::vector<Tensor> params, const LossClosure& loss);

  int64_t dim() const { return n_; }
  double loss() const { return loss_value_; }
  const std::vector<Tensor>& params() const { return params_; }
  // ∇L at θ, flat.
  Vector gradient() const;

  // H v with v given per parameter (shapes of params(), any floating dtype): the fast path,
  // no conversion. Returns one tensor per parameter in the parameter's dtype.
  std::vector<Tensor> apply(const std::vector<Tensor>& v) const;
  // H v on flat float64 vectors.
  Vector apply(const Vector& v) const;
  // This operator as a LinearOperator (which refers to *this: keep it alive).
  LinearOperator as_operator() const;
  // Hessian-vector products computed so far.
  int64_t matvecs() const { return matvecs_; }

  // The dense n×n Hessian (symmetrized), one backward per row: for small n.
  std::vector<double> full() const;

 private:
  std::vector<Tensor> params_;
  std::vector<Tensor> grads_;  // ∇L per parameter, with graph where L is not linear in it
  int64_t n_ = 0;
  double loss_value_ = 0.0;
  mutable int64_t matvecs_ = 0;
};

// The dense Hessian of `loss` over `params` (n×n row-major): HessianOperator(...).full().
std::vector<double> full_hessian(const std::vector<Tensor>& params, const LossClosure& loss);

// Parameters grouped by the module that owns them: names "0.weight" and "0.bias" form block
// "0" (everything before the last '.'); a parameter without a '.' is its own block.
// Blocks keep the order of named_parameters().
struct ParameterBlock {
  std::string name;
  std::vector<std::string> parameter_names;
  std::vector<Tensor> params;
};
std::vector<ParameterBlock> parameter_blocks(const nn::Module& module);

}  // namespace descent::analysis
