// Gauss–Newton-vector products for softmax cross-entropy: Jᵀ H_out J v.
#include "descent/analysis/gauss_newton.h"

#include <fmt/core.h>

#include "descent/analysis/param_vector.h"
#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {

GaussNewtonOperator::GaussNewtonOperator(std::vector<Tensor> params,
                                         const std::function<Tensor()>& logits)
    : params_(std::move(params)) {
  if (params_.empty()) throw ValueError("gauss-newton: got an empty parameter list");
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined() || !params_[i].requires_grad() || !params_[i].is_leaf()) {
      throw ValueError(fmt::format(
          "gauss-newton: parameter {} must be a leaf tensor that requires gradients", i));
    }
  }
  if (!logits) throw ValueError("gauss-newton: got an empty logits closure");
  n_ = parameter_count(params_);
  GradModeGuard enable(true);
  logits_ = logits();
  if (!logits_.defined() || logits_.dim() != 2) {
    throw ShapeError(fmt::format("gauss-newton: logits must have shape [N, C], got {}",
                                 logits_.defined() ? logits_.shape().str() : "undefined"));
  }
  if (!logits_.requires_grad()) {
    throw ValueError("gauss-newton: the logits do not depend on the parameters (no graph)");
  }
  {
    NoGradGuard no_grad;
    probs_ = softmax(logits_.detach(), 1);
  }
  dummy_ = zeros(logits_.shape(), logits_.dtype());
  dummy_.set_requires_grad(true);
  vjp_ = grad(
      std::vector<Tensor>{logits_}, params_,
      {.grad_outputs = {dummy_}, .retain_graph = true, .create_graph = true, .allow_unused = true});
}

std::vector<Tensor> GaussNewtonOperator::apply(const std::vector<Tensor>& v) const {
  if (v.size() != params_.size()) {
    throw ValueError(
        fmt::format("gauss-newton: {} vector blocks for {} parameters", v.size(), params_.size()));
  }
  // 1. J v = ∇_u ⟨Jᵀu, v⟩ (blocks whose Jᵀu has no graph in u contribute nothing).
  std::vector<Tensor> outputs, seeds;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!v[i].defined() || v[i].shape() != params_[i].shape()) {
      throw ShapeError(fmt::format("gauss-newton: vector block {} has shape {}, parameter has {}",
                                   i, v[i].defined() ? v[i].shape().str() : "undefined",
                                   params_[i].shape().str()));
    }
    if (vjp_[i].defined() && vjp_[i].requires_grad()) {
      outputs.push_back(vjp_[i]);
      seeds.push_back(to(v[i], vjp_[i].dtype()));
    }
  }
  Tensor jv;
  if (!outputs.empty()) {
    jv = grad(outputs, std::vector<Tensor>{dummy_},
              {.grad_outputs = seeds, .retain_graph = true, .allow_unused = true})[0];
  }
  std::vector<Tensor> out(params_.size());
  if (jv.defined()) {
    // 2. r = (1/N)(p ⊙ Jv − p ⟨p, Jv⟩) per row.
    Tensor r;
    {
      NoGradGuard no_grad;
      const Tensor pjv = probs_ * jv;
      r = (pjv - probs_ * sum(pjv, {1}, true)) * (1.0 / static_cast<double>(logits_.size(0)));
    }
    // 3. Jᵀ r through the retained forward graph.
    out = grad(std::vector<Tensor>{logits_}, params_,
               {.grad_outputs = {r}, .retain_graph = true, .allow_unused = true});
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!out[i].defined()) out[i] = zeros(params_[i].shape(), params_[i].dtype());
  }
  return out;
}

Vector GaussNewtonOperator::apply(const Vector& v) const {
  return flatten(apply(unflatten(v, params_)), params_);
}

LinearOperator GaussNewtonOperator::as_operator() const {
  return {.n = n_, .apply = [this](const Vector& v) { return apply(v); }};
}

}  // namespace descent::analysis
