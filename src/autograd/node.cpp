#include "descent/autograd/node.h"

#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/core/allocator.h"

namespace descent::autograd {

namespace {

// Moves out everything through which destroying `n` would recursively destroy other nodes:
// its edges and the producers of tensors it saved.
void harvest(Node& n, std::vector<std::shared_ptr<Node>>& stack) {
  for (size_t i = 0; i < n.next.size(); ++i)
    if (n.next[i].fn) stack.push_back(std::move(n.next[i].fn));
  for (size_t i = 0; i < n.saved.size(); ++i) {
    Tensor& t = n.saved[i].data;
    if (t.defined() && t.impl()->ref_count() == 1 && t.impl()->grad_fn)
      stack.push_back(std::move(t.impl()->grad_fn));
    t = Tensor();
  }
}

}  // namespace

Node::~Node() {
  std::vector<std::shared_ptr<Node>> stack;
  harvest(*this, stack);
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    if (n.use_count() == 1) harvest(*n, stack);
    // n is destroyed here with nothing left to cascade into.
  }
}

void Node::save_input(const Tensor& t) {
  saved.push_back(SavedTensor{t, t.storage()->version(), false});
}

void Node::save_output(const Tensor& t) {
  saved.push_back(SavedTensor{t.detach(), t.storage()->version(), true});
}

void Node::release() {
  saved.clear();
  released = true;
}

Tensor BackwardContext::saved(size_t i) const {
  const SavedTensor& s = node_.saved[i];
  if (s.data.storage()->version() != s.version)
    throw AutogradError(std::string("backward of ") + node_.op->name +
                        ": a tensor it saved was modified by an in-place operation after it was "
                        "used (saved version " +
                        std::to_string(s.version) + ", now " +
                        std::to_string(s.data.storage()->version()) + ")");
  if (!s.is_output || !GradMode::is_enabled()) return s.data;
  // Reattach the output to this node so that the gradient being built depends on it.
  Tensor out = s.data.detach();
  out.impl()->grad_fn = const_cast<Node&>(node_).shared_from_this();
  out.impl()->requires_grad = true;
  return out;
}

bool BackwardContext::needs(size_t i) const {
  if (i >= 64) return node_.next[i].valid();
  return (node_.needed_edges >> i) & 1u;
}

bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

bool should_record(std::span<const Tensor> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

namespace {
void add_edge(Node& node, const Tensor& t) {
  // Filled in place: a node is recorded per op, and temporaries of Edge and InputMeta (a
  // shared_ptr and a Shape each) would be built and moved for every input.
  Edge& e = node.next.emplace_back();
  InputMeta& meta = node.inputs.emplace_back();
  if (!t.defined()) return;
  if (t.requires_grad()) {
    if (t.grad_fn())
      e.fn = t.grad_fn();
    else
      e.leaf = Ref<TensorImpl>(t.impl());
  }
  meta.shape = t.shape();
  meta.dtype = t.dtype();
}

Node& attach(Tensor& output, std::shared_ptr<Node> node) {
  Node& n = *node;
  output.impl()->grad_fn = std::move(node);
  output.impl()->requires_grad = true;
  return n;
}
}  // namespace

Node& record(const OpDef& op, Tensor& output, std::initializer_list<const Tensor*> inputs) {
  auto node = std::allocate_shared<Node>(allocator::BlockAllocator<Node>(), &op);
  for (const Tensor* t : inputs) add_edge(*node, *t);
  return attach(output, std::move(node));
}

Node& record(const OpDef& op, Tensor& output, std::span<const Tensor> inputs) {
  auto node = std::allocate_shared<Node>(allocator::BlockAllocator<Node>(), &op);
  for (const Tensor& t : inputs) add_edge(*node, t);
  return attach(output, std::move(node));
}

}  // namespace descent::autograd
