// ReduceLROnPlateau: a transcription of PyTorch 1.13's class of the same name.
#include "descent/optim/plateau.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/core/error.h"

namespace descent::optim {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

ReduceLROnPlateau::ReduceLROnPlateau(LrTarget& target, ReduceLROnPlateauOptions options)
    : target_(target), opt_(std::move(options)) {
  const size_t groups = target_.num_groups();
  if (groups == 0) fail("target", "has no parameter groups");
  if (opt_.mode != "min" && opt_.mode != "max") {
    fail("mode", fmt::format("must be 'min' or 'max', got '{}'", opt_.mode));
  }
  if (opt_.threshold_mode != "rel" && opt_.threshold_mode != "abs") {
    fail("threshold_mode", fmt::format("must be 'rel' or 'abs', got '{}'", opt_.threshold_mode));
  }
  if (!(opt_.factor >= 0.0 && opt_.factor < 1.0)) {
    fail("factor", fmt::format("must be in [0, 1), got {}", opt_.factor));
  }
  if (opt_.patience < 0) fail("patience", "must be >= 0");
  if (opt_.cooldown < 0) fail("cooldown", "must be >= 0");
  if (!std::isfinite(opt_.threshold) || opt_.threshold < 0) fail("threshold", "must be >= 0");
  if (opt_.min_lr.size() == 1) opt_.min_lr.assign(groups, opt_.min_lr[0]);
  if (opt_.min_lr.size() != groups) {
    fail("min_lr", fmt::format("needs 1 or {} values, got {}", groups, opt_.min_lr.size()));
  }
  best_ = opt_.mode == "min" ? kInf : -kInf;
  last_lr_.resize(groups);
  for (size_t g = 0; g < groups; ++g) last_lr_[g] = target_.lr(g);
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const bool min = opt_.mode == "min";
  if (opt_.threshold_mode == "rel") {
    return min ? a < best * (1. - opt_.threshold) : a > best * (opt_.threshold + 1.);
  }
  return min ? a < best - opt_.threshold : a > best + opt_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ += 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (in_cooldown()) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > opt_.patience) {
    for (size_t g = 0; g < target_.num_groups(); ++g) {
      const double old_lr = target_.lr(g);
      const double new_lr = std::max(old_lr * opt_.factor, opt_.min_lr[g]);
      if (old_lr - new_lr > opt_.eps) target_.set_lr(g, new_lr);
    }
    cooldown_counter_ = opt_.cooldown;
    num_bad_epochs_ = 0;
  }
  for (size_t g = 0; g < last_lr_.size(); ++g) last_lr_[g] = target_.lr(g);
}

nlohmann::json ReduceLROnPlateau::state_dict() const {
  // ±inf is not JSON; "best" is null until a first metric has been seen.
  nlohmann::json best = std::isfinite(best_) ? nlohmann::json(best_) : nlohmann::json(nullptr);
  return {{"scheduler", "ReduceLROnPlateau"},  {"best", best},
          {"num_bad_epochs", num_bad_epochs_}, {"cooldown_counter", cooldown_counter_},
          {"last_epoch", last_epoch_},         {"last_lr", last_lr_}};
}

void ReduceLROnPlateau::load_state_dict(const nlohmann::json& state) {
  try {
    if (state.at("scheduler").get<std::string>() != "ReduceLROnPlateau") {
      fail("state_dict", "was saved by " + state.at("scheduler").get<std::string>());
    }
    auto last = state.at("last_lr").get<std::vector<double>>();
    if (last.size() != target_.num_groups()) fail("state_dict", "has the wrong number of groups");
    const nlohmann::json& best = state.at("best");
    best_ = best.is_null() ? (opt_.mode == "min" ? kInf : -kInf) : best.get<double>();
    num_bad_epochs_ = state.at("num_bad_epochs").get<int64_t>();
    cooldown_counter_ = state.at("cooldown_counter").get<int64_t>();
    last_epoch_ = state.at("last_epoch").get<int64_t>();
    last_lr_ = std::move(last);
    for (size_t g = 0; g < last_lr_.size(); ++g) target_.set_lr(g, last_lr_[g]);
  } catch (const nlohmann::json::exception& e) {
    fail("state_dict", std::string("is malformed: ") + e.what());
  }
}

void ReduceLROnPlateau::fail(const std::string& option, const std::string& message) const {
  throw ValueError(fmt::format("ReduceLROnPlateau: {} {}", option, message));
}

}  // namespace descent::optim
