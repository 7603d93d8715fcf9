// Adam and AdamW: the fused update kernel and the optimizers' per-parameter step.
#include "descent/optim/adam.h"

#include <cmath>

#include "update_util.h"

namespace descent::optim {

namespace {

template <typename O>
void validate_adam(const O& o, const std::string& optimizer) {
  require_non_negative(optimizer, "lr", o.lr);
  require_non_negative(optimizer, "eps", o.eps);
  require_betas(optimizer, o.betas);
  require_non_negative(optimizer, "weight_decay", o.weight_decay);
}

template <typename O>
void adam_like_update(const Tensor& param, const Tensor& grad, AdamState& st, const O& o,
                      bool decoupled, const char* name) {
  const Tensor g = detail::dense_grad(param, grad, name);
  if (o.amsgrad && !st.max_exp_avg_sq.defined()) st.max_exp_avg_sq = detail::zeros_state(param);
  ++st.step;
  const AdamStep h{.lr = o.lr,
                   .beta1 = o.betas[0],
                   .beta2 = o.betas[1],
                   .eps = o.eps,
                   .weight_decay = o.weight_decay,
                   .amsgrad = o.amsgrad,
                   .maximize = o.maximize,
                   .decoupled_weight_decay = decoupled,
                   .step = st.step};
  dispatch_floating(param.dtype(), name, [&](auto t) {
    using T = decltype(t);
    adam_update<T>(param.data<T>(), g.data<T>(), st.exp_avg.data<T>(), st.exp_avg_sq.data<T>(),
                   o.amsgrad ? st.max_exp_avg_sq.data<T>() : nullptr, param.numel(), h);
  });
}

AdamState adam_init(const Tensor& param, bool amsgrad) {
  AdamState st;
  st.exp_avg = detail::zeros_state(param);
  st.exp_avg_sq = detail::zeros_state(param);
  if (amsgrad) st.max_exp_avg_sq = detail::zeros_state(param);
  return st;
}

}  // namespace

void AdamOptions::validate(const std::string& optimizer) const {
  validate_adam(*this, optimizer);
}
void AdamWOptions::validate(const std::string& optimizer) const {
  validate_adam(*this, optimizer);
}

namespace {

// The per-step constants of adam_update, rounded to T.
template <typename T>
struct AdamScalars {
  detail::AdamMoments<T> moments;
  T neg_step_size, bc2_sqrt, eps, wd, decay;
};

// The fused element loop over [begin, end); the flags are adam_update's options.
template <bool kMaximize, bool kL2, bool kDecoupled, bool kAmsgrad, typename T>
void adam_range(T* __restrict param, const T* __restrict grad, T* __restrict exp_avg,
                T* __restrict exp_avg_sq, T* __restrict max_exp_avg_sq, int64_t begin, int64_t end,
                const AdamScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T g = kMaximize ? -grad[i] : grad[i];
    T p = param[i];
    if constexpr (kDecoupled) p = p * k.decay;
    if constexpr (kL2) g = g + k.wd * p;
    T m = exp_avg[i], v = exp_avg_sq[i];
    k.moments.update(m, v, g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    T vmax = v;
    if constexpr (kAmsgrad) {
      vmax = detail::nan_max(max_exp_avg_sq[i], v);
      max_exp_avg_sq[i] = vmax;
    }
    const T denom = std::sqrt(vmax) / k.bc2_sqrt + k.eps;
    param[i] = p + k.neg_step_size * m / denom;
  }
}

}  // namespace

template <typename T>
void adam_update(T* param, const T* grad, T* exp_avg, T* exp_avg_sq, T* max_exp_avg_sq, int64_t n,
                 const AdamStep& h) {
  // Scalar factors are computed in double, as PyTorch does in Python, then applied in T.
  const double bias_correction1 = 1.0 - std::pow(h.beta1, static_cast<double>(h.step));
  const double bias_correction2 = 1.0 - std::pow(h.beta2, static_cast<double>(h.step));
  const AdamScalars<T> k{.moments = detail::AdamMoments<T>(h.beta1, h.beta2),
                         .neg_step_size = static_cast<T>(-(h.lr / bias_correction1)),
                         .bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2)),
                         .eps = static_cast<T>(h.eps),
                         .wd = static_cast<T>(h.weight_decay),
                         .decay = static_cast<T>(1.0 - h.lr * h.weight_decay)};
  const bool l2 = !h.decoupled_weight_decay && h.weight_decay != 0.0;
  detail::with_static_flags(
      [&](auto maximize, auto use_l2, auto decoupled, auto amsgrad) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          adam_range<maximize.value, use_l2.value, decoupled.value, amsgrad.value>(
              param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, begin, end, k);
        });
      },
      h.maximize, l2, h.decoupled_weight_decay, h.amsgrad);
}

template void adam_update<float>(float*, const float*, float*, float*, float*, int64_t,
                                 const AdamStep&);
template void adam_update<double>(double*, const double*, double*, double*, double*, int64_t,
                                  const AdamStep&);

AdamState Adam::init_state(const Tensor& param, const AdamOptions& o) {
  return adam_init(param, o.amsgrad);
}
void Adam::update(const Tensor& param, const Tensor& grad, AdamState& st, const AdamOptions& o) {
  adam_like_update(param, grad, st, o, /*decoupled=*/false, "Adam");
}

AdamState AdamW::init_state(const Tensor& param, const AdamWOptions& o) {
  return adam_init(param, o.amsgrad);
}
void AdamW::update(const Tensor& param, const Tensor& grad, AdamState& st, const AdamWOptions& o) {
  adam_like_update(param, grad, st, o, /*decoupled=*/true, "AdamW");
}

}  // namespace descent::optim
