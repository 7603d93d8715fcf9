#pragma once
// The generalized Gauss–Newton matrix of a softmax cross-entropy model, as a matrix-free
// operator. With logits z = f(θ) ∈ ℝ^{N×C} and L = (1/N) Σ_i CE(softmax(z_i), y_i)
// (mean reduction, no label smoothing), the Hessian splits as
//
//   ∇²L = Jᵀ H_out J + Σ_i Σ_c (∂L/∂z_ic) ∇²z_ic,    J = ∂z/∂θ,
//   H_out = blockdiag_i (1/N)(diag(p_i) − p_i p_iᵀ),  p_i = softmax(z_i),
//
// and the Gauss–Newton matrix G = Jᵀ H_out J drops the second term. G is positive
// semidefinite and does not depend on the labels; it equals ∇²L when z is linear in θ
// (a linear softmax classifier). G v takes three steps:
//
//   1. J v, by the double-backward trick: with a dummy u (shape of z), the vector–Jacobian
//      product a(u) = Jᵀu is recorded (create_graph) once; a is linear in u, so
//      ∇_u ⟨a(u), v⟩ = J v. One backward through the backward graph per product.
//      (Reverse-over-reverse: the engine has no forward mode.)
//   2. r_i = (1/N)(p_i ⊙ (Jv)_i − p_i ⟨p_i, (Jv)_i⟩), elementwise.
//   3. Jᵀ r, one ordinary backward through the retained forward graph.
//
// Cost per product: about two backward passes, no second derivative of the model.
#include <cstdint>
#include <functional>
#include <vector>

#include "descent/analysis/linear_operator.h"
#include "descent/core/tensor.h"

namespace descent::analysis {

class GaussNewtonOperator {
 public:
  // `logits` is called once (gradients enabled) and returns z of shape [N, C] built from
  // `params` (leaves that require gradients).
  GaussNewtonOperator(std::vector<Tensor> params, const std::function<Tensor()>& logits);

  int64_t dim() const { return n_; }
  // G v per parameter (the parameters' shapes and dtypes).
  std::vector<Tensor> apply(const std::vector<Tensor>& v) const;
  Vector apply(const Vector& v) const;
  // This operator as a LinearOperator (which refers to *this: keep it alive).
  LinearOperator as_operator() const;

 private:
  std::vector<Tensor> params_;
  Tensor logits_;            // z, with graph
  Tensor probs_;             // softmax(z), detached
  Tensor dummy_;             // u
  std::vector<Tensor> vjp_;  // Jᵀu per parameter, with graph in u (undefined if unused)
  int64_t n_ = 0;
};

}  // namespace descent::analysis
