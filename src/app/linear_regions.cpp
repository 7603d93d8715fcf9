// The predicted-class grid of the linear classifier (declared in linear_classifier.h): the
// coloured regions of the lecture's slide, computed here so the web lab's browser only paints.
#include <fmt/core.h>

#include <cmath>

#include "descent/app/linear_classifier.h"
#include "descent/core/error.h"

namespace descent::app {

std::vector<int64_t> linear_region_grid(const LinearModel& model, double x_min, double x_max,
                                        double y_min, double y_max, int64_t n) {
  if (model.b.empty() || model.W.size() != model.b.size())
    throw ValueError(fmt::format(
        "linear regions: W must have one row per class and b one entry per class; got {} and {}",
        model.W.size(), model.b.size()));
  if (n < 2) throw ValueError(fmt::format("linear regions: n must be >= 2, got {}", n));
  // The widths finite too: the grid's spacing is (max − min)/(n − 1).
  if (!std::isfinite(x_max - x_min) || !std::isfinite(y_max - y_min) || !(x_min < x_max) ||
      !(y_min < y_max))
    throw ValueError(
        fmt::format("linear regions: window [{}, {}] x [{}, {}] is empty or not finite", x_min,
                    x_max, y_min, y_max));
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(n * n));
  for (int64_t j = 0; j < n; ++j) {
    const double y = y_min + (y_max - y_min) * static_cast<double>(j) / static_cast<double>(n - 1);
    for (int64_t i = 0; i < n; ++i) {
      const double x =
          x_min + (x_max - x_min) * static_cast<double>(i) / static_cast<double>(n - 1);
      int64_t best = 0;
      double best_score = -INFINITY;
      for (int64_t k = 0; k < model.classes(); ++k) {
        const double s = model.W[k][0] * x + model.W[k][1] * y + model.b[k];  // s_k = w_k·x + b_k
        if (s > best_score) {
          best_score = s;
          best = k;
        }
      }
      out.push_back(best);
    }
  }
  return out;
}

}  // namespace descent::app
