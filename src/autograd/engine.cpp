#include "descent/autograd/engine.h"

#include <atomic>
#include <string>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/node.h"
#include "descent/autograd/ops.h"
#include "descent/kernels/elementwise.h"

namespace descent {

using autograd::Node;

namespace {

std::atomic<uint64_t> g_run_counter{0};

// A vector borrowed from a per-thread free list and given back, emptied but with its capacity,
// when the borrower ends: a backward pass of a small network would otherwise spend a good part
// of its bookkeeping in malloc. A list rather than one vector, so that runs may nest.
template <typename T>
class Scratch {
 public:
  Scratch() {
    auto& spare = free_list();
    if (!spare.empty()) {
      v_ = std::move(spare.back());
      spare.pop_back();
    }
  }
  ~Scratch() {
    // A huge graph's buffers are not kept (a million-node chain would pin megabytes).
    if (v_.capacity() > kKeepCapacity) return;
    v_.clear();
    free_list().push_back(std::move(v_));
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::vector<T>& operator*() { return v_; }
  std::vector<T>* operator->() { return &v_; }

 private:
  static std::vector<std::vector<T>>& free_list() {
    thread_local std::vector<std::vector<T>> spare;
    return spare;
  }
  static constexpr size_t kKeepCapacity = 4096;
  std::vector<T> v_;
};

// Adds g into an accumulator slot. Without create_graph the sum is done in place when the
// slot already owns a private tensor; otherwise it is a (recorded) addition.
void accumulate(Tensor& slot, const Tensor& g, bool create_graph) {
  if (!slot.defined()) {
    slot = g;
    return;
  }
  slot = add(slot, g);
  (void)create_graph;
}

// The gradient stored in a leaf's .grad must not alias a tensor somebody else holds (a rule
// may pass the same gradient to two inputs), because optimizers update .grad in place.
Tensor owned_for_leaf(const Tensor& g, bool create_graph) {
  if (create_graph) return g;
  if (g.impl()->ref_count() <= 2 && g.storage()->ref_count() == 1 && g.is_contiguous())
    return g.detach();
  return kernels::cast(g, g.dtype());
}

void accumulate_into_leaf(TensorImpl* leaf, const Tensor& g, bool create_graph) {
  if (!leaf->grad) {
    Tensor owned = owned_for_leaf(g, create_graph);
    leaf->grad = Ref<TensorImpl>(owned.impl());
    return;
  }
  Tensor current(leaf->grad);
  if (!create_graph && !current.requires_grad()) {
    kernels::axpy_inplace(current, g, 1.0);
  } else {
    Tensor sum = add(current, g);
    leaf->grad = Ref<TensorImpl>(sum.impl());
  }
}

struct Target {
  Node* node = nullptr;        // non-leaf input: captured when its node's gradient is complete
  TensorImpl* leaf = nullptr;  // leaf input: captured when gradient reaches it
};

class Run {
 public:
  Run(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
      const std::vector<Tensor>* inputs, bool retain_graph, bool create_graph)
      : outputs_(outputs),
        inputs_(inputs),
        retain_(retain_graph),
        create_(create_graph),
        id_(++g_run_counter) {
    roots_grads_ = initial_grads(outputs, grad_outputs);
  }

  // Executes the pass; returns captured gradients (grad mode) or nothing (backward mode).
  std::vector<Tensor> execute() {
    GradModeGuard mode(create_);
    if (inputs_) set_up_targets();
    Scratch<Node*> order_scratch;
    std::vector<Node*>& order = *order_scratch;
    post_order(order);
    mark_needed(order);
    seed_roots();
    for (size_t k = order.size(); k-- > 0;) run_node(*order[k]);
    for (Node* n : order) {
      n->grad_buffer = Tensor();
      if (!retain_) n->release();
    }
    return std::move(captured_);
  }

 private:
  static std::vector<Tensor> initial_grads(const std::vector<Tensor>& outputs,
                                           const std::vector<Tensor>& grad_outputs) {
    if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
      throw AutogradError("grad: " + std::to_string(grad_outputs.size()) + " grad_outputs for " +
                          std::to_string(outputs.size()) + " outputs");
    std::vector<Tensor> grads;
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Tensor& out = outputs[i];
      if (!out.defined())
        throw AutogradError("grad: output " + std::to_string(i) + " is undefined");
      if (!out.requires_grad())
        throw AutogradError("grad: output " + std::to_string(i) +
                            " does not require grad and has no grad_fn");
      const Tensor given = grad_outputs.empty() ? Tensor() : grad_outputs[i];
      if (given.defined()) {
        if (!(given.shape() == out.shape()))
          throw ShapeError("grad: grad_outputs[" + std::to_string(i) + "] has shape " +
                           given.shape().str() + " but output " + std::to_string(i) +
                           " has shape " + out.shape().str());
        grads.push_back(given.dtype() == out.dtype() ? given : kernels::cast(given, out.dtype()));
      } else {
        if (out.numel() != 1)
          throw AutogradError("grad: output " + std::to_string(i) + " has shape " +
                              out.shape().str() +
                              "; gradients can be implicitly created only for outputs with one "
                              "element; pass grad_outputs");
        grads.push_back(ones(out.shape(), out.dtype()));
      }
    }
    return grads;
  }

  void set_up_targets() {
    targets_.resize(inputs_->size());
    captured_.resize(inputs_->size());
    for (size_t i = 0; i < inputs_->size(); ++i) {
      const Tensor& in = (*inputs_)[i];
      if (!in.defined() || !in.requires_grad())
        throw AutogradError("grad: input " + std::to_string(i) + " does not require grad");
      if (in.grad_fn())
        targets_[i].node = in.grad_fn().get();
      else
        targets_[i].leaf = in.impl();
    }
  }

  void touch(Node* n) {
    if (n->run_id != id_) {
      n->run_id = id_;
      n->visited = false;
      n->needed = false;
      n->capture = false;
      n->needed_edges = 0;
      n->grad_buffer = Tensor();
    }
  }

  // Iterative depth-first search; a node is emitted after everything it feeds gradients to,
  // so the reverse of this order is a topological order of the backward pass.
  void post_order(std::vector<Node*>& order) {
    Scratch<std::pair<Node*, size_t>> stack_scratch;
    std::vector<std::pair<Node*, size_t>>& stack = *stack_scratch;
    for (const Tensor& out : outputs_) {
      Node* root = out.grad_fn().get();
      if (!root) continue;
      touch(root);
      if (root->visited) continue;
      root->visited = true;
      stack.emplace_back(root, 0);
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < node->next.size()) {
          Node* child = node->next[next++].fn.get();
          if (!child) continue;
          touch(child);
          if (child->visited) continue;
          child->visited = true;
          stack.emplace_back(child, 0);
        } else {
          order.push_back(node);
          stack.pop_back();
        }
      }
    }
  }

  bool leaf_is_target(TensorImpl* leaf) const {
    if (!inputs_) return true;
    for (const Target& t : targets_)
      if (t.leaf == leaf) return true;
    return false;
  }

  // A node is needed when a target is reachable from it; children come first in post-order.
  void mark_needed(const std::vector<Node*>& order) {
    for (size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i].node && targets_[i].node->run_id == id_) targets_[i].node->capture = true;
    for (Node* n : order) {
      for (size_t i = 0; i < n->next.size(); ++i) {
        const autograd::Edge& e = n->next[i];
        const bool need = e.fn ? e.fn->needed : (e.leaf && leaf_is_target(e.leaf.get()));
        if (need && i < 64) n->needed_edges |= uint64_t{1} << i;
        if (need) n->needed = true;
      }
      if (n->capture) n->needed = true;
    }
  }

  void deliver_to_leaf(TensorImpl* leaf, const Tensor& g) {
    if (!inputs_) {
      accumulate_into_leaf(leaf, g, create_);
      return;
    }
    for (size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i].leaf == leaf) accumulate(captured_[i], g, create_);
  }

  void seed_roots() {
    for (size_t i = 0; i < outputs_.size(); ++i) {
      const Tensor& out = outputs_[i];
      if (Node* root = out.grad_fn().get())
        accumulate(root->grad_buffer, roots_grads_[i], create_);
      else
        deliver_to_leaf(out.impl(), roots_grads_[i]);
    }
  }

  void run_node(Node& n) {
    if (!n.needed || !n.grad_buffer.defined()) return;
    if (n.capture)
      for (size_t i = 0; i < targets_.size(); ++i)
        if (targets_[i].node == &n) accumulate(captured_[i], n.grad_buffer, create_);
    if ((n.needed_edges == 0 && n.next.size() <= 64) || !n.op->differentiable) return;
    if (n.released)
      throw AutogradError(std::string("backward through ") + n.op->name +
                          " a second time: its saved tensors were freed after the first "
                          "backward; pass retain_graph=true to differentiate a graph twice");
    autograd::BackwardContext ctx(n);
    const Tensor grad = std::move(n.grad_buffer);
    autograd::GradList grads = n.op->backward(ctx, grad);
    for (size_t i = 0; i < n.next.size() && i < grads.size(); ++i) {
      if (!ctx.needs(i) || !grads[i].defined()) continue;
      Tensor g = grads[i];
      if (!(g.shape() == n.inputs[i].shape))
        throw AutogradError(std::string("backward of ") + n.op->name +
                            " returned a gradient of shape " + g.shape().str() + " for input " +
                            std::to_string(i) + " of shape " + n.inputs[i].shape.str());
      const autograd::Edge& e = n.next[i];
      if (e.fn)
        accumulate(e.fn->grad_buffer, g, create_);
      else
        deliver_to_leaf(e.leaf.get(), g);
    }
  }

  const std::vector<Tensor>& outputs_;
  const std::vector<Tensor>* inputs_;
  bool retain_, create_;
  uint64_t id_;
  std::vector<Tensor> roots_grads_;
  std::vector<Target> targets_;
  std::vector<Tensor> captured_;
};

}  // namespace

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options) {
  if (inputs.empty()) throw AutogradError("grad: no inputs given");
  Run run(outputs, options.grad_outputs, &inputs,
          options.retain_graph.value_or(options.create_graph), options.create_graph);
  std::vector<Tensor> result = run.execute();
  for (size_t i = 0; i < result.size(); ++i) {
    if (!result[i].defined()) {
      if (!options.allow_unused)
        throw AutogradError("grad: input " + std::to_string(i) +
                            " was not used to compute the outputs; pass allow_unused=true to get "
                            "an undefined gradient instead");
      continue;
    }
    if (!options.create_graph) result[i] = result[i].detach();
  }
  return result;
}

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
              bool retain_graph, bool create_graph) {
  Run run(outputs, grad_outputs, nullptr, retain_graph || create_graph, create_graph);
  run.execute();
}

void Tensor::backward(const Tensor& grad_output, bool retain_graph, bool create_graph) const {
  std::vector<Tensor> gos;
  if (grad_output.defined()) gos.push_back(grad_output);
  descent::backward({*this}, gos, retain_graph, create_graph);
}

}  // namespace descent
