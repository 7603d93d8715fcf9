#include "descent/app/grad_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/kernels/parallel.h"

namespace descent::app {
namespace {

// Sixteen independent partial sums: four vectors of four doubles, so that the float → double
// FMA loop is limited by throughput, not by the latency of one accumulator chain (one chain of
// 4-wide vectors ran at about one element per cycle, 3 % of a training step).
template <typename T>
double block_sum_of_squares(const T* p, int64_t n) {
  constexpr int kLanes = 16;
  double acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int k = 0; k < kLanes; ++k) {
      const double v = static_cast<double>(p[i + k]);
      acc[k] += v * v;
    }
  }
  for (; i < n; ++i) acc[0] += static_cast<double>(p[i]) * static_cast<double>(p[i]);
  for (int width = kLanes / 2; width > 0; width /= 2)
    for (int k = 0; k < width; ++k) acc[k] += acc[k + width];
  return acc[0];
}

// Blocks of a fixed size, summed in order: the result depends only on the data, never on the
// thread count (the blocks are spread over the pool when there are enough of them).
constexpr int64_t kBlock = int64_t{1} << 14;
constexpr int64_t kBlocksPerThread = 4;  // 64Ki elements: below that a wake-up costs more

template <typename T>
double contiguous_sum_of_squares(const T* p, int64_t n) {
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  if (blocks <= 1) return block_sum_of_squares(p, n);
  std::vector<double> partial(static_cast<size_t>(blocks));
  kernels::parallel_for(blocks, kBlocksPerThread, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t begin = b * kBlock;
      partial[static_cast<size_t>(b)] =
          block_sum_of_squares(p + begin, std::min(kBlock, n - begin));
    }
  });
  double total = 0.0;
  for (const double s : partial) total += s;
  return total;
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
