// RMSprop: the fused update kernel and the optimizer's per-parameter step.
#include "descent/optim/rmsprop.h"

#include <cmath>

#include "update_util.h"

namespace descent::optim {

void RMSpropOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "eps", eps);
  require_non_negative(optimizer, "momentum", momentum);
  require_non_negative(optimizer, "weight_decay", weight_decay);
  require_non_negative(optimizer, "alpha", alpha);
}

template <typename T>
void rmsprop_update(T* param, const T* grad, T* square_avg, T* momentum_buffer, T* grad_avg,
                    int64_t n, const RMSpropOptions& o) {
  const T wd = static_cast<T>(o.weight_decay);
  const T a = static_cast<T>(o.alpha);
  const T one_minus_a = static_cast<T>(1.0 - o.alpha);
  const T eps = static_cast<T>(o.eps);
  const T mu = static_cast<T>(o.momentum);
  const T neg_lr = static_cast<T>(-o.lr);
  const bool use_wd = o.weight_decay != 0.0;
  const bool use_momentum = o.momentum > 0.0;
  detail::update_loop(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T g = o.maximize ? -grad[i] : grad[i];
      if (use_wd) g = g + wd * param[i];
      // PyTorch's addcmul computes self + (value * t1) * t2; we keep its order.
      const T s = square_avg[i] * a + one_minus_a * g * g;
      square_avg[i] = s;
      T avg;
      if (o.centered) {
        const T ga = grad_avg[i] * a + one_minus_a * g;
        grad_avg[i] = ga;
        avg = std::sqrt(s + T(-1) * ga * ga);
      } else {
        avg = std::sqrt(s);
      }
      avg = avg + eps;
      if (use_momentum) {
        const T b = momentum_buffer[i] * mu + g / avg;
        momentum_buffer[i] = b;
        param[i] = param[i] + neg_lr * b;
      } else {
        param[i] = param[i] + neg_lr * g / avg;
      }
    }
  });
}

template void rmsprop_update<float>(float*, const float*, float*, float*, float*, int64_t,
                                    const RMSpropOptions&);
template void rmsprop_update<double>(double*, const double*, double*, double*, double*, int64_t,
                                     const RMSpropOptions&);

RMSpropState RMSprop::init_state(const Tensor& param, const RMSpropOptions&) {
  RMSpropState st;
  st.square_avg = detail::zeros_state(param);
  return st;
}

void RMSprop::update(const Tensor& param, const Tensor& grad, RMSpropState& st,
                     const RMSpropOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "RMSprop");
  // Buffers for options switched on after the first step start at zero, as in PyTorch when a
  // state is created with those options.
  if (o.momentum > 0.0 && !st.momentum_buffer.defined()) {
    st.momentum_buffer = detail::zeros_state(param);
  }
  if (o.centered && !st.grad_avg.defined()) st.grad_avg = detail::zeros_state(param);
  ++st.step;
  detail::dispatch_floating(param.dtype(), [&](auto t) {
    using T = decltype(t);
    rmsprop_update<T>(param.data<T>(), g.data<T>(), st.square_avg.data<T>(),
                      o.momentum > 0.0 ? st.momentum_buffer.data<T>() : nullptr,
                      o.centered ? st.grad_avg.data<T>() : nullptr, param.numel(), o);
  });
}

}  // namespace descent::optim
