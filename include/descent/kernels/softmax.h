#pragma once
// Fused, numerically stable log-softmax along one axis:
// y_i = x_i − m − log Σ_j exp(x_j − m), m = max_j x_j, so no exp overflows.
#include "descent/core/tensor.h"

namespace descent::kernels {

Tensor log_softmax(const Tensor& x, int64_t dim);
// The fused backward: gx = g − exp(y) · Σ_dim g, for y = log_softmax(x).
Tensor log_softmax_backward(const Tensor& y, const Tensor& g, int64_t dim);

}  // namespace descent::kernels
