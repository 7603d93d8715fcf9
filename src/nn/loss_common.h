#pragma once
// Checks and reductions shared by the loss functions (internal to src/nn).
#include <cstdint>
#include <optional>
#include <string>

#include "descent/core/tensor.h"
#include "descent/nn/losses.h"

namespace descent::nn::detail {

// "float32 [4, 3]": how error messages name a tensor.
std::string describe(const Tensor& t);

// Applies the reduction to per-example (or per-element) losses.
Tensor reduce(const Tensor& per_example, Reduction reduction);

// DTypeError unless `t` is float32 or float64; `what` names the argument.
void require_floating(const char* loss, const char* what, const Tensor& t);

// ShapeError unless input and target have identical shapes.
void require_same_shape(const char* loss, const Tensor& input, const Tensor& target);

// Class-index targets checked against scores [N, C].
struct ClassTargets {
  int64_t examples = 0;  // N
  int64_t classes = 0;   // C
  Tensor labels;         // int64 [N]; ignored entries replaced by 0 so they index safely
  Tensor index;          // the same labels as [N, 1], the index tensor of gather
  Tensor valid;          // 1/0 in the scores' dtype [N]; undefined when nothing is ignored
};

// Checks that `scores` is floating [N, C] and `target` int64 [N] with every label in [0, C)
// (or equal to `ignore_index`); throws a ShapeError/DTypeError/IndexError naming the loss.
ClassTargets check_class_targets(const char* loss, const Tensor& scores, const Tensor& target,
                                 std::optional<int64_t> ignore_index = std::nullopt);

// Checks class weights (floating [C]) and casts them to `dtype`.
Tensor class_weights(const char* loss, const Tensor& weight, int64_t classes, DType dtype);

}  // namespace descent::nn::detail
