#pragma once
// Reductions over a set of axes. Sums of float32 accumulate in float64. Large reductions are
// split into fixed-size chunks whose partial results are combined in chunk order, so the
// result does not depend on the thread count.
#include <span>

#include "descent/core/tensor.h"

namespace descent::kernels {

enum class Reduce { Sum, Max, Min };

// Reduces x over `axes` (each in [0, rank), sorted ascending, no duplicates; empty span means
// no axis is reduced and the result is a copy). keepdim keeps reduced axes with size 1.
// Max/Min over an empty axis throw ShapeError; NaN propagates through Max/Min.
Tensor reduce(Reduce op, const Tensor& x, std::span<const int64_t> axes, bool keepdim);

// Index of the first maximal (argmax) / minimal (argmin) element along `axis` (in [0, rank)),
// int64. NaN counts as the extreme, as in PyTorch.
Tensor argmax(const Tensor& x, int64_t axis, bool keepdim);
Tensor argmin(const Tensor& x, int64_t axis, bool keepdim);

}  // namespace descent::kernels
