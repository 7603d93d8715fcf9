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

namespace {

template <typename T>
struct RMSpropScalars {
  T wd, a, one_minus_a, eps, mu, neg_lr;
};

// The fused element loop over [begin, end); the flags are rmsprop_update's options.
template <bool kMaximize, bool kWeightDecay, bool kCentered, bool kMomentum, typename T>
void rmsprop_range(T* __restrict param, const T* __restrict grad, T* __restrict square_avg,
                   T* __restrict momentum_buffer, T* __restrict grad_avg, int64_t begin,
                   int64_t end, const RMSpropScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = kMaximize ? -grad[i] : grad[i];
    if constexpr (kWeightDecay) g = g + k.wd * param[i];
    // PyTorch's addcmul computes self + (value * t1) * t2; we keep its order.
    const T s = square_avg[i] * k.a + k.one_minus_a * g * g;
    square_avg[i] = s;
    T avg;
    if constexpr (kCentered) {
      const T ga = grad_avg[i] * k.a + k.one_minus_a * g;
      grad_avg[i] = ga;
      avg = std::sqrt(s + T(-1) * ga * ga);
    } else {
      avg = std::sqrt(s);
    }
    avg = avg + k.eps;
    if constexpr (kMomentum) {
      const T b = momentum_buffer[i] * k.mu + g / avg;
      momentum_buffer[i] = b;
      param[i] = param[i] + k.neg_lr * b;
    } else {
      param[i] = param[i] + k.neg_lr * g / avg;
    }
  }
}

}  // namespace

template <typename T>
void rmsprop_update(T* param, const T* grad, T* square_avg, T* momentum_buffer, T* grad_avg,
                    int64_t n, const RMSpropOptions& o) {
  const RMSpropScalars<T> k{.wd = static_cast<T>(o.weight_decay),
                            .a = static_cast<T>(o.alpha),
                            .one_minus_a = static_cast<T>(1.0 - o.alpha),
                            .eps = static_cast<T>(o.eps),
                            .mu = static_cast<T>(o.momentum),
                            .neg_lr = static_cast<T>(-o.lr)};
  detail::with_static_flags(
      [&](auto maximize, auto weight_decay, auto centered, auto momentum) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          rmsprop_range<maximize.value, weight_decay.value, centered.value, momentum.value>(
              param, grad, square_avg, momentum_buffer, grad_avg, begin, end, k);
        });
      },
      o.maximize, o.weight_decay != 0.0, o.centered, o.momentum > 0.0);
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
  dispatch_floating(param.dtype(), "RMSprop", [&](auto t) {
    using T = decltype(t);
    rmsprop_update<T>(param.data<T>(), g.data<T>(), st.square_avg.data<T>(),
                      o.momentum > 0.0 ? st.momentum_buffer.data<T>() : nullptr,
                      o.centered ? st.grad_avg.data<T>() : nullptr, param.numel(), o);
  });
}

}  // namespace descent::optim
