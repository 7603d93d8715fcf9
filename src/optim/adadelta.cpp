// Adadelta: the fused update kernel and the optimizer's per-parameter step.
#include "descent/optim/adadelta.h"

#include <cmath>

#include "descent/core/error.h"
#include "update_util.h"

namespace descent::optim {

void AdadeltaOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  if (!(rho >= 0.0 && rho <= 1.0)) {
    throw_optimizer_error(optimizer, "invalid rho " + std::to_string(rho) + " (must be in [0, 1])");
  }
  require_non_negative(optimizer, "eps", eps);
  require_non_negative(optimizer, "weight_decay", weight_decay);
}

namespace {

template <typename T>
struct AdadeltaScalars {
  T rho, one_minus_rho, eps, wd, neg_lr;
};

// The fused element loop over [begin, end); the flags are adadelta_update's options.
template <bool kMaximize, bool kWeightDecay, typename T>
void adadelta_range(T* __restrict param, const T* __restrict grad, T* __restrict square_avg,
                    T* __restrict acc_delta, int64_t begin, int64_t end,
                    const AdadeltaScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = kMaximize ? -grad[i] : grad[i];
    if constexpr (kWeightDecay) g = g + k.wd * param[i];
    const T s = square_avg[i] * k.rho + k.one_minus_rho * g * g;
    square_avg[i] = s;
    const T std_ = std::sqrt(s + k.eps);
    const T delta = std::sqrt(acc_delta[i] + k.eps) / std_ * g;
    acc_delta[i] = acc_delta[i] * k.rho + k.one_minus_rho * delta * delta;
    param[i] = param[i] + k.neg_lr * delta;
  }
}

}  // namespace

template <typename T>
void adadelta_update(T* param, const T* grad, T* square_avg, T* acc_delta, int64_t n,
                     const AdadeltaOptions& o) {
  const AdadeltaScalars<T> k{.rho = static_cast<T>(o.rho),
                             .one_minus_rho = static_cast<T>(1.0 - o.rho),
                             .eps = static_cast<T>(o.eps),
                             .wd = static_cast<T>(o.weight_decay),
                             .neg_lr = static_cast<T>(-o.lr)};
  detail::with_static_flags(
      [&](auto maximize, auto weight_decay) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          adadelta_range<maximize.value, weight_decay.value>(param, grad, square_avg, acc_delta,
                                                             begin, end, k);
        });
      },
      o.maximize, o.weight_decay != 0.0);
}

template void adadelta_update<float>(float*, const float*, float*, float*, int64_t,
                                     const AdadeltaOptions&);
template void adadelta_update<double>(double*, const double*, double*, double*, int64_t,
                                      const AdadeltaOptions&);

AdadeltaState Adadelta::init_state(const Tensor& param, const AdadeltaOptions&) {
  return {
      .step = 0, .square_avg = detail::zeros_state(param), .acc_delta = detail::zeros_state(param)};
}

void Adadelta::update(const Tensor& param, const Tensor& grad, AdadeltaState& st,
                      const AdadeltaOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "Adadelta");
  ++st.step;
  dispatch_floating(param.dtype(), "Adadelta", [&](auto t) {
    using T = decltype(t);
    adadelta_update<T>(param.data<T>(), g.data<T>(), st.square_avg.data<T>(),
                       st.acc_delta.data<T>(), param.numel(), o);
  });
}

}  // namespace descent::optim
