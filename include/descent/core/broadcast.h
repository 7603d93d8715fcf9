#pragma once
// NumPy broadcasting: shapes are aligned at their trailing dimensions; two sizes are compatible
// when equal or when one of them is 1, and the result takes the larger.
#include "descent/core/shape.h"

namespace descent {

// The broadcast shape of a and b; throws ShapeError naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Strides that view a tensor of shape `shape` and strides `strides` as the larger shape
// `target`: broadcast dimensions get stride 0. `shape` must broadcast to `target`.
Shape broadcast_strides(const Shape& shape, const Shape& strides, const Shape& target);

}  // namespace descent
