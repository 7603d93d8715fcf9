#pragma once
// Optimizer: the common interface of descent's optimizers, and BasicOptimizer, the typed
// machinery they share (parameter groups, per-parameter state, state dicts).
//
// Semantics follow torch.optim (1.13):
//   - parameters are split into groups, each with its own options (ParamGroup<AdamOptions>);
//   - step() updates every parameter whose .grad is defined, with grad mode off, and skips the
//     others (their state is not even created);
//   - zero_grad() sets gradients to undefined (PyTorch's set_to_none=True);
//   - per-parameter state (momentum buffers, moment estimates, step counts) is created on the
//     first step that touches the parameter.
//
// Options are plain structs with defaults, set with designated initializers:
//   optim::Adam opt(model.parameters(), {.lr = 3e-4, .weight_decay = 0.01});
//
// Closures. Some methods must evaluate the objective several times per step (L-BFGS's line
// search, Newton's Hessian, a Levenberg–Marquardt retry). As in torch.optim they take a
// Closure: a function that zeroes the gradients, recomputes the loss at the *current*
// parameters, calls backward() and returns the loss as a one-element Tensor (we return the
// Tensor, as PyTorch closures do, so an ordinary training-step lambda works unchanged; the
// optimizer reads it with item()). Every optimizer accepts step(closure): the default calls
// the closure once with grad mode on and then step(), so one driver loop serves all of them.
// Optimizers that *need* a closure (requires_closure()) throw from the plain step().
// needs_graph() says the closure must call backward(create_graph = true), because the
// optimizer differentiates the gradient again (Newton); make_closure() builds the standard
// closure over a loss function and honours both.
//
// Each Options and State struct lists its members once in a static `fields()` table (name and
// pointer to member). That one table drives validation messages, state_dict()/load_state_dict(),
// the textual spec parser (spec.h) and the listing of keys, so none of them can forget a field.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/tensor.h"
#include "descent/optim/lr_target.h"

namespace descent::optim {

// One entry of a fields() table: a name and a pointer to the member.
template <typename C, typename T>
struct Field {
  const char* name;
  T C::*ptr;
};
// Spelled out for compilers without class template argument deduction for aggregates (clang
// before 17, used by the fuzz build).
template <typename C, typename T>
Field(const char*, T C::*) -> Field<C, T>;

// Types a field may have. Options use double, bool, int64_t, Betas and std::string (a word such
// as L-BFGS's line_search_fn); states use int64_t, double and Tensor.
using Betas = std::array<double, 2>;

// Calls f(name, member) for every entry of S::fields(), with member a reference into `s`
// (const when s is const).
template <typename S, typename F>
void for_each_field(S& s, F&& f) {
  std::apply([&](auto... field) { (f(field.name, s.*(field.ptr)), ...); },
             std::remove_const_t<S>::fields());
}

template <typename Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

// Everything needed to continue an optimization exactly: the options of every group, the
// scalar state of every parameter (step counts, ...) and its tensors. Keys of per-parameter
// entries are "state.<group>.<index>.<field>" (index within the group), e.g.
// "state.0.3.exp_avg". Tensors here never share storage with the optimizer.
struct OptimizerState {
  std::string optimizer;                  // Optimizer::name(), checked on load
  nlohmann::json param_groups;            // array: the options of each group plus "num_params"
  nlohmann::json scalars;                 // object: "state.<g>.<i>.<field>" -> number
  std::map<std::string, Tensor> tensors;  // "state.<g>.<i>.<field>" -> tensor
};

// Zeroes the gradients, recomputes the loss, calls backward() and returns the loss (one
// element). See "Closures" above.
using Closure = std::function<Tensor()>;

// The interface the CLI, the app and schedulers hold. It is an LrTarget, so any scheduler can
// drive any optimizer.
class Optimizer : public LrTarget {
 public:
  ~Optimizer() override = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // One step driven by a closure; returns the loss of the closure's first call (the loss at
  // the parameters before the step, as PyTorch returns it). The default calls the closure
  // once with grad mode on, then step(). Closure-based optimizers evaluate it several times.
  virtual double step(const Closure& closure);
  // True when step() alone cannot work (L-BFGS, Newton): call step(closure).
  virtual bool requires_closure() const { return false; }
  // True when the closure must call backward(create_graph = true) (second-order methods).
  virtual bool needs_graph() const { return false; }
  // Sets every parameter's gradient to undefined.
  void zero_grad();

  // "SGD", "Adam", ...: PyTorch's class name.
  const std::string& name() const { return name_; }

  // The lr of the first group (all groups share it unless set per group).
  double lr() const { return lr(0); }
  // Sets the lr of every group.
  void set_lr(double lr);
  using LrTarget::lr;
  using LrTarget::set_lr;

  // Every parameter of every group, in order.
  virtual std::vector<Tensor> params() const = 0;

  virtual OptimizerState state_dict() const = 0;
  // Restores options and state saved from an optimizer of the same kind over parameters of the
  // same shapes and dtypes. Everything is checked before anything changes.
  virtual void load_state_dict(const OptimizerState& state) = 0;

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}

  // Shared checks and conversions, used by BasicOptimizer.
  void check_new_params(const std::vector<Tensor>& params) const;
  [[noreturn]] void fail_state(const std::string& message) const;

  // For optimizers with one parameter group of `num_params` parameters (L-BFGS, Newton): checks
  // that `saved` comes from this optimizer with such a group, and returns its validated options.
  template <typename Options>
  Options load_single_group_options(const OptimizerState& saved, size_t num_params) const;

 private:
  std::string name_;
};

// The standard closure over `loss_fn` (which computes the loss with its graph and nothing
// else): zero_grad(), loss = loss_fn(), loss.backward() (with create_graph when
// opt.needs_graph()), return loss. `opt` must outlive the closure.
Closure make_closure(Optimizer& opt, std::function<Tensor()> loss_fn);

namespace detail {

// JSON conversion of a field value (double, bool, int64_t, Betas).
template <typename T>
nlohmann::json field_to_json(const T& v) {
  return nlohmann::json(v);
}
// Reads `j` into `out`; throws ValueError naming `what` on a type mismatch.
void field_from_json(const nlohmann::json& j, double& out, const std::string& what);
void field_from_json(const nlohmann::json& j, bool& out, const std::string& what);
void field_from_json(const nlohmann::json& j, int64_t& out, const std::string& what);
void field_from_json(const nlohmann::json& j, Betas& out, const std::string& what);
void field_from_json(const nlohmann::json& j, std::string& out, const std::string& what);

// A state tensor taken from a saved state: checked against the parameter, then cloned.
Tensor load_state_tensor(const Tensor& saved, const Tensor& param, const std::string& key,
                         const std::string& optimizer);

std::string state_key(size_t group, size_t index, const char* field);

// Calls the closure with grad mode on and returns its loss as a double; ValueError naming
// `optimizer` when it returns an undefined or multi-element tensor.
double closure_loss(const Closure& closure, const std::string& optimizer);

}  // namespace detail

template <typename Options>
Options Optimizer::load_single_group_options(const OptimizerState& saved, size_t num_params) const {
  if (saved.optimizer != name()) {
    fail_state("saved by optimizer '" + saved.optimizer + "', not " + name());
  }
  if (!saved.param_groups.is_array() || saved.param_groups.size() != 1 ||
      !saved.param_groups[0].is_object()) {
    fail_state("must have exactly one parameter group");
  }
  const nlohmann::json& group = saved.param_groups[0];
  if (!group.contains("num_params") || group["num_params"] != num_params) {
    fail_state("has a different number of parameters");
  }
  Options options;
  for_each_field(options, [&](const char* key, auto& v) {
    if (!group.contains(key)) fail_state(std::string("lacks option ") + key);
    detail::field_from_json(group[key], v, name() + " state: option " + key);
  });
  options.validate(name());
  return options;
}

// The typed machinery. Derived must provide
//   static State init_state(const Tensor& param, const Options& options);
//   static void update(const Tensor& param, const Tensor& grad, State& state,
//                      const Options& options);
// and Options must provide `void validate(const std::string& optimizer) const`.
template <typename Derived, typename Options, typename State>
class BasicOptimizer : public Optimizer {
 public:
  using OptionsType = Options;
  using StateType = State;
  using Group = ParamGroup<Options>;

  void add_param_group(std::vector<Tensor> params, const Options& options) {
    options.validate(name());
    check_new_params(params);
    for (const Group& g : groups_) {
      for (const Tensor& p : g.params) {
        for (const Tensor& q : params) {
          if (p.impl() == q.impl()) {
            throw_value("a parameter appears in more than one parameter group");
          }
        }
      }
    }
    states_.emplace_back(params.size());
    groups_.push_back(Group{std::move(params), options});
  }

  std::vector<Group>& param_groups() { return groups_; }
  const std::vector<Group>& param_groups() const { return groups_; }
  Group& param_group(size_t g) { return groups_.at(g); }

  // The state of parameter `index` of group `group`, or nullptr before its first update.
  const State* state(size_t group, size_t index) const {
    const auto& s = states_.at(group);
    return index < s.size() && s[index] ? &*s[index] : nullptr;
  }

  using Optimizer::step;
  void step() override {
    NoGradGuard no_grad;
    for (size_t g = 0; g < groups_.size(); ++g) {
      Group& group = groups_[g];
      group.options.validate(name());  // options may have been edited through param_group()
      states_[g].resize(group.params.size());
      for (size_t i = 0; i < group.params.size(); ++i) {
        const Tensor& p = group.params[i];
        const Tensor grad = p.grad();
        if (!grad.defined()) continue;
        std::optional<State>& st = states_[g][i];
        if (!st) st.emplace(Derived::init_state(p, group.options));
        Derived::update(p, grad, *st, group.options);
      }
    }
  }

  std::vector<Tensor> params() const override {
    std::vector<Tensor> out;
    for (const Group& g : groups_) out.insert(out.end(), g.params.begin(), g.params.end());
    return out;
  }

  // --- LrTarget ---
  size_t num_groups() const override { return groups_.size(); }
  double lr(size_t group) const override { return groups_.at(group).options.lr; }
  void set_lr(size_t group, double lr) override { groups_.at(group).options.lr = lr; }
  using Optimizer::lr;
  using Optimizer::set_lr;

  // Momentum for schedulers (OneCycleLR): SGD's and RMSprop's `momentum`, or betas[0].
  bool has_momentum() const override {
    bool found = false;
    Options o{};
    for_each_field(o, [&](const char* n, auto&) { found |= is_momentum_field(n); });
    return found;
  }
  double momentum(size_t group) const override {
    double m = 0.0;
    for_each_field(groups_.at(group).options, [&](const char* n, const auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, double>) {
        if (std::string_view(n) == "momentum") m = v;
      } else if constexpr (std::is_same_v<T, Betas>) {
        if (std::string_view(n) == "betas") m = v[0];
      }
    });
    return m;
  }
  void set_momentum(size_t group, double m) override {
    for_each_field(groups_.at(group).options, [&](const char* n, auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<T, double>) {
        if (std::string_view(n) == "momentum") v = m;
      } else if constexpr (std::is_same_v<T, Betas>) {
        if (std::string_view(n) == "betas") v[0] = m;
      }
    });
  }

  OptimizerState state_dict() const override {
    OptimizerState out;
    out.optimizer = name();
    out.param_groups = nlohmann::json::array();
    out.scalars = nlohmann::json::object();
    for (size_t g = 0; g < groups_.size(); ++g) {
      nlohmann::json j = nlohmann::json::object();
      for_each_field(groups_[g].options,
                     [&](const char* n, const auto& v) { j[n] = detail::field_to_json(v); });
      j["num_params"] = groups_[g].params.size();
      out.param_groups.push_back(std::move(j));
      for (size_t i = 0; i < states_[g].size(); ++i) {
        if (!states_[g][i]) continue;
        for_each_field(*states_[g][i], [&](const char* n, const auto& v) {
          using T = std::decay_t<decltype(v)>;
          const std::string key = detail::state_key(g, i, n);
          if constexpr (std::is_same_v<T, Tensor>) {
            if (v.defined()) out.tensors[key] = clone(v);
          } else {
            out.scalars[key] = v;
          }
        });
      }
    }
    return out;
  }

  void load_state_dict(const OptimizerState& saved) override {
    if (saved.optimizer != name()) {
      fail_state("saved by optimizer '" + saved.optimizer + "', not " + name());
    }
    if (!saved.param_groups.is_array() || saved.param_groups.size() != groups_.size()) {
      fail_state("has " + std::to_string(saved.param_groups.size()) +
                 " parameter groups, the optimizer has " + std::to_string(groups_.size()));
    }
    // Build everything first; assign only when all of it is valid.
    std::vector<Options> options(groups_.size());
    std::vector<std::vector<std::optional<State>>> states(groups_.size());
    size_t used_scalars = 0, used_tensors = 0;
    for (size_t g = 0; g < groups_.size(); ++g) {
      const nlohmann::json& j = saved.param_groups[g];
      const size_t n = groups_[g].params.size();
      if (!j.is_object() || !j.contains("num_params") || j["num_params"] != n) {
        fail_state("group " + std::to_string(g) + " has a different number of parameters");
      }
      for_each_field(options[g], [&](const char* key, auto& v) {
        if (!j.contains(key)) fail_state("group " + std::to_string(g) + " lacks option " + key);
        detail::field_from_json(j[key], v, name() + " state: option " + key);
      });
      options[g].validate(name());
      states[g].resize(n);
      for (size_t i = 0; i < n; ++i) {
        const std::string prefix = detail::state_key(g, i, "");
        bool any = false;
        State st{};
        for_each_field(st, [&](const char* field, auto& v) {
          using T = std::decay_t<decltype(v)>;
          const std::string key = prefix + field;
          if constexpr (std::is_same_v<T, Tensor>) {
            auto it = saved.tensors.find(key);
            if (it == saved.tensors.end()) return;
            v = detail::load_state_tensor(it->second, groups_[g].params[i], key, name());
            any = true;
            ++used_tensors;
          } else {
            if (!saved.scalars.contains(key)) return;
            detail::field_from_json(saved.scalars[key], v, name() + " state: " + key);
            any = true;
            ++used_scalars;
          }
        });
        if (any) states[g][i].emplace(std::move(st));
      }
    }
    if (used_scalars != saved.scalars.size() || used_tensors != saved.tensors.size()) {
      fail_state("has entries for parameters or fields this optimizer does not have");
    }
    for (size_t g = 0; g < groups_.size(); ++g) groups_[g].options = options[g];
    states_ = std::move(states);
  }

 protected:
  BasicOptimizer(std::string name, std::vector<Tensor> params, const Options& options)
      : Optimizer(std::move(name)) {
    add_param_group(std::move(params), options);
  }

 private:
  static bool is_momentum_field(std::string_view n) { return n == "momentum" || n == "betas"; }
  [[noreturn]] void throw_value(const std::string& msg) const;

  std::vector<Group> groups_;
  // Parallel to groups_[g].params: the state of each parameter, empty until its first update.
  std::vector<std::vector<std::optional<State>>> states_;
};

// Throws ValueError("<optimizer>: <message>").
[[noreturn]] void throw_optimizer_error(const std::string& optimizer, const std::string& message);

template <typename D, typename O, typename S>
void BasicOptimizer<D, O, S>::throw_value(const std::string& msg) const {
  throw_optimizer_error(name(), msg);
}

// --- helpers for Options::validate ---
// Each throws ValueError "<Optimizer>: invalid <option> <value> (<requirement>)".
void require_non_negative(const std::string& optimizer, const char* option, double value);
void require_in_unit_interval(const std::string& optimizer, const char* option, double value);
void require_betas(const std::string& optimizer, const Betas& betas);

}  // namespace descent::optim
