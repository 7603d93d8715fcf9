// Strong-Wolfe line search with cubic interpolation (bracketing, then zoom). The order of
// floating-point operations follows torch.optim.lbfgs so that L-BFGS trajectories agree with
// PyTorch's to rounding.
#include "descent/optim/strong_wolfe.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "flat_params.h"

namespace descent::optim {

double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds) {
  const auto [lo, hi] = bounds ? *bounds : (x1 <= x2 ? std::pair{x1, x2} : std::pair{x2, x1});
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    // min(max(min_pos, lo), hi) with Python's semantics: a NaN min_pos stays NaN only when
    // compared first, which max(min_pos, lo) does.
    const double clamped = lo > min_pos ? lo : min_pos;
    return hi < clamped ? hi : clamped;
  }
  return (lo + hi) / 2.;
}

namespace {

// One end of the bracket: step, value, gradient and directional derivative.
struct End {
  double t, f;
  std::vector<double> g;
  double gtd;
};

}  // namespace

LineSearchResult strong_wolfe(const DirectionalObjective& objective, double t,
                              const std::vector<double>& d, double f, const std::vector<double>& g,
                              double gtd, const StrongWolfeOptions& o) {
  const double d_norm = detail::abs_max(d);
  LinePoint p = objective(t);
  int64_t evals = 1;
  double gtd_new = detail::dot(p.g, d);

  // Bracketing phase.
  End prev{0.0, f, g, gtd};
  std::array<End, 2> bracket;
  size_t bracket_size = 0;  // 1 when a point satisfying both conditions was found
  bool done = false;
  int64_t ls_iter = 0;
  while (ls_iter < o.max_ls) {
    if (p.f > (f + o.c1 * t * gtd) || (ls_iter > 1 && p.f >= prev.f)) {
      bracket = {prev, End{t, p.f, p.g, gtd_new}};
      bracket_size = 2;
      break;
    }
    if (std::abs(gtd_new) <= -o.c2 * gtd) {
      bracket[0] = End{t, p.f, p.g, gtd_new};
      bracket_size = 1;
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {prev, End{t, p.f, p.g, gtd_new}};
      bracket_size = 2;
      break;
    }
    // Still descending steeply: extrapolate a longer step.
    const double min_step = t + 0.01 * (t - prev.t);
    const double max_step = t * 10;
    const double tmp = t;
    t = cubic_interpolate(prev.t, prev.f, prev.gtd, t, p.f, gtd_new, std::pair{min_step, max_step});
    prev = End{tmp, p.f, std::move(p.g), gtd_new};
    p = objective(t);
    ++evals;
    gtd_new = detail::dot(p.g, d);
    ++ls_iter;
  }
  if (ls_iter == o.max_ls) {
    // Out of evaluations while extrapolating: the bracket is [0, t]. (Its derivatives are
    // never read: the zoom below does not run.)
    bracket = {End{0.0, f, g, gtd}, End{t, p.f, p.g, gtd_new}};
    bracket_size = 2;
  }

  // Zoom phase: shrink [bracket[0], bracket[1]] around a strong-Wolfe point. low is the end
  // with the lower value.
  bool insuf_progress = false;
  size_t low = 0, high = 1;
  if (bracket_size == 2 && !(bracket[0].f <= bracket[1].f)) std::swap(low, high);
  while (!done && ls_iter < o.max_ls) {
    if (std::abs(bracket[1].t - bracket[0].t) * d_norm < o.tolerance_change) break;

    t = cubic_interpolate(bracket[0].t, bracket[0].f, bracket[0].gtd, bracket[1].t, bracket[1].f,
                          bracket[1].gtd);

    // Keep t away from the ends: a trial at (or next to) an end shrinks the bracket very
    // little. After two such trials in a row, move it to 10 % of the width from the end.
    const double b_max = std::max(bracket[0].t, bracket[1].t);
    const double b_min = std::min(bracket[0].t, bracket[1].t);
    const double eps = 0.1 * (b_max - b_min);
    if (std::min(b_max - t, t - b_min) < eps) {
      if (insuf_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }

    p = objective(t);
    ++evals;
    gtd_new = detail::dot(p.g, d);
    ++ls_iter;

    if (p.f > (f + o.c1 * t * gtd) || p.f >= bracket[low].f) {
      // Not a sufficient decrease, or not below the low end: t becomes the high end.
      bracket[high] = End{t, p.f, std::move(p.g), gtd_new};
      if (bracket[0].f <= bracket[1].f) {
        low = 0, high = 1;
      } else {
        low = 1, high = 0;
      }
    } else {
      if (std::abs(gtd_new) <= -o.c2 * gtd) {
        done = true;  // both Wolfe conditions hold
      } else if (gtd_new * (bracket[high].t - bracket[low].t) >= 0) {
        bracket[high] = bracket[low];  // the minimum lies between t and the old low end
      }
      bracket[low] = End{t, p.f, std::move(p.g), gtd_new};
    }
  }

  End& best = bracket[low];
  return LineSearchResult{best.f, std::move(best.g), best.t, evals};
}

}  // namespace descent::optim
