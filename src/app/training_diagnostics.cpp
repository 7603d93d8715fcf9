// TrainingDiagnostics: the per-step diagnostics of the trainer (see training_diagnostics.h).
#include "training_diagnostics.h"

#include <cmath>

#include "descent/app/diagnostics.h"
#include "descent/app/grad_stats.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/nn/activations.h"
#include "descent/nn/batchnorm.h"

namespace descent::app {

TrainingDiagnostics::TrainingDiagnostics(const DiagnosticsConfig& config, nn::Sequential& model,
                                         const optim::Optimizer& optimizer)
    : config_(config), model_(model), optimizer_(optimizer), named_(model.named_parameters()) {}

bool TrainingDiagnostics::due(int64_t step) const {
  return config_.every_steps > 0 && step % config_.every_steps == 0;
}

Tensor TrainingDiagnostics::forward(const Tensor& input) {
  values_.clear();
  return forward_children(model_, "", input);
}

// Sequential::forward, x ↦ m_{n-1}(… m_0(x)), with nested Sequentials walked the same way.
Tensor TrainingDiagnostics::forward_children(nn::Module& module, const std::string& prefix,
                                             Tensor x) {
  for (const auto& [name, child] : module.named_children()) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (dynamic_cast<nn::Sequential*>(child.get()) != nullptr) {
      x = forward_children(*child, path, x);
      continue;
    }
    Tensor y = (*child)(x);
    record_layer(*child, path, x, y);
    x = std::move(y);
  }
  return x;
}

void TrainingDiagnostics::record_layer(nn::Module& child, const std::string& name,
                                       const Tensor& input, const Tensor& output) {
  NoGradGuard no_grad;
  if (config_.dead_relu && dynamic_cast<nn::ReLU*>(&child) != nullptr) {
    values_.emplace_back("dead_relu:" + name, dead_unit_fraction(output));
  } else if (config_.saturation && dynamic_cast<nn::Tanh*>(&child) != nullptr) {
    values_.emplace_back("saturation:" + name,
                         fraction_outside(output, -kTanhSaturation, kTanhSaturation));
  } else if (config_.saturation && dynamic_cast<nn::Sigmoid*>(&child) != nullptr) {
    values_.emplace_back("saturation:" + name,
                         fraction_outside(output, kSigmoidSaturation, 1.0 - kSigmoidSaturation));
  } else if (auto* bn = dynamic_cast<nn::BatchNorm1d*>(&child);
             config_.batchnorm && bn != nullptr) {
    const ChannelMoments m = batch_channel_moments(input);
    values_.emplace_back("bn_batch_mean_mean:" + name, m.mean_of_means);
    values_.emplace_back("bn_batch_mean_std:" + name, m.std_of_means);
    values_.emplace_back("bn_batch_var_mean:" + name, m.mean_of_vars);
    values_.emplace_back("bn_batch_var_std:" + name, m.std_of_vars);
    if (bn->running_mean.defined()) {  // after this forward's update
      const auto [rm, rs] = mean_and_std(bn->running_mean);
      const auto [vm, vs] = mean_and_std(bn->running_var);
      values_.emplace_back("bn_running_mean_mean:" + name, rm);
      values_.emplace_back("bn_running_mean_std:" + name, rs);
      values_.emplace_back("bn_running_var_mean:" + name, vm);
      values_.emplace_back("bn_running_var_std:" + name, vs);
    }
  }
}

void TrainingDiagnostics::after_backward() {
  NoGradGuard no_grad;
  before_.clear();
  for (const auto& [name, p] : named_) {
    if (config_.grad_norms && p.grad().defined()) {
      values_.emplace_back("grad_norm:" + name, std::sqrt(sum_of_squares(p.grad())));
    }
    if (config_.update_ratios) before_.push_back(clone(p.detach()));
  }
}

void TrainingDiagnostics::after_step() {
  NoGradGuard no_grad;
  if (config_.update_ratios) {
    for (size_t i = 0; i < named_.size() && i < before_.size(); ++i) {
      values_.emplace_back("update_ratio:" + named_[i].first,
                           relative_change(before_[i], named_[i].second));
    }
    before_.clear();
  }
  if (config_.adam_steps) {
    for (const StepSizeSummary& s : adam_step_sizes(optimizer_, named_)) {
      values_.emplace_back("adam_step_median:" + s.name, s.median);
      values_.emplace_back("adam_step_max:" + s.name, s.max);
    }
  }
}

TrainingDiagnostics::Values TrainingDiagnostics::take() {
  Values out = std::move(values_);
  values_.clear();
  return out;
}

}  // namespace descent::app
