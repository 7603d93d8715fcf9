#pragma once
// A list of parameter tensors seen as one vector θ ∈ ℝⁿ (n = Σ numel), concatenated in list
// order, row-major within each tensor. The flat side is float64 (analysis/linear_operator.h);
// the tensor side has each parameter's shape and dtype.
#include <cstdint>
#include <vector>

#include "descent/analysis/linear_operator.h"
#include "descent/core/tensor.h"

namespace descent::analysis {

// Σ numel over `params`.
int64_t parameter_count(const std::vector<Tensor>& params);

// The tensors' values concatenated as float64. An undefined tensor at position i stands for
// zeros shaped like like[i] (a gradient an input did not receive); `like` may be empty when
// every tensor is defined.
Vector flatten(const std::vector<Tensor>& tensors, const std::vector<Tensor>& like = {});

// Fresh tensors shaped and typed like `like` holding the consecutive pieces of v (no autograd
// history). ValueError when v.size() differs from parameter_count(like).
std::vector<Tensor> unflatten(const Vector& v, const std::vector<Tensor>& like);

}  // namespace descent::analysis
