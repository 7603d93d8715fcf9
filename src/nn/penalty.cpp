// L2 and L1 weight penalties over chosen parameters.
#include "descent/nn/penalty.h"

#include <fmt/core.h>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::nn {
namespace {

enum class Norm { L2, L1 };

// Σ over chosen parameters of Σ p² or Σ |p|. The sum starts from the first chosen term, so the
// result has the parameters' dtype (float32 zero when nothing is chosen).
Tensor penalty(const char* name, const NamedParameters& params, const PenaltyOptions& options,
               Norm norm) {
  Tensor total;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& [pname, p] = params[i];
    if (!p.defined())
      throw ValueError(fmt::format("{}: parameter {} ('{}') is undefined", name, i, pname));
    if (!is_floating(p.dtype()))
      throw DTypeError(fmt::format("{}: parameter '{}' must be floating, got {} {}", name, pname,
                                   dtype_name(p.dtype()), p.shape().str()));
    if (!options.include_biases && is_bias_parameter(pname, p)) continue;
    const Tensor term = norm == Norm::L2 ? sum(mul(p, p)) : sum(abs(p));
    total = total.defined() ? add(total, term) : term;
  }
  return total.defined() ? total : scalar_tensor(0.0);
}

NamedParameters unnamed(const std::vector<Tensor>& params) {
  NamedParameters named;
  named.reserve(params.size());
  for (const Tensor& p : params) named.emplace_back(std::string(), p);
  return named;
}

}  // namespace

bool is_bias_parameter(std::string_view name, const Tensor& param) {
  return name.ends_with("bias") || param.dim() < 2;
}

Tensor l2_penalty(const NamedParameters& params, const PenaltyOptions& options) {
  return penalty("l2_penalty", params, options, Norm::L2);
}
Tensor l2_penalty(const std::vector<Tensor>& params, const PenaltyOptions& options) {
  return penalty("l2_penalty", unnamed(params), options, Norm::L2);
}
Tensor l1_penalty(const NamedParameters& params, const PenaltyOptions& options) {
  return penalty("l1_penalty", params, options, Norm::L1);
}
Tensor l1_penalty(const std::vector<Tensor>& params, const PenaltyOptions& options) {
  return penalty("l1_penalty", unnamed(params), options, Norm::L1);
}

}  // namespace descent::nn
