// The diagnostic quantities (see diagnostics.h): small float64 loops over contiguous copies.
#include "descent/app/diagnostics.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/app/grad_stats.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/optim/adam.h"

namespace descent::app {
namespace {

// A contiguous float64 copy: diagnostics are rare, so clarity beats a copy.
std::vector<double> as_doubles(const Tensor& t) {
  NoGradGuard no_grad;
  const Tensor c = contiguous(to(t.detach(), DType::Float64));
  const double* p = c.data<double>();
  return std::vector<double>(p, p + c.numel());
}

// Mean and population standard deviation (NaN for no values).
std::pair<double, double> mean_and_std_of(const std::vector<double>& v) {
  if (v.empty()) return {std::nan(""), std::nan("")};
  double sum = 0.0;
  for (const double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double sq = 0.0;
  for (const double x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / static_cast<double>(v.size()))};
}

void require_batch(const Tensor& t, const char* what) {
  if (t.dim() < 1 || t.size(0) < 1) {
    throw ValueError(fmt::format("{}: expected a tensor [N, ...] with N >= 1, got shape {}", what,
                                 t.shape().str()));
  }
}

// Median and maximum of η = lr/(√(v/correction) + ε) over the elements of v (see
// optim::adam_effective_step_size). η decreases with v, so the median of η is η at the median
// of v and the largest η is η at the smallest v: one selection on the raw state, without
// materializing η (this was the largest cost of a diagnostics step).
template <typename T>
std::pair<double, double> step_size_median_max(const Tensor& v, double lr, double correction,
                                               double eps) {
  const Tensor c = contiguous(v);
  std::vector<T> a(c.data<T>(), c.data<T>() + c.numel());
  if (a.empty()) return {std::nan(""), std::nan("")};
  const auto eta = [&](T x) { return lr / (std::sqrt(static_cast<double>(x) / correction) + eps); };
  const auto mid = static_cast<std::ptrdiff_t>(a.size() / 2);
  std::nth_element(a.begin(), a.begin() + mid, a.end());
  double median = eta(a[mid]);
  if (a.size() % 2 == 0)
    median = 0.5 * (eta(*std::max_element(a.begin(), a.begin() + mid)) + median);
  const T smallest = *std::min_element(a.begin(), a.begin() + mid + 1);
  return {median, eta(smallest)};
}

template <typename Optim>
bool collect_adam(const optim::Optimizer& optimizer,
                  const std::vector<std::pair<std::string, Tensor>>& named,
                  std::vector<StepSizeSummary>& out) {
  const auto* adam = dynamic_cast<const Optim*>(&optimizer);
  if (adam == nullptr) return false;
  const auto& groups = adam->param_groups();
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto& o = groups[g].options;
    for (size_t i = 0; i < groups[g].params.size(); ++i) {
      const optim::AdamState* st = adam->state(g, i);
      if (st == nullptr) continue;
      const Tensor& p = groups[g].params[i];
      std::string name = fmt::format("group{}.{}", g, i);
      for (const auto& [n, q] : named) {
        if (q.impl() == p.impl()) name = n;
      }
      const Tensor& v = o.amsgrad ? st->max_exp_avg_sq : st->exp_avg_sq;
      const double correction = 1.0 - std::pow(o.betas[1], static_cast<double>(st->step));
      const auto [median, max] = v.dtype() == DType::Float32
                                     ? step_size_median_max<float>(v, o.lr, correction, o.eps)
                                     : step_size_median_max<double>(v, o.lr, correction, o.eps);
      out.push_back({name, median, max});
    }
  }
  return true;
}

}  // namespace

double dead_unit_fraction(const Tensor& output) {
  require_batch(output, "dead_unit_fraction");
  const std::vector<double> v = as_doubles(output);
  const int64_t n = output.size(0);
  const int64_t units = output.numel() / n;
  if (units == 0) return 0.0;
  int64_t dead = 0;
  for (int64_t u = 0; u < units; ++u) {
    bool all_zero = true;
    for (int64_t i = 0; i < n && all_zero; ++i) all_zero = v[i * units + u] == 0.0;
    dead += all_zero ? 1 : 0;
  }
  return static_cast<double>(dead) / static_cast<double>(units);
}

double fraction_outside(const Tensor& output, double lo, double hi) {
  const std::vector<double> v = as_doubles(output);
  if (v.empty()) return 0.0;
  const auto outside =
      std::count_if(v.begin(), v.end(), [&](double x) { return x < lo || x > hi; });
  return static_cast<double>(outside) / static_cast<double>(v.size());
}

ChannelMoments batch_channel_moments(const Tensor& input) {
  require_batch(input, "batch_channel_moments");
  if (input.dim() != 2 && input.dim() != 3) {
    throw ValueError("batch_channel_moments: expected [N, C] or [N, C, L], got shape " +
                     input.shape().str());
  }
  const std::vector<double> v = as_doubles(input);
  const int64_t n = input.size(0), c = input.size(1), l = input.dim() == 3 ? input.size(2) : 1;
  std::vector<double> means(static_cast<size_t>(c)), vars(static_cast<size_t>(c));
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t k = 0; k < l; ++k) sum += v[(i * c + ch) * l + k];
    }
    const double count = static_cast<double>(n * l);
    const double mu = sum / count;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t k = 0; k < l; ++k) {
        const double d = v[(i * c + ch) * l + k] - mu;
        sq += d * d;
      }
    }
    means[static_cast<size_t>(ch)] = mu;
    vars[static_cast<size_t>(ch)] = sq / count;  // biased, as BatchNorm normalizes with
  }
  const auto [mm, ms] = mean_and_std_of(means);
  const auto [vm, vs] = mean_and_std_of(vars);
  return {mm, ms, vm, vs};
}

std::pair<double, double> mean_and_std(const Tensor& t) {
  return mean_and_std_of(as_doubles(t));
}

double relative_change(const Tensor& before, const Tensor& after) {
  if (before.shape() != after.shape()) {
    throw ShapeError(fmt::format("relative_change: shapes {} and {} differ", before.shape().str(),
                                 after.shape().str()));
  }
  NoGradGuard no_grad;
  const Tensor b = to(before.detach(), DType::Float64);
  const double change = std::sqrt(sum_of_squares(to(after.detach(), DType::Float64) - b));
  const double base = std::sqrt(sum_of_squares(b));
  if (base == 0.0) return change == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return change / base;
}

std::pair<double, double> median_and_max(const Tensor& t) {
  std::vector<double> v = as_doubles(t);
  if (v.empty()) return {std::nan(""), std::nan("")};
  const double max = *std::max_element(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double median = v[mid];
  if (v.size() % 2 == 0) {
    const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    median = 0.5 * (lower + median);
  }
  return {median, max};
}

std::vector<StepSizeSummary> adam_step_sizes(
    const optim::Optimizer& optimizer, const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<StepSizeSummary> out;
  if (!collect_adam<optim::Adam>(optimizer, named, out)) {
    collect_adam<optim::AdamW>(optimizer, named, out);
  }
  return out;
}

}  // namespace descent::app
