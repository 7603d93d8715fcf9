// NAdam: the momentum schedule, the fused update kernel and the per-parameter step.
#include "descent/optim/nadam.h"

#include <cmath>

#include "update_util.h"

namespace descent::optim {

void NAdamOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "eps", eps);
  require_betas(optimizer, betas);
  require_non_negative(optimizer, "weight_decay", weight_decay);
  require_non_negative(optimizer, "momentum_decay", momentum_decay);
}

NAdamStep nadam_step_scalars(const NAdamOptions& o, int64_t step, double& mu_product) {
  // Same expressions, in the same order, as torch/optim/nadam.py.
  const double t = static_cast<double>(step);
  const double beta1 = o.betas[0];
  const double mu = beta1 * (1.0 - 0.5 * std::pow(0.96, t * o.momentum_decay));
  const double mu_next = beta1 * (1.0 - 0.5 * std::pow(0.96, (t + 1.0) * o.momentum_decay));
  mu_product *= mu;
  const double mu_product_next = mu_product * mu * mu_next;
  return {.beta1 = beta1,
          .beta2 = o.betas[1],
          .eps = o.eps,
          .weight_decay = o.weight_decay,
          .bias_correction2 = 1.0 - std::pow(o.betas[1], t),
          .grad_coef = -o.lr * (1.0 - mu) / (1.0 - mu_product),
          .exp_avg_coef = -o.lr * mu_next / (1.0 - mu_product_next)};
}

namespace {

template <typename T>
struct NAdamScalars {
  detail::AdamMoments<T> moments;
  T eps, wd, bc2, grad_coef, exp_avg_coef;
};

// The fused element loop over [begin, end).
template <bool kWeightDecay, typename T>
void nadam_range(T* __restrict param, const T* __restrict grad, T* __restrict exp_avg,
                 T* __restrict exp_avg_sq, int64_t begin, int64_t end, const NAdamScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = grad[i];
    if constexpr (kWeightDecay) g = g + k.wd * param[i];
    T m = exp_avg[i], v = exp_avg_sq[i];
    k.moments.update(m, v, g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    const T denom = std::sqrt(v / k.bc2) + k.eps;
    // Two separate addcdiv_ calls in PyTorch: two roundings of θ.
    T p = param[i] + k.grad_coef * g / denom;
    p = p + k.exp_avg_coef * m / denom;
    param[i] = p;
  }
}

}  // namespace

template <typename T>
void nadam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, int64_t n,
                  const NAdamStep& h) {
  const NAdamScalars<T> k{.moments = detail::AdamMoments<T>(h.beta1, h.beta2),
                          .eps = static_cast<T>(h.eps),
                          .wd = static_cast<T>(h.weight_decay),
                          .bc2 = static_cast<T>(h.bias_correction2),
                          .grad_coef = static_cast<T>(h.grad_coef),
                          .exp_avg_coef = static_cast<T>(h.exp_avg_coef)};
  detail::with_static_flags(
      [&](auto weight_decay) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          nadam_range<weight_decay.value>(param, grad, exp_avg, exp_avg_sq, begin, end, k);
        });
      },
      h.weight_decay != 0.0);
}

template void nadam_update<float>(float*, const float*, float*, float*, int64_t, const NAdamStep&);
template void nadam_update<double>(double*, const double*, double*, double*, int64_t,
                                   const NAdamStep&);

NAdamState NAdam::init_state(const Tensor& param, const NAdamOptions&) {
  return {.step = 0,
          .mu_product = 1.0,
          .exp_avg = detail::zeros_state(param),
          .exp_avg_sq = detail::zeros_state(param)};
}

void NAdam::update(const Tensor& param, const Tensor& grad, NAdamState& st, const NAdamOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "NAdam");
  ++st.step;
  const NAdamStep h = nadam_step_scalars(o, st.step, st.mu_product);
  dispatch_floating(param.dtype(), "NAdam", [&](auto t) {
    using T = decltype(t);
    nadam_update<T>(param.data<T>(), g.data<T>(), st.exp_avg.data<T>(), st.exp_avg_sq.data<T>(),
                    param.numel(), h);
  });
}

}  // namespace descent::optim
