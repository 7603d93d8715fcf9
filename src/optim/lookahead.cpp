// Lookahead: k fast steps of an inner optimizer, then one interpolation of the slow weights.
#include "descent/optim/lookahead.h"

#include <fmt/core.h>

#include "descent/core/error.h"
#include "flat_params.h"
#include "update_util.h"

namespace descent::optim {

void LookaheadOptions::validate(const std::string& optimizer) const {
  if (k < 1) throw_optimizer_error(optimizer, fmt::format("invalid k {} (must be ≥ 1)", k));
  if (!(alpha >= 0.0 && alpha <= 1.0)) {
    throw_optimizer_error(optimizer, fmt::format("invalid alpha {} (must be in [0, 1])", alpha));
  }
}

Lookahead::Lookahead(std::unique_ptr<Optimizer> inner, const LookaheadOptions& options)
    : Optimizer("Lookahead"), inner_(std::move(inner)), options_(options) {
  if (!inner_) throw_optimizer_error(name(), "got no inner optimizer");
  options_.validate(name());
  slow_ = detail::clone_params(inner_->params());
}

void Lookahead::step() {
  inner_->step();
  after_inner_step();
}

double Lookahead::step(const Closure& closure) {
  const double loss = inner_->step(closure);
  after_inner_step();
  return loss;
}

void Lookahead::after_inner_step() {
  options_.validate(name());
  ++step_count_;
  if (step_count_ % options_.k != 0) return;
  const std::vector<Tensor> fast = inner_->params();
  for (size_t i = 0; i < fast.size(); ++i) {
    dispatch_floating(fast[i].dtype(), "Lookahead", [&](auto tag) {
      using T = decltype(tag);
      T* theta = fast[i].data<T>();
      T* phi = slow_[i].data<T>();
      const T alpha = static_cast<T>(options_.alpha);
      detail::update_loop(fast[i].numel(), [&](int64_t begin, int64_t end) {
        for (int64_t j = begin; j < end; ++j) {
          phi[j] = phi[j] + alpha * (theta[j] - phi[j]);
          theta[j] = phi[j];
        }
      });
    });
  }
}

OptimizerState Lookahead::state_dict() const {
  const OptimizerState in = inner_->state_dict();
  OptimizerState out;
  out.optimizer = name();
  nlohmann::json group = {{"k", options_.k},
                          {"alpha", options_.alpha},
                          {"num_params", slow_.size()},
                          {"inner_optimizer", in.optimizer},
                          {"inner_param_groups", in.param_groups}};
  out.param_groups = nlohmann::json::array({group});
  out.scalars = {{"step_count", step_count_}, {"inner", in.scalars}};
  NoGradGuard no_grad;
  for (size_t i = 0; i < slow_.size(); ++i)
    out.tensors[fmt::format("slow.{}", i)] = clone(slow_[i]);
  for (const auto& [key, t] : in.tensors) out.tensors["inner." + key] = t;
  return out;
}

void Lookahead::load_state_dict(const OptimizerState& saved) {
  if (saved.optimizer != name()) {
    fail_state("saved by optimizer '" + saved.optimizer + "', not " + name());
  }
  if (!saved.param_groups.is_array() || saved.param_groups.size() != 1 ||
      !saved.param_groups[0].is_object()) {
    fail_state("must have exactly one Lookahead group");
  }
  const nlohmann::json& group = saved.param_groups[0];
  for (const char* key : {"k", "alpha", "num_params", "inner_optimizer", "inner_param_groups"}) {
    if (!group.contains(key)) fail_state(std::string("lacks ") + key);
  }
  if (group["num_params"] != slow_.size()) fail_state("has a different number of parameters");
  LookaheadOptions options;
  detail::field_from_json(group["k"], options.k, "Lookahead state: option k");
  detail::field_from_json(group["alpha"], options.alpha, "Lookahead state: option alpha");
  options.validate(name());
  if (!saved.scalars.is_object() || !saved.scalars.contains("step_count") ||
      !saved.scalars.contains("inner") || saved.scalars.size() != 2) {
    fail_state("must have scalars step_count and inner, and nothing else");
  }
  int64_t step_count = 0;
  detail::field_from_json(saved.scalars["step_count"], step_count, "Lookahead state: step_count");
  if (step_count < 0) fail_state("has a negative step_count");

  const std::vector<Tensor> params = inner_->params();
  std::vector<Tensor> slow(slow_.size());
  OptimizerState inner_state;
  inner_state.optimizer = group["inner_optimizer"].is_string()
                              ? group["inner_optimizer"].get<std::string>()
                              : std::string("?");
  inner_state.param_groups = group["inner_param_groups"];
  inner_state.scalars = saved.scalars["inner"];
  for (const auto& [key, t] : saved.tensors) {
    if (key.rfind("inner.", 0) == 0) {
      inner_state.tensors[key.substr(6)] = t;
    } else if (key.rfind("slow.", 0) != 0) {
      fail_state("has an unknown tensor " + key);
    }
  }
  for (size_t i = 0; i < slow.size(); ++i) {
    const std::string key = fmt::format("slow.{}", i);
    auto it = saved.tensors.find(key);
    if (it == saved.tensors.end()) fail_state("lacks tensor " + key);
    slow[i] = detail::load_state_tensor(it->second, params[i], key, name());
  }
  if (saved.tensors.size() != slow.size() + inner_state.tensors.size()) {
    fail_state("has slow weights for parameters this optimizer does not have");
  }
  // The inner optimizer checks its part first and changes nothing if it is invalid.
  inner_->load_state_dict(inner_state);
  options_ = options;
  step_count_ = step_count;
  slow_ = std::move(slow);
}

}  // namespace descent::optim
