// Checks and reductions shared by the loss functions.
#include "loss_common.h"

#include <fmt/core.h>

#include <vector>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::nn::detail {

std::string describe(const Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  return fmt::format("{} {}", dtype_name(t.dtype()), t.shape().str());
}

Tensor reduce(const Tensor& per_example, Reduction reduction) {
  switch (reduction) {
    case Reduction::None:
      return per_example;
    case Reduction::Sum:
      return sum(per_example);
    case Reduction::Mean:
      return mean(per_example);  // NaN for no elements, as PyTorch
  }
  throw ValueError("loss: unknown reduction");
}

void require_floating(const char* loss, const char* what, const Tensor& t) {
  if (!t.defined()) throw ValueError(fmt::format("{}: {} is an undefined tensor", loss, what));
  if (!is_floating(t.dtype()))
    throw DTypeError(
        fmt::format("{}: {} must be float32 or float64, got {}", loss, what, describe(t)));
}

void require_same_shape(const char* loss, const Tensor& input, const Tensor& target) {
  if (input.shape() != target.shape())
    throw ShapeError(fmt::format("{}: input {} and target {} must have the same shape", loss,
                                 describe(input), describe(target)));
}

ClassTargets check_class_targets(const char* loss, const Tensor& scores, const Tensor& target,
                                 std::optional<int64_t> ignore_index) {
  require_floating(loss, "input", scores);
  if (!target.defined()) throw ValueError(fmt::format("{}: target is an undefined tensor", loss));
  if (scores.dim() != 2)
    throw ShapeError(
        fmt::format("{}: input must be [N, C] scores, got {}", loss, describe(scores)));
  const int64_t n = scores.size(0);
  const int64_t c = scores.size(1);
  if (target.dtype() != DType::Int64)
    throw DTypeError(fmt::format("{}: target must hold int64 class indices, got {} (input {})",
                                 loss, describe(target), describe(scores)));
  if (target.dim() != 1 || target.size(0) != n)
    throw ShapeError(fmt::format("{}: target {} must be [N] = [{}] to match input {}", loss,
                                 describe(target), n, describe(scores)));

  std::vector<int64_t> labels = target.to_vector<int64_t>();
  std::vector<double> valid(labels.size(), 1.0);
  bool any_ignored = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (ignore_index && labels[i] == *ignore_index) {
      labels[i] = 0;  // any in-range index; the example's weight is 0
      valid[i] = 0.0;
      any_ignored = true;
      continue;
    }
    if (labels[i] < 0 || labels[i] >= c)
      throw IndexError(fmt::format("{}: target[{}] = {} is out of range for {} classes (input {})",
                                   loss, i, labels[i], c, describe(scores)));
  }

  ClassTargets out;
  out.examples = n;
  out.classes = c;
  out.labels = from_vector(std::span<const int64_t>(labels), Shape{n});
  out.index = reshape(out.labels, Shape{n, 1});
  if (any_ignored)
    out.valid = from_vector(std::span<const double>(valid), Shape{n}, scores.dtype());
  return out;
}

Tensor class_weights(const char* loss, const Tensor& weight, int64_t classes, DType dtype) {
  require_floating(loss, "weight", weight);
  if (weight.dim() != 1 || weight.size(0) != classes)
    throw ShapeError(fmt::format("{}: weight {} must be [C] = [{}], one per class", loss,
                                 describe(weight), classes));
  return to(weight, dtype);
}

}  // namespace descent::nn::detail
