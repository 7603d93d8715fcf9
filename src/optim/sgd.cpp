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

template <typename T>
void sgd_update(T* param, const T* grad, T* buffer, int64_t n, const SGDOptions& o, bool first) {
  // Scalars are rounded to T as PyTorch does when it applies them to a tensor of dtype T.
  const T wd = static_cast<T>(o.weight_decay);
  const T mu = static_cast<T>(o.momentum);
  const T one_minus_damp = static_cast<T>(1.0 - o.dampening);
  const T neg_lr = static_cast<T>(-o.lr);
  const bool use_wd = o.weight_decay != 0.0;
  const bool use_momentum = o.momentum != 0.0;
  detail::update_loop(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T d = o.maximize ? -grad[i] : grad[i];
      if (use_wd) d = d + wd * param[i];
      if (use_momentum) {
        const T b = first ? d : buffer[i] * mu + one_minus_damp * d;
        buffer[i] = b;
        d = o.nesterov ? d + mu * b : b;
      }
      param[i] = param[i] + neg_lr * d;
    }
  });
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
  detail::dispatch_floating(param.dtype(), [&](auto t) {
    using T = decltype(t);
    T* buf = o.momentum != 0.0 ? state.momentum_buffer.data<T>() : nullptr;
    sgd_update<T>(param.data<T>(), g.data<T>(), buf, param.numel(), o, first);
  });
}

}  // namespace descent::optim
