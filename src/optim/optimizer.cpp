// Optimizer: the non-template parts of the base (checks, errors, state conversion).
#include "descent/optim/optimizer.h"

#include <fmt/core.h>

#include "descent/core/error.h"

namespace descent::optim {

void Optimizer::zero_grad() {
  for (const Tensor& p : params()) p.impl()->grad.reset();
}

double Optimizer::step(const Closure& closure) {
  if (!closure) throw_optimizer_error(name_, "step(closure) got an empty closure");
  const double loss = detail::closure_loss(closure, name_);
  step();
  return loss;
}

Closure make_closure(Optimizer& opt, std::function<Tensor()> loss_fn) {
  if (!loss_fn) throw_optimizer_error(opt.name(), "make_closure got an empty loss function");
  return [&opt, loss_fn = std::move(loss_fn)] {
    opt.zero_grad();
    Tensor loss = loss_fn();
    loss.backward(Tensor(), /*retain_graph=*/false, /*create_graph=*/opt.needs_graph());
    return loss;
  };
}

void Optimizer::set_lr(double lr) {
  for (size_t g = 0; g < num_groups(); ++g) set_lr(g, lr);
}

void Optimizer::check_new_params(const std::vector<Tensor>& params) const {
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    if (!p.defined()) throw_optimizer_error(name_, fmt::format("parameter {} is undefined", i));
    if (p.dtype() != DType::Float32 && p.dtype() != DType::Float64) {
      throw DTypeError(fmt::format("{}: parameter {} must be float32 or float64, got {}", name_, i,
                                   dtype_name(p.dtype())));
    }
    if (!p.is_leaf()) {
      throw_optimizer_error(name_,
                            fmt::format("can't optimize a non-leaf tensor (parameter {})", i));
    }
    if (!p.is_contiguous()) {
      throw_optimizer_error(name_, fmt::format("parameter {} is not contiguous", i));
    }
    for (size_t j = 0; j < i; ++j) {
      if (params[j].impl() == p.impl()) {
        throw_optimizer_error(name_, fmt::format("parameter {} appears twice in a group", i));
      }
    }
  }
}

void Optimizer::fail_state(const std::string& message) const {
  throw ValueError(fmt::format("{}: load_state_dict: the saved state {}", name_, message));
}

void throw_optimizer_error(const std::string& optimizer, const std::string& message) {
  throw ValueError(optimizer + ": " + message);
}

void require_non_negative(const std::string& optimizer, const char* option, double value) {
  if (!(value >= 0.0)) {
    throw ValueError(
        fmt::format("{}: invalid {} {} (must be non-negative)", optimizer, option, value));
  }
}

void require_in_unit_interval(const std::string& optimizer, const char* option, double value) {
  if (!(value >= 0.0 && value < 1.0)) {
    throw ValueError(
        fmt::format("{}: invalid {} {} (must be in [0, 1))", optimizer, option, value));
  }
}

void require_betas(const std::string& optimizer, const Betas& betas) {
  require_in_unit_interval(optimizer, "betas[0] (beta1)", betas[0]);
  require_in_unit_interval(optimizer, "betas[1] (beta2)", betas[1]);
}

namespace detail {

void field_from_json(const nlohmann::json& j, double& out, const std::string& what) {
  if (!j.is_number()) throw ValueError(what + ": expected a number, got " + j.dump());
  out = j.get<double>();
}

void field_from_json(const nlohmann::json& j, bool& out, const std::string& what) {
  if (!j.is_boolean()) throw ValueError(what + ": expected true or false, got " + j.dump());
  out = j.get<bool>();
}

void field_from_json(const nlohmann::json& j, int64_t& out, const std::string& what) {
  if (!j.is_number_integer()) throw ValueError(what + ": expected an integer, got " + j.dump());
  out = j.get<int64_t>();
}

void field_from_json(const nlohmann::json& j, Betas& out, const std::string& what) {
  if (!j.is_array() || j.size() != 2 || !j[0].is_number() || !j[1].is_number()) {
    throw ValueError(what + ": expected two numbers, got " + j.dump());
  }
  out = {j[0].get<double>(), j[1].get<double>()};
}

void field_from_json(const nlohmann::json& j, std::string& out, const std::string& what) {
  if (!j.is_string()) throw ValueError(what + ": expected a string, got " + j.dump());
  out = j.get<std::string>();
}

Tensor load_state_tensor(const Tensor& saved, const Tensor& param, const std::string& key,
                         const std::string& optimizer) {
  if (!saved.defined()) throw ValueError(optimizer + ": load_state_dict: " + key + " is undefined");
  if (saved.shape() != param.shape()) {
    throw ShapeError(fmt::format("{}: load_state_dict: {} has shape {}, the parameter {}",
                                 optimizer, key, saved.shape().str(), param.shape().str()));
  }
  if (saved.dtype() != param.dtype()) {
    throw DTypeError(fmt::format("{}: load_state_dict: {} has dtype {}, the parameter {}",
                                 optimizer, key, dtype_name(saved.dtype()),
                                 dtype_name(param.dtype())));
  }
  NoGradGuard no_grad;
  return clone(saved);
}

double closure_loss(const Closure& closure, const std::string& optimizer) {
  Tensor loss;
  {
    GradModeGuard grad_on(true);
    loss = closure();
  }
  if (!loss.defined() || loss.numel() != 1) {
    throw_optimizer_error(optimizer, loss.defined()
                                         ? fmt::format("the closure returned a tensor of shape {}, "
                                                       "not a one-element loss",
                                                       loss.shape().str())
                                         : std::string("the closure returned an undefined tensor"));
  }
  return loss.item();
}

std::string state_key(size_t group, size_t index, const char* field) {
  return fmt::format("state.{}.{}.{}", group, index, field);
}

}  // namespace detail

}  // namespace descent::optim
