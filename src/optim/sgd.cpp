// SGD: the fused update kernel and the optimizer's per-parameter step.
#include "descent/optim/sgd.h"

#include "update_util.h"

namespace descent::optim {

void SGDOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "momentum", momentum);
  require_non_negative(optimizer, "dampening", dampening);
  require_non_negative(optimizer, "weight_decay", weight_decay);
  if (nesterov && (momentum <= 0.0 || dampening != 0.0)) {
    throw_optimizer_error(
        optimizer, "nesterov=true requires momentum > 0 and dampening = 0 (got momentum " +
                       std::to_string(momentum) + ", dampening " + std::to_string(dampening) + ")");
  }
}

namespace {

// The per-step constants of sgd_update, rounded to T as PyTorch does when it applies a Python
// scalar to a tensor of dtype T.
template <typename T>
struct SGDScalars {
  T wd, mu, one_minus_damp, neg_lr;
};

// The fused element loop over [begin, end); the flags are sgd_update's options.
template <bool kMaximize, bool kWeightDecay, bool kMomentum, bool kFirst, bool kNesterov,
          typename T>
void sgd_range(T* __restrict param, const T* __restrict grad, T* __restrict buffer, int64_t begin,
               int64_t end, const SGDScalars<T> k) {
  for (int64_t i = begin; i < end; ++i) {
    T d = kMaximize ? -grad[i] : grad[i];
    if constexpr (kWeightDecay) d = d + k.wd * param[i];
    if constexpr (kMomentum) {
      const T b = kFirst ? d : buffer[i] * k.mu + k.one_minus_damp * d;
      buffer[i] = b;
      d = kNesterov ? d + k.mu * b : b;
    }
    param[i] = param[i] + k.neg_lr * d;
  }
}

}  // namespace

template <typename T>
void sgd_update(T* param, const T* grad, T* buffer, int64_t n, const SGDOptions& o, bool first) {
  const SGDScalars<T> k{.wd = static_cast<T>(o.weight_decay),
                        .mu = static_cast<T>(o.momentum),
                        .one_minus_damp = static_cast<T>(1.0 - o.dampening),
                        .neg_lr = static_cast<T>(-o.lr)};
  const bool momentum = o.momentum != 0.0;
  // first and nesterov matter only with momentum; folding them keeps the variants few.
  detail::with_static_flags(
      [&](auto maximize, auto weight_decay, auto use_momentum, auto first_step, auto nesterov) {
        detail::update_loop(n, [&](int64_t begin, int64_t end) {
          sgd_range<maximize.value, weight_decay.value, use_momentum.value, first_step.value,
                    nesterov.value>(param, grad, buffer, begin, end, k);
        });
      },
      o.maximize, o.weight_decay != 0.0, momentum, momentum && first, momentum && o.nesterov);
}

template void sgd_update<float>(float*, const float*, float*, int64_t, const SGDOptions&, bool);
template void sgd_update<double>(double*, const double*, double*, int64_t, const SGDOptions&, bool);

SGDState SGD::init_state(const Tensor&, const SGDOptions&) {
  return {};
}

void SGD::update(const Tensor& param, const Tensor& grad, SGDState& state, const SGDOptions& o) {
  const Tensor g = detail::dense_grad(param, grad, "SGD");
  bool first = false;
  if (o.momentum != 0.0 && !state.momentum_buffer.defined()) {
    state.momentum_buffer = Tensor::empty(param.shape(), param.dtype());
    first = true;
  }
  dispatch_floating(param.dtype(), "SGD", [&](auto t) {
    using T = decltype(t);
    T* buf = o.momentum != 0.0 ? state.momentum_buffer.data<T>() : nullptr;
    sgd_update<T>(param.data<T>(), g.data<T>(), buf, param.numel(), o, first);
  });
}

}  // namespace descent::optim
