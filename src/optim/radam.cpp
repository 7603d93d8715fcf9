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
  const detail::AdamMoments<T> moments(beta1, beta2);
  const T bc1 = static_cast<T>(bias_correction1);
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T lr = static_cast<T>(o.lr), eps = static_cast<T>(o.eps);
  const T rect_t = static_cast<T>(rect);
  const T wd = static_cast<T>(o.weight_decay);
  const bool use_wd = o.weight_decay != 0.0;
  detail::update_loop(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T g = grad[i];
      if (use_wd) g = g + wd * param[i];
      moments.update(exp_avg[i], exp_avg_sq[i], g);
      const T m = exp_avg[i], v = exp_avg_sq[i];
      const T m_hat = m / bc1;
      if (rectify) {
        const T adaptive_lr = bc2_sqrt / (std::sqrt(v) + eps);
        param[i] = param[i] - m_hat * lr * adaptive_lr * rect_t;
      } else {
        param[i] = param[i] - m_hat * lr;
      }
    }
  });
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
  detail::dispatch_floating(param.dtype(), [&](auto t) {
    using T = decltype(t);
    radam_update<T>(param.data<T>(), g.data<T>(), st.exp_avg.data<T>(), st.exp_avg_sq.data<T>(),
                    param.numel(), o, st.step);
  });
}

}  // namespace descent::optim
