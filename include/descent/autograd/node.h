#pragma once
// The recorded graph. Every primitive op that runs while grad mode is on and has an input
// requiring gradients creates one Node for its (single) output. The Node points at the op's
// table entry (whose backward rule computes the input gradients), at the producers of its
// inputs (edges), and holds the tensors the rule needs (saved) plus small attributes.
#include <cstdint>
#include <memory>
#include <string>

#include "descent/autograd/inline_vec.h"
#include "descent/core/tensor.h"

namespace descent::autograd {

struct Node;
class BackwardContext;

using GradList = InlineVec<Tensor, 3>;

// One entry of the op table: a primitive and its backward rule. The rule receives the
// gradient of the op's output and returns one gradient per input (undefined where
// ctx.needs(i) is false). Rules are written with differentiable ops, so running them with
// grad mode on yields differentiable gradients: derivatives of every order are exact.
struct OpDef {
  const char* name;
  GradList (*backward)(BackwardContext& ctx, const Tensor& grad);
  bool differentiable = true;
};

// Where the gradient for one input goes: into the node that produced it, or, for a leaf
// requiring gradients, into that leaf. Both empty: the input needs no gradient.
struct Edge {
  std::shared_ptr<Node> fn;
  Ref<TensorImpl> leaf;
  bool valid() const { return fn || leaf; }
};

// A list of axes or sizes that a few ops keep for their rule (reductions, permute, concat),
// held on the heap and only by those ops: inline it would add a 72-byte Shape to every node.
class AttrShape {
 public:
  const Shape& get() const { return p_ ? *p_ : empty(); }
  operator const Shape&() const { return get(); }
  int64_t operator[](size_t i) const { return get()[i]; }
  AttrShape& operator=(const Shape& s) {
    mutable_shape() = s;
    return *this;
  }
  void push_back(int64_t v) { mutable_shape().push_back(v); }

 private:
  static const Shape& empty() {
    static const Shape none;
    return none;
  }
  Shape& mutable_shape() {
    if (!p_) p_ = std::make_unique<Shape>();
    return *p_;
  }
  std::unique_ptr<Shape> p_;
};

// Op parameters a backward rule needs (axes, scalars, shapes); each op uses what it needs.
struct Attrs {
  AttrShape dims;
  double scalar = 0.0, scalar2 = 0.0;
  int64_t dim = 0, start = 0, step = 1;
  bool flag = false;
};

// A tensor kept for the backward pass, with the storage version at the time it was saved.
struct SavedTensor {
  Tensor data;
  uint64_t version = 0;
  bool is_output = false;  // saved without its grad_fn to avoid a reference cycle
};

struct InputMeta {
  Shape shape;
  DType dtype = DType::Float32;
};

struct Node : std::enable_shared_from_this<Node> {
  explicit Node(const OpDef* op) : op(op) {}
  ~Node();  // iterative, so that a million-node chain does not overflow the stack
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const OpDef* op;
  InlineVec<Edge, 2> next;
  InlineVec<InputMeta, 2> inputs;
  InlineVec<SavedTensor, 2> saved;
  Attrs attrs;
  bool released = false;  // saved tensors were freed after a backward pass

  // Scratch for one engine run (valid while `run_id` equals the engine's current run).
  uint64_t run_id = 0;
  bool visited = false, needed = false, capture = false;
  uint64_t needed_edges = 0;  // bit i: input i needs a gradient (all set beyond 64 inputs)
  Tensor grad_buffer;

  void save_input(const Tensor& t);
  void save_output(const Tensor& t);
  // Frees what the backward pass needed; a later backward through this node is an error.
  void release();
};

// Access to saved tensors and metadata inside a backward rule.
class BackwardContext {
 public:
  explicit BackwardContext(Node& node) : node_(node) {}
  // The i-th saved tensor, differentiable with respect to the graph when grad mode is on.
  Tensor saved(size_t i) const;
  const Attrs& attrs() const { return node_.attrs; }
  const Shape& input_shape(size_t i) const { return node_.inputs[i].shape; }
  DType input_dtype(size_t i) const { return node_.inputs[i].dtype; }
  size_t num_inputs() const { return node_.next.size(); }
  // Whether input i needs a gradient in this pass.
  bool needs(size_t i) const;

 private:
  Node& node_;
};

// True when grad mode is on and some input requires gradients.
bool should_record(std::initializer_list<const Tensor*> inputs);
bool should_record(std::span<const Tensor> inputs);
// Attaches a new node for `op` to `output` with edges to `inputs`; returns it for saving.
Node& record(const OpDef& op, Tensor& output, std::initializer_list<const Tensor*> inputs);
Node& record(const OpDef& op, Tensor& output, std::span<const Tensor> inputs);

}  // namespace descent::autograd
