// Exact Hessian-vector products by double backward, over all parameters or one block.
#include "descent/analysis/hessian.h"

#include <fmt/core.h>

#include "descent/analysis/param_vector.h"
#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/module.h"
#include "descent/optim/newton.h"

namespace descent::analysis {

HessianOperator::HessianOperator(std::vector<Tensor> params, const LossClosure& loss)
    : params_(std::move(params)) {
  if (params_.empty()) throw ValueError("hessian: got an empty parameter list");
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    if (!p.defined() || !p.requires_grad() || !p.is_leaf()) {
      throw ValueError(
          fmt::format("hessian: parameter {} must be a leaf tensor that requires gradients", i));
    }
  }
  if (!loss) throw ValueError("hessian: got an empty loss closure");
  n_ = parameter_count(params_);
  Tensor value;
  {
    GradModeGuard enable(true);
    value = loss();
  }
  if (!value.defined() || value.numel() != 1) {
    throw ValueError("hessian: the loss closure must return a one-element tensor");
  }
  loss_value_ = value.item();
  if (!value.requires_grad()) {
    throw ValueError("hessian: the loss does not depend on the parameters (no graph)");
  }
  grads_ = grad(std::vector<Tensor>{value}, params_,
                {.retain_graph = true, .create_graph = true, .allow_unused = true});
}

Vector HessianOperator::gradient() const {
  std::vector<Tensor> detached;
  for (const Tensor& g : grads_) detached.push_back(g.defined() ? g.detach() : Tensor());
  return flatten(detached, params_);
}

std::vector<Tensor> HessianOperator::apply(const std::vector<Tensor>& v) const {
  if (v.size() != params_.size()) {
    throw ValueError(
        fmt::format("hessian: {} vector blocks for {} parameters", v.size(), params_.size()));
  }
  // Only gradients with a graph depend on θ; a gradient without one (L linear in that
  // parameter) is constant and contributes nothing to ∇⟨g, v⟩.
  std::vector<Tensor> outputs, seeds;
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!v[i].defined() || v[i].shape() != params_[i].shape()) {
      throw ShapeError(fmt::format("hessian: vector block {} has shape {}, parameter has {}", i,
                                   v[i].defined() ? v[i].shape().str() : "undefined",
                                   params_[i].shape().str()));
    }
    if (grads_[i].defined() && grads_[i].requires_grad()) {
      outputs.push_back(grads_[i]);
      seeds.push_back(v[i].dtype() == grads_[i].dtype() ? v[i] : to(v[i], grads_[i].dtype()));
    }
  }
  ++matvecs_;
  std::vector<Tensor> hv;
  if (!outputs.empty()) {
    hv = grad(
        outputs, params_,
        {.grad_outputs = seeds, .retain_graph = true, .create_graph = false, .allow_unused = true});
  } else {
    hv.resize(params_.size());
  }
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!hv[i].defined()) hv[i] = zeros(params_[i].shape(), params_[i].dtype());
  }
  return hv;
}

Vector HessianOperator::apply(const Vector& v) const {
  return flatten(apply(unflatten(v, params_)), params_);
}

LinearOperator HessianOperator::as_operator() const {
  return {.n = n_, .apply = [this](const Vector& v) { return apply(v); }};
}

std::vector<double> HessianOperator::full() const {
  matvecs_ += n_;
  return optim::hessian_from_grads(grads_, params_);
}

std::vector<double> full_hessian(const std::vector<Tensor>& params, const LossClosure& loss) {
  return HessianOperator(params, loss).full();
}

std::vector<ParameterBlock> parameter_blocks(const nn::Module& module) {
  std::vector<ParameterBlock> blocks;
  for (const auto& [name, p] : module.named_parameters()) {
    const size_t dot = name.rfind('.');
    const std::string block = dot == std::string::npos ? name : name.substr(0, dot);
    if (blocks.empty() || blocks.back().name != block)
      blocks.push_back({.name = block, .parameter_names = {}, .params = {}});
    blocks.back().parameter_names.push_back(name);
    blocks.back().params.push_back(p);
  }
  return blocks;
}

}  // namespace descent::analysis
