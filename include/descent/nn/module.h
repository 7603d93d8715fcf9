#pragma once
// Module: the base of every layer and model, as torch.nn.Module.
//
// A module owns three ordered registries: parameters (leaf tensors that require gradients and
// that optimizers update), buffers (state that is saved but not trained, e.g. BatchNorm's
// running statistics) and submodules. Names are dotted paths as in PyTorch: a parameter
// "weight" of the child "fc1" is "fc1.weight"; Sequential's children are "0", "1", ...
//
// Subclasses register in their constructor and usually keep a handle as a member too:
//
//   struct Mlp : nn::Module {
//     std::shared_ptr<nn::Linear> fc1, fc2;
//     Mlp(Generator& gen)
//         : fc1(register_module("fc1", std::make_shared<nn::Linear>(2, 8, true, gen))),
//           fc2(register_module("fc2", std::make_shared<nn::Linear>(8, 1, true, gen))) {}
//     Tensor forward(const Tensor& x) override { return (*fc2)(relu((*fc1)(x))); }
//   };
//
// A Tensor is a handle, so the member and the registry entry name the same data: updating it
// in place (copy_, add_ under NoGradGuard, as optimizers and load_state_dict do) is seen by
// both. Assigning a *new* tensor to the member would not update the registry; don't.
//
// Modules are not copyable (a copy would silently share parameters); hold them by value or in
// std::shared_ptr.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"
#include "descent/nn/state_dict.h"

namespace descent::nn {

// What load_state_dict(strict = false) skipped.
struct LoadResult {
  std::vector<std::string> missing_keys;     // in the module, absent from the state dict
  std::vector<std::string> unexpected_keys;  // in the state dict, absent from the module
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  // The computation. The base version throws: a module that is only a container of others (or
  // that takes several inputs through its own methods) need not define it.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) { return forward(input); }

  // The class name used in messages and repr(), e.g. "Linear".
  virtual std::string type_name() const { return "Module"; }
  // The arguments shown inside the parentheses of repr(), e.g. "in_features=2, ...".
  virtual std::string extra_repr() const { return ""; }
  // The module tree in PyTorch's print format.
  std::string repr() const;

  // --- parameters, buffers, submodules; recursive in registration order, dotted names ---
  // A tensor registered twice (a shared parameter) appears once, under its first name.
  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  std::vector<Tensor> buffers() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  // Direct submodules only.
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  // Calls fn on every submodule (depth first, children before their parent) and then on this
  // module, as PyTorch's Module.apply; the usual way to run a custom initializer over a model.
  void apply(const std::function<void(Module&)>& fn);

  // --- mode ---
  // Training mode (the default) or evaluation mode, set on this module and all submodules.
  // It changes what Dropout and BatchNorm do.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Resets the gradient of every parameter to undefined (PyTorch's zero_grad with
  // set_to_none=True): the next backward() writes fresh gradients instead of adding.
  void zero_grad();

  // --- state ---
  // Parameters and buffers by dotted name: detached views sharing the module's storage (see
  // state_dict.h). Order: this module's parameters, its buffers, then each child's entries.
  StateDict state_dict() const;
  // Copies the values of `state` into this module's parameters and buffers. Everything is
  // checked first — missing keys and unexpected keys (only when strict), shapes and dtypes
  // (always) — and nothing is written unless all checks pass. Failures throw one exception
  // listing every problem: ShapeError if a shape differs, else DTypeError if a dtype differs,
  // else ValueError (missing/unexpected keys). dtypes must match exactly (PyTorch would cast).
  LoadResult load_state_dict(const StateDict& state, bool strict = true);

 protected:
  // Registers a leaf tensor as a trainable parameter and marks it requires_grad. Names are
  // unique among this module's parameters, buffers and children and contain no '.'.
  Tensor register_parameter(std::string name, Tensor tensor);
  Tensor register_buffer(std::string name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }

 private:
  void add_child(std::string name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect_parameters(const std::string& prefix,
                          std::vector<std::pair<std::string, Tensor>>& out) const;
  void collect_buffers(const std::string& prefix,
                       std::vector<std::pair<std::string, Tensor>>& out) const;
  void collect_state(const std::string& prefix, StateDict& out) const;
  void repr_into(std::string& out, int indent) const;

  bool training_ = true;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

}  // namespace descent::nn
