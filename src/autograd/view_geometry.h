#pragma once
// Strides for viewing existing memory in a new shape, when that is possible without a copy.
#include <optional>

#include "descent/core/shape.h"

namespace descent::autograd {

// Strides that make (new_shape) address the same elements, in row-major order, as
// (shape, strides) does; nullopt when the layout cannot be expressed as a view. Dimensions are
// matched in chunks whose elements are laid out with a uniform stride pattern.
std::optional<Shape> view_strides(const Shape& shape, const Shape& strides, const Shape& new_shape);

}  // namespace descent::autograd
