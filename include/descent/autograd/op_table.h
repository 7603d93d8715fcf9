#pragma once
// The closed set of primitive ops. Every differentiable computation in descent is a
// composition of these; each entry carries its backward rule.
#include <span>

#include "descent/autograd/node.h"

namespace descent::autograd {

std::span<const OpDef* const> op_table();

}  // namespace descent::autograd
