// Adamax: the fused update kernel and the optimizer's per-parameter step.
#include "descent/optim/adamax.h"

#include <cmath>

#include "update_util.h"

namespace descent::optim {

void AdamaxOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "eps", eps);
  require_betas(optimizer, betas);
  require_non_negative(optimizer, "weight_decay", weight_decay);
}

namespace {

template <typename T>
struct AdamaxScalars {
  T neg_clr, b1, one_minus_b1, b2, eps, wd;
};

// The fused element loop over [begin, end); the flags are adamax_update's options.
template <bool kMaximize, bool kWeightDecay, typename T>
void adamax_range(T* __restrict param, const T* __restrict grad, T* __restrict exp_avg,
                  T* __restrict exp_inf, int64_t begin, int64_t end, const AdamaxScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = kMaximize ? -grad[i] : grad[i];
    if constexpr (kWeightDecay) g = g + k.wd * param[i];
    const T m = exp_avg[i] * k.b1 + k.one_minus_b1 * g;
    exp_avg[i] = m;
    const T u = detail::nan_max(exp_inf[i] * k.b2, std::abs(g) + k.eps);
    exp_inf[i] = u;
    param[i] = param[i] + k.neg_clr * m / u;
  }
}

}  // namespace

template <typename T>
void adamax_update(T* param, const T* grad, T* exp_avg, T* exp_inf, int64_t n,
                   const AdamaxOptions& o, int64_t step) {
  const double bias_correction = 1.0 - std::pow(o.betas[0], static_cast<double>(step));
  const AdamaxScalars<T> k{.neg_clr = static_cast<T>(-(o.lr / bias_correction)),
                           .b1 = static_cast<T>(o.betas[0]),
                           .one_minus_b1 = static_cast<T>(1.0 - o.betas[0]),
                           .b2 = static_cast<T>(o.betas[1]),
                           .eps = static_cast<T>(o.eps),
                           .wd = static_cast<T>(o.weight_decay)};
  detail::with_static_flags(
      [&](auto maximize, auto weight_decay) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          adamax_range<maximize.value, weight_decay.value>(param, grad, exp_avg, exp_inf, begin,
                                                           end, k);
        });
      },
      o.maximize, o.weight_decay != 0.0);
}

template void adamax_update<float>(float*, const float*, float*, float*, int64_t,
                                   const AdamaxOptions&, int64_t);
template void adamax_update<double>(double*, const double*, double*, double*, int64_t,
                                    const AdamaxOptions&, int64_t);

AdamaxState Adamax::init_state(const Tensor& param, const AdamaxOptions&) {
  return {.step = 0, .exp_avg = detail::zeros_state(param), .exp_inf = detail::zeros_state(param)};
}

void Adamax::update(const Tensor& param, const Tensor& grad, AdamaxState& st,
                    const AdamaxOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "Adamax");
  ++st.step;
  dispatch_floating(param.dtype(), "Adamax", [&](auto t) {
    using T = decltype(t);
    adamax_update<T>(param.data<T>(), g.data<T>(), st.exp_avg.data<T>(), st.exp_inf.data<T>(),
                     param.numel(), o, st.step);
  });
}

}  // namespace descent::optim
