#include "descent/nn/dropout.h"

#include <string>

#include "descent/core/error.h"
#include "descent/nn/functional.h"
#include "repr_number.h"

namespace descent::nn {

Dropout::Dropout(double p, Generator& gen) : p_(p), gen_(&gen) {
  if (!(p >= 0.0 && p <= 1.0))
    throw ValueError("Dropout: probability has to be between 0 and 1, got " + std::to_string(p));
}

Tensor Dropout::forward(const Tensor& input) {
  return dropout(input, p_, is_training(), *gen_);
}

std::string Dropout::extra_repr() const {
  return "p=" + detail::repr_number(p_);
}

}  // namespace descent::nn
