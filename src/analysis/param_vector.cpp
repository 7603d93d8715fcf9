// Parameter lists as flat float64 vectors and back.
#include "descent/analysis/param_vector.h"

#include <fmt/core.h>

#include "../optim/flat_params.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::analysis {

int64_t parameter_count(const std::vector<Tensor>& params) {
  return optim::detail::total_numel(params);
}

Vector flatten(const std::vector<Tensor>& tensors, const std::vector<Tensor>& like) {
  NoGradGuard no_grad;
  Vector out;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].defined()) {
      if (i >= like.size()) {
        throw ValueError(
            fmt::format("flatten: tensor {} is undefined and has no shape to stand "
                        "in for it",
                        i));
      }
      out.insert(out.end(), static_cast<size_t>(like[i].numel()), 0.0);
      continue;
    }
    const std::vector<double> v = contiguous(tensors[i]).to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

std::vector<Tensor> unflatten(const Vector& v, const std::vector<Tensor>& like) {
  const int64_t n = parameter_count(like);
  if (static_cast<int64_t>(v.size()) != n) {
    throw ValueError(
        fmt::format("unflatten: a vector of {} entries for {} parameters", v.size(), n));
  }
  std::vector<Tensor> out;
  out.reserve(like.size());
  size_t offset = 0;
  for (const Tensor& p : like) {
    const auto count = static_cast<size_t>(p.numel());
    out.push_back(
        from_vector(std::span<const double>(v.data() + offset, count), p.shape(), p.dtype()));
    offset += count;
  }
  return out;
}

}  // namespace descent::analysis
