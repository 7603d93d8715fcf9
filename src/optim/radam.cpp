// RAdam: the fused update kernel and the optimizer's per-parameter step.
#include "descent/optim/radam.h"

#include <cmath>

#include "update_util.h"

namespace descent::optim {

void RAdamOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "eps", eps);
  require_betas(optimizer, betas);
  require_non_negative(optimizer, "weight_decay", weight_decay);
}

namespace {

template <typename T>
struct RAdamScalars {
  detail::AdamMoments<T> moments;
  T bc1, bc2_sqrt, lr, eps, rect, wd;
};

// The fused element loop over [begin, end); kRectify says the variance is tractable (ρ_t > 5).
template <bool kWeightDecay, bool kRectify, typename T>
void radam_range(T* __restrict param, const T* __restrict grad, T* __restrict exp_avg,
                 T* __restrict exp_avg_sq, int64_t begin, int64_t end, const RAdamScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = grad[i];
    if constexpr (kWeightDecay) g = g + k.wd * param[i];
    T m = exp_avg[i], v = exp_avg_sq[i];
    k.moments.update(m, v, g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    const T m_hat = m / k.bc1;
    if constexpr (kRectify) {
      const T adaptive_lr = k.bc2_sqrt / (std::sqrt(v) + k.eps);
      param[i] = param[i] - m_hat * k.lr * adaptive_lr * k.rect;
    } else {
      param[i] = param[i] - m_hat * k.lr;
    }
  }
}

}  // namespace

template <typename T>
void radam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n,
                  const RAdamOptions& o, int64_t step) {
  // Scalars in double, in torch/optim/radam.py's order.
  const double t = static_cast<double>(step);
  const double beta1 = o.betas[0], beta2 = o.betas[1];
  const double bias_correction1 = 1.0 - std::pow(beta1, t);
  const double bias_correction2 = 1.0 - std::pow(beta2, t);
  const double rho_inf = 2.0 / (1.0 - beta2) - 1.0;
  const double rho_t = rho_inf - 2.0 * t * std::pow(beta2, t) / bias_correction2;
  const bool rectify = rho_t > 5.0;
  const double rect = rectify ? std::sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                          ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                              : 0.0;
  const RAdamScalars<T> k{.moments = detail::AdamMoments<T>(beta1, beta2),
                          .bc1 = static_cast<T>(bias_correction1),
                          .bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2)),
                          .lr = static_cast<T>(o.lr),
                          .eps = static_cast<T>(o.eps),
                          .rect = static_cast<T>(rect),
                          .wd = static_cast<T>(o.weight_decay)};
  detail::with_static_flags(
      [&](auto weight_decay, auto use_rect) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          radam_range<weight_decay.value, use_rect.value>(param, grad, exp_avg, exp_avg_sq, begin,
                                                          end, k);
        });
      },
      o.weight_decay != 0.0, rectify);
}

template void radam_update<float>(float*, const float*, float*, float*, int64_t,
                                  const RAdamOptions&, int64_t);
template void radam_update<double>(double*, const double*, double*, double*, int64_t,
                                   const RAdamOptions&, int64_t);

RAdamState RAdam::init_state(const Tensor& param, const RAdamOptions&) {
  return {
      .step = 0, .exp_avg = detail::zeros_state(param), .exp_avg_sq = detail::zeros_state(param)};
}

void RAdam::update(const Tensor& param, const Tensor& grad, RAdamState& st, const RAdamOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "RAdam");
  ++st.step;
  dispatch_floating(param.dtype(), "RAdam", [&](auto t) {
    using T = decltype(t);
    radam_update<T>(param.data<T>(), g.data<T>(), st.exp_avg.data<T>(), st.exp_avg_sq.data<T>(),
                    param.numel(), o, st.step);
  });
}

}  // namespace descent::optim
