// Adagrad: the fused update kernel and the optimizer's per-parameter step.
#include "descent/optim/adagrad.h"

#include <cmath>

#include "update_util.h"

namespace descent::optim {

void AdagradOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "lr_decay", lr_decay);
  require_non_negative(optimizer, "weight_decay", weight_decay);
  require_non_negative(optimizer, "initial_accumulator_value", initial_accumulator_value);
  require_non_negative(optimizer, "eps", eps);
}

namespace {

template <typename T>
struct AdagradScalars {
  T neg_clr, wd, eps;
};

// The fused element loop over [begin, end); the flags are adagrad_update's options.
template <bool kMaximize, bool kWeightDecay, typename T>
void adagrad_range(T* __restrict param, const T* __restrict grad, T* __restrict sum, int64_t begin,
                   int64_t end, const AdagradScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = kMaximize ? -grad[i] : grad[i];
    if constexpr (kWeightDecay) g = g + k.wd * param[i];
    const T s = sum[i] + T(1) * g * g;
    sum[i] = s;
    param[i] = param[i] + k.neg_clr * g / (std::sqrt(s) + k.eps);
  }
}

}  // namespace

template <typename T>
void adagrad_update(T* param, const T* grad, T* sum, int64_t n, const AdagradOptions& o,
                    int64_t step) {
  const double clr = o.lr / (1.0 + static_cast<double>(step - 1) * o.lr_decay);
  const AdagradScalars<T> k{.neg_clr = static_cast<T>(-clr),
                            .wd = static_cast<T>(o.weight_decay),
                            .eps = static_cast<T>(o.eps)};
  detail::with_static_flags(
      [&](auto maximize, auto weight_decay) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          adagrad_range<maximize.value, weight_decay.value>(param, grad, sum, begin, end, k);
        });
      },
      o.maximize, o.weight_decay != 0.0);
}

template void adagrad_update<float>(float*, const float*, float*, int64_t, const AdagradOptions&,
                                    int64_t);
template void adagrad_update<double>(double*, const double*, double*, int64_t,
                                     const AdagradOptions&, int64_t);

AdagradState Adagrad::init_state(const Tensor& param, const AdagradOptions& o) {
  return {.step = 0, .sum = full(param.shape(), o.initial_accumulator_value, param.dtype())};
}

void Adagrad::update(const Tensor& param, const Tensor& grad, AdagradState& st,
                     const AdagradOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "Adagrad");
  ++st.step;
  dispatch_floating(param.dtype(), "Adagrad", [&](auto t) {
    using T = decltype(t);
    adagrad_update<T>(param.data<T>(), g.data<T>(), st.sum.data<T>(), param.numel(), o, st.step);
  });
}

}  // namespace descent::optim
