#pragma once
// Reverse-mode differentiation of a recorded graph.
#include <optional>
#include <vector>

#include "descent/core/tensor.h"

namespace descent {

struct GradOptions {
  // Gradients of the outputs (the vector in the vector–Jacobian product). May be left empty
  // for outputs with one element, which get 1.
  std::vector<Tensor> grad_outputs = {};
  // Keep saved tensors so that the graph can be differentiated again. Defaults to create_graph.
  std::optional<bool> retain_graph = std::nullopt;
  // Record the backward pass itself, so that the returned gradients are differentiable
  // (Hessian-vector products, higher derivatives).
  bool create_graph = false;
  // Return an undefined tensor for an input the outputs do not depend on, instead of failing.
  bool allow_unused = false;
};

// d(Σ_k ⟨grad_outputs[k], outputs[k]⟩)/d inputs[i] for each input. Does not touch .grad.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options = {});
inline Tensor grad(const Tensor& output, const Tensor& input, const GradOptions& options = {}) {
  return grad(std::vector<Tensor>{output}, std::vector<Tensor>{input}, options)[0];
}

// As Tensor::backward: accumulates into the .grad of every leaf that requires gradients.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              bool retain_graph = false, bool create_graph = false);

}  // namespace descent
