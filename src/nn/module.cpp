#include "descent/nn/module.h"

#include <unordered_set>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::nn {
namespace {

std::string joined(const std::vector<std::string>& keys) {
  std::string s;
  for (const std::string& k : keys) s += (s.empty() ? "'" : ", '") + k + "'";
  return s;
}

std::string dotted(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

}  // namespace

Tensor Module::forward(const Tensor&) {
  throw Error(type_name() + ": forward(Tensor) is not implemented by this module");
}

// --- registration ---

void Module::check_new_name(const std::string& name, const char* what) const {
  const std::string where = type_name() + "." + what;
  if (name.empty()) throw ValueError(where + ": the name is empty");
  if (name.find('.') != std::string::npos)
    throw ValueError(where + ": name '" + name + "' contains '.'");
  auto taken = [&](const auto& registry) {
    for (const auto& entry : registry)
      if (entry.first == name) return true;
    return false;
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_))
    throw ValueError(where + ": name '" + name + "' is already registered");
}

Tensor Module::register_parameter(std::string name, Tensor tensor) {
  check_new_name(name, "register_parameter");
  if (!tensor.defined())
    throw ValueError(type_name() + ".register_parameter: tensor '" + name + "' is undefined");
  if (!tensor.is_leaf())
    throw ValueError(type_name() + ".register_parameter: tensor '" + name +
                     "' is the result of an operation, not a leaf; detach() it first");
  tensor.set_requires_grad(true);  // DTypeError for int64, from Tensor
  parameters_.emplace_back(std::move(name), tensor);
  return tensor;
}

Tensor Module::register_buffer(std::string name, Tensor tensor) {
  check_new_name(name, "register_buffer");
  if (!tensor.defined())
    throw ValueError(type_name() + ".register_buffer: tensor '" + name + "' is undefined");
  buffers_.emplace_back(std::move(name), tensor);
  return tensor;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_new_name(name, "register_module");
  if (!module) throw ValueError(type_name() + ".register_module: module '" + name + "' is null");
  children_.emplace_back(std::move(name), std::move(module));
}

// --- traversal ---

void Module::collect_parameters(const std::string& prefix,
                                std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, t] : parameters_) out.emplace_back(dotted(prefix, name), t);
  for (const auto& [name, child] : children_) child->collect_parameters(dotted(prefix, name), out);
}

void Module::collect_buffers(const std::string& prefix,
                             std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, t] : buffers_) out.emplace_back(dotted(prefix, name), t);
  for (const auto& [name, child] : children_) child->collect_buffers(dotted(prefix, name), out);
}

// Drops repeats of the same tensor (a parameter shared between two submodules), keeping the
// first name, as PyTorch's named_parameters(remove_duplicate=True).
static std::vector<std::pair<std::string, Tensor>> unique_tensors(
    std::vector<std::pair<std::string, Tensor>> all) {
  std::unordered_set<const TensorImpl*> seen;
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& entry : all)
    if (seen.insert(entry.second.impl()).second) out.push_back(std::move(entry));
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> all;
  collect_parameters("", all);
  return unique_tensors(std::move(all));
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& entry : named_parameters()) out.push_back(entry.second);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> all;
  collect_buffers("", all);
  return unique_tensors(std::move(all));
}

std::vector<Tensor> Module::buffers() const {
  std::vector<Tensor> out;
  for (auto& entry : named_buffers()) out.push_back(entry.second);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& entry : children_) out.push_back(entry.second);
  return out;
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& entry : children_) entry.second->apply(fn);
  fn(*this);
}

void Module::train(bool on) {
  training_ = on;
  for (auto& entry : children_) entry.second->train(on);
}

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.set_grad(Tensor());
}

// --- state ---

void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& [name, t] : parameters_) out.insert(dotted(prefix, name), t.detach());
  for (const auto& [name, t] : buffers_) out.insert(dotted(prefix, name), t.detach());
  for (const auto& [name, child] : children_) child->collect_state(dotted(prefix, name), out);
}

StateDict Module::state_dict() const {
  StateDict out;
  collect_state("", out);
  return out;
}

LoadResult Module::load_state_dict(const StateDict& state, bool strict) {
  const StateDict own = state_dict();
  LoadResult result;
  std::vector<std::string> shape_problems, dtype_problems, value_problems;

  for (const auto& [key, target] : own) {
    const Tensor* source = state.find(key);
    if (!source) {
      result.missing_keys.push_back(key);
    } else if (!source->defined()) {
      value_problems.push_back("the value of '" + key + "' is an undefined tensor");
    } else if (!(source->shape() == target.shape())) {
      shape_problems.push_back(
          "size mismatch for '" + key + "': copying a tensor of shape " + source->shape().str() +
          " from the state dict, the shape in the current model is " + target.shape().str());
    } else if (source->dtype() != target.dtype()) {
      dtype_problems.push_back("dtype mismatch for '" + key + "': the state dict has " +
                               std::string(dtype_name(source->dtype())) + ", the model has " +
                               std::string(dtype_name(target.dtype())));
    }
  }
  for (const auto& entry : state)
    if (!own.contains(entry.first)) result.unexpected_keys.push_back(entry.first);

  std::string message;
  auto add = [&](const std::string& line) { message += "\n  " + line; };
  if (strict && !result.missing_keys.empty())
    add("missing key(s) in state dict: " + joined(result.missing_keys));
  if (strict && !result.unexpected_keys.empty())
    add("unexpected key(s) in state dict: " + joined(result.unexpected_keys));
  for (const std::string& p : shape_problems) add(p);
  for (const std::string& p : dtype_problems) add(p);
  for (const std::string& p : value_problems) add(p);
  if (!message.empty()) {
    message = "load_state_dict for " + type_name() + ": nothing was loaded; error(s):" + message;
    if (!shape_problems.empty()) throw ShapeError(message);
    if (!dtype_problems.empty()) throw DTypeError(message);
    throw ValueError(message);
  }

  // Every check passed: now write. A source that shares storage with one of our tensors (a
  // state dict taken from this very module, perhaps with keys swapped) is cloned first so that
  // an earlier copy cannot change what a later one reads.
  NoGradGuard no_grad;
  std::unordered_set<const Storage*> own_storage;
  for (const auto& entry : own) own_storage.insert(entry.second.storage().get());
  std::vector<std::pair<Tensor, Tensor>> copies;  // (target, source)
  for (const auto& [key, target] : own) {
    const Tensor* source = state.find(key);
    if (!source) continue;
    const bool aliased = own_storage.count(source->storage().get()) > 0;
    copies.emplace_back(target, aliased ? descent::clone(source->detach()) : source->detach());
  }
  for (auto& [target, source] : copies) target.copy_(source);
  return result;
}

// --- printing ---

void Module::repr_into(std::string& out, int indent) const {
  // Appended piece by piece (GCC 12 warns falsely about "\n" + std::string chains).
  out.append(type_name()).append("(");
  const std::string extra = extra_repr();
  if (children_.empty()) {
    out.append(extra).append(")");
    return;
  }
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  if (!extra.empty()) out.append("\n").append(pad).append(extra);
  for (const auto& [name, child] : children_) {
    out.append("\n").append(pad).append("(").append(name).append("): ");
    child->repr_into(out, indent + 2);
  }
  out.append("\n").append(static_cast<size_t>(indent), ' ').append(")");
}

std::string Module::repr() const {
  std::string out;
  repr_into(out, 0);
  return out;
}

}  // namespace descent::nn
