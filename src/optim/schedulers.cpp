// The closed-shape schedulers. Each get_lr() transcribes PyTorch 1.13's chainable formula in
// the same order of operations, so the rounding, and therefore the sequence, is the same.
#include "descent/optim/schedulers.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace descent::optim {
namespace {

// Every current lr times `f`.
std::vector<double> scaled(std::vector<double> lrs, double f) {
  for (double& lr : lrs) lr *= f;
  return lrs;
}

}  // namespace

// --- StepLR -------------------------------------------------------------------------------

StepLR::StepLR(LrTarget& target, StepLROptions options)
    : LRScheduler(target, "StepLR"), opt_(options) {
  if (opt_.step_size < 1) fail("step_size", fmt::format("must be >= 1, got {}", opt_.step_size));
  if (!std::isfinite(opt_.gamma)) fail("gamma", "must be finite");
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  if (last_epoch_ == 0 || last_epoch_ % opt_.step_size != 0) return current_lrs();
  return scaled(current_lrs(), opt_.gamma);
}

std::optional<std::vector<double>> StepLR::closed_form_lr() const {
  std::vector<double> lrs = base_lrs_;
  const double k = static_cast<double>(last_epoch_ / opt_.step_size);
  for (double& lr : lrs) lr *= std::pow(opt_.gamma, k);
  return lrs;
}

// --- MultiStepLR --------------------------------------------------------------------------

MultiStepLR::MultiStepLR(LrTarget& target, MultiStepLROptions options)
    : LRScheduler(target, "MultiStepLR"), opt_(std::move(options)) {
  for (int64_t m : opt_.milestones) {
    if (m < 0) fail("milestones", fmt::format("must be non-negative, got {}", m));
  }
  if (!std::isfinite(opt_.gamma)) fail("gamma", "must be finite");
  std::sort(opt_.milestones.begin(), opt_.milestones.end());
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  const auto [lo, hi] =
      std::equal_range(opt_.milestones.begin(), opt_.milestones.end(), last_epoch_);
  if (lo == hi) return current_lrs();
  return scaled(current_lrs(), std::pow(opt_.gamma, static_cast<double>(hi - lo)));
}

std::optional<std::vector<double>> MultiStepLR::closed_form_lr() const {
  // bisect_right: the number of milestones ≤ last_epoch.
  const auto passed =
      std::upper_bound(opt_.milestones.begin(), opt_.milestones.end(), last_epoch_) -
      opt_.milestones.begin();
  std::vector<double> lrs = base_lrs_;
  for (double& lr : lrs) lr *= std::pow(opt_.gamma, static_cast<double>(passed));
  return lrs;
}

// --- ExponentialLR ------------------------------------------------------------------------

ExponentialLR::ExponentialLR(LrTarget& target, ExponentialLROptions options)
    : LRScheduler(target, "ExponentialLR"), opt_(options) {
  if (!(opt_.gamma > 0.0) || !std::isfinite(opt_.gamma)) {
    fail("gamma", fmt::format("must be a finite number > 0, got {}", opt_.gamma));
  }
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  if (last_epoch_ == 0) return current_lrs();
  return scaled(current_lrs(), opt_.gamma);
}

std::optional<std::vector<double>> ExponentialLR::closed_form_lr() const {
  std::vector<double> lrs = base_lrs_;
  for (double& lr : lrs) lr *= std::pow(opt_.gamma, static_cast<double>(last_epoch_));
  return lrs;
}

// --- ConstantLR ---------------------------------------------------------------------------

ConstantLR::ConstantLR(LrTarget& target, ConstantLROptions options)
    : LRScheduler(target, "ConstantLR"), opt_(options) {
  if (!(opt_.factor > 0.0 && opt_.factor <= 1.0)) {
    fail("factor", fmt::format("must be in (0, 1], got {}", opt_.factor));
  }
  if (opt_.total_iters < 0) fail("total_iters", "must be >= 0");
  initial_step();
}

std::vector<double> ConstantLR::get_lr() {
  if (last_epoch_ == 0) return scaled(current_lrs(), opt_.factor);
  if (last_epoch_ != opt_.total_iters) return current_lrs();
  return scaled(current_lrs(), 1.0 / opt_.factor);
}

std::optional<std::vector<double>> ConstantLR::closed_form_lr() const {
  const double on = last_epoch_ >= opt_.total_iters ? 1.0 : 0.0;
  std::vector<double> lrs = base_lrs_;
  for (double& lr : lrs) lr *= opt_.factor + on * (1 - opt_.factor);
  return lrs;
}

// --- LinearLR -----------------------------------------------------------------------------

LinearLR::LinearLR(LrTarget& target, LinearLROptions options)
    : LRScheduler(target, "LinearLR"), opt_(options) {
  // start_factor = 0 would divide by zero in the recursion (PyTorch produces inf/nan).
  if (!(opt_.start_factor > 0.0 && opt_.start_factor <= 1.0)) {
    fail("start_factor", fmt::format("must be in (0, 1], got {}", opt_.start_factor));
  }
  if (!(opt_.end_factor >= 0.0 && opt_.end_factor <= 1.0)) {
    fail("end_factor", fmt::format("must be in [0, 1], got {}", opt_.end_factor));
  }
  if (opt_.total_iters < 1)
    fail("total_iters", fmt::format("must be >= 1, got {}", opt_.total_iters));
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  if (last_epoch_ == 0) return scaled(current_lrs(), opt_.start_factor);
  if (last_epoch_ > opt_.total_iters) return current_lrs();
  // η_t / η_{t-1} = 1 + (e − s) / (T s + (t − 1)(e − s)).
  const double d = opt_.end_factor - opt_.start_factor;
  return scaled(current_lrs(), 1. + d / (static_cast<double>(opt_.total_iters) * opt_.start_factor +
                                         static_cast<double>(last_epoch_ - 1) * d));
}

std::optional<std::vector<double>> LinearLR::closed_form_lr() const {
  const double t = static_cast<double>(std::min(opt_.total_iters, last_epoch_));
  std::vector<double> lrs = base_lrs_;
  for (double& lr : lrs) {
    lr *= opt_.start_factor +
          (opt_.end_factor - opt_.start_factor) * t / static_cast<double>(opt_.total_iters);
  }
  return lrs;
}

// --- CosineAnnealingLR --------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(LrTarget& target, CosineAnnealingLROptions options)
    : LRScheduler(target, "CosineAnnealingLR"), opt_(options) {
  if (opt_.T_max < 1) fail("T_max", fmt::format("must be >= 1, got {}", opt_.T_max));
  if (!std::isfinite(opt_.eta_min)) fail("eta_min", "must be finite");
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  const double t = static_cast<double>(last_epoch_);
  const double T = static_cast<double>(opt_.T_max);
  const double eta_min = opt_.eta_min;
  std::vector<double> lrs = current_lrs();
  if (last_epoch_ == 0) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) return *closed_form_lr();
  if ((last_epoch_ - 1 - opt_.T_max) % (2 * opt_.T_max) == 0) {
    // At the bottom of the cosine the ratio form would divide by 1 + cos(π) = 0; PyTorch adds
    // the first step of the rise instead.
    for (size_t g = 0; g < lrs.size(); ++g) {
      lrs[g] = lrs[g] + (base_lrs_[g] - eta_min) * (1 - std::cos(pi / T)) / 2;
    }
    return lrs;
  }
  // (η_t − η_min) / (η_{t-1} − η_min) = (1 + cos(π t/T)) / (1 + cos(π (t−1)/T)).
  for (double& lr : lrs) {
    lr = (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) * (lr - eta_min) + eta_min;
  }
  return lrs;
}

std::optional<std::vector<double>> CosineAnnealingLR::closed_form_lr() const {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = base_lrs_;
  for (double& lr : lrs) {
    lr = opt_.eta_min + (lr - opt_.eta_min) *
                            (1 + std::cos(pi * static_cast<double>(last_epoch_) /
                                          static_cast<double>(opt_.T_max))) /
                            2;
  }
  return lrs;
}

// --- CosineAnnealingWarmRestarts ----------------------------------------------------------

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(LrTarget& target,
                                                         CosineAnnealingWarmRestartsOptions options)
    : LRScheduler(target, "CosineAnnealingWarmRestarts"), opt_(options) {
  if (opt_.T_0 < 1) fail("T_0", fmt::format("must be >= 1, got {}", opt_.T_0));
  if (opt_.T_mult < 1) fail("T_mult", fmt::format("must be >= 1, got {}", opt_.T_mult));
  if (!std::isfinite(opt_.eta_min)) fail("eta_min", "must be finite");
  T_i_ = opt_.T_0;
  T_cur_ = -1;
  initial_step();
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = base_lrs_;
  for (double& lr : lrs) {
    lr = opt_.eta_min +
         (lr - opt_.eta_min) *
             (1 + std::cos(pi * static_cast<double>(T_cur_) / static_cast<double>(T_i_))) / 2;
  }
  return lrs;
}

void CosineAnnealingWarmRestarts::step() {
  // PyTorch: the first call (last_epoch < 0) is step(0).
  if (last_epoch_ < 0) {
    step_to(0);
    return;
  }
  ++step_count_;
  ++last_epoch_;
  T_cur_ += 1;
  if (T_cur_ >= T_i_) {
    T_cur_ -= T_i_;
    T_i_ *= opt_.T_mult;
  }
  apply(get_lr());
}

void CosineAnnealingWarmRestarts::step_to(int64_t epoch) {
  if (epoch < 0) fail("epoch", fmt::format("must be non-negative, got {}", epoch));
  ++step_count_;
  if (epoch >= opt_.T_0) {
    if (opt_.T_mult == 1) {
      T_cur_ = epoch % opt_.T_0;
    } else {
      // The cycle n holding `epoch`: T_0 (T_mult^n − 1)/(T_mult − 1) ≤ epoch.
      const double m = static_cast<double>(opt_.T_mult);
      const auto n = static_cast<int64_t>(
          std::log(static_cast<double>(epoch) / static_cast<double>(opt_.T_0) * (m - 1) + 1) /
          std::log(m));
      int64_t pw = 1;
      for (int64_t i = 0; i < n; ++i) pw *= opt_.T_mult;
      T_cur_ = epoch - opt_.T_0 * (pw - 1) / (opt_.T_mult - 1);
      T_i_ = opt_.T_0 * pw;
    }
  } else {
    T_i_ = opt_.T_0;
    T_cur_ = epoch;
  }
  last_epoch_ = epoch;
  apply(get_lr());
}

void CosineAnnealingWarmRestarts::save_extra(nlohmann::json& state) const {
  state["T_cur"] = T_cur_;
  state["T_i"] = T_i_;
}

void CosineAnnealingWarmRestarts::load_extra(const nlohmann::json& state) {
  T_cur_ = state.at("T_cur").get<int64_t>();
  T_i_ = state.at("T_i").get<int64_t>();
}

}  // namespace descent::optim
