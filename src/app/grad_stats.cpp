#include "descent/app/grad_stats.h"

#include <cmath>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"

namespace descent::app {
namespace {

// Four independent partial sums let the compiler vectorize the float → double loop.
template <typename T>
double contiguous_sum_of_squares(const T* p, int64_t n) {
  double acc[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; ++k) {
      const double v = static_cast<double>(p[i + k]);
      acc[k] += v * v;
    }
  }
  for (; i < n; ++i) acc[0] += static_cast<double>(p[i]) * static_cast<double>(p[i]);
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

}  // namespace

double sum_of_squares(const Tensor& t) {
  NoGradGuard no_grad;
  const Tensor c = t.is_contiguous() ? t : contiguous(t);
  switch (c.dtype()) {
    case DType::Float32:
      return contiguous_sum_of_squares(c.data<float>(), c.numel());
    case DType::Float64:
      return contiguous_sum_of_squares(c.data<double>(), c.numel());
    case DType::Int64:
      return contiguous_sum_of_squares(c.data<int64_t>(), c.numel());
  }
  return 0.0;
}

GradNorms grad_norms(const std::vector<std::pair<std::string, Tensor>>& named_params) {
  GradNorms out;
  double total = 0.0;
  bool first = true;
  for (const auto& [name, p] : named_params) {
    if (!p.defined() || !p.grad().defined()) continue;
    const double norm = std::sqrt(sum_of_squares(p.grad()));
    total += norm * norm;
    // NaN beats every number, so a non-finite gradient is always the one named.
    const bool take =
        first || (!std::isnan(out.largest_norm) && (std::isnan(norm) || norm > out.largest_norm));
    if (take) {
      out.largest = name;
      out.largest_norm = norm;
    }
    first = false;
  }
  out.total = std::sqrt(total);
  return out;
}

}  // namespace descent::app
