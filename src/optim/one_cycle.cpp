// OneCycleLR: a transcription of PyTorch 1.13's OneCycleLR.get_lr().
#include "descent/optim/one_cycle.h"

#include <fmt/core.h>

#include <cmath>
#include <numbers>

namespace descent::optim {

OneCycleLR::OneCycleLR(LrTarget& target, OneCycleLROptions options)
    : LRScheduler(target, "OneCycleLR"), opt_(std::move(options)) {
  const size_t groups = target_.num_groups();
  if (opt_.total_steps > 0) {
    total_steps_ = opt_.total_steps;
  } else if (opt_.total_steps < 0) {
    fail("total_steps", fmt::format("must be a positive integer, got {}", opt_.total_steps));
  } else {
    if (opt_.epochs <= 0 && opt_.steps_per_epoch <= 0) {
      fail("total_steps", "is required (or both epochs and steps_per_epoch)");
    }
    if (opt_.epochs <= 0) fail("epochs", fmt::format("must be >= 1, got {}", opt_.epochs));
    if (opt_.steps_per_epoch <= 0) {
      fail("steps_per_epoch", fmt::format("must be >= 1, got {}", opt_.steps_per_epoch));
    }
    total_steps_ = opt_.epochs * opt_.steps_per_epoch;
  }
  if (!(opt_.pct_start >= 0.0 && opt_.pct_start <= 1.0)) {
    fail("pct_start", fmt::format("must be in [0, 1], got {}", opt_.pct_start));
  }
  if (opt_.anneal_strategy != "cos" && opt_.anneal_strategy != "linear") {
    fail("anneal_strategy",
         fmt::format("must be 'cos' or 'linear', got '{}'", opt_.anneal_strategy));
  }
  if (opt_.max_lr.size() == 1) opt_.max_lr.assign(groups, opt_.max_lr[0]);
  if (opt_.max_lr.size() != groups) {
    fail("max_lr", fmt::format("needs 1 or {} values, got {}", groups, opt_.max_lr.size()));
  }
  if (!(opt_.div_factor > 0.0)) fail("div_factor", "must be > 0");
  if (!(opt_.final_div_factor > 0.0)) fail("final_div_factor", "must be > 0");
  if (opt_.cycle_momentum && !target_.has_momentum()) {
    fail("cycle_momentum", "needs an optimizer with momentum (or betas)");
  }

  const double n = static_cast<double>(total_steps_);
  const double p = opt_.pct_start;
  enum { kInitial = 0, kMax = 1, kMin = 2 };
  if (opt_.three_phase) {
    phases_ = {{p * n - 1, kInitial, kMax, true, false},
               {2 * p * n - 2, kMax, kInitial, false, true},
               {n - 1, kInitial, kMin, true, true}};
  } else {
    phases_ = {{p * n - 1, kInitial, kMax, true, false}, {n - 1, kMax, kMin, false, true}};
  }

  // OneCycleLR overrides 'initial_lr' whatever was there before (PyTorch does the same).
  max_lrs_ = opt_.max_lr;
  min_lrs_.resize(groups);
  target_.initial_lrs.resize(groups);
  for (size_t g = 0; g < groups; ++g) {
    target_.initial_lrs[g] = max_lrs_[g] / opt_.div_factor;
    min_lrs_[g] = target_.initial_lrs[g] / opt_.final_div_factor;
    if (opt_.cycle_momentum) target_.set_momentum(g, opt_.max_momentum);
  }
  base_lrs_ = target_.initial_lrs;
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (opt_.anneal_strategy == "cos") {
    const double cos_out = std::cos(std::numbers::pi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

std::vector<double> OneCycleLR::get_lr() {
  if (last_epoch_ > total_steps_) {
    fail("total_steps",
         fmt::format("is {}, but step() was called {} times", total_steps_, last_epoch_ + 1));
  }
  const double t = static_cast<double>(last_epoch_);
  std::vector<double> lrs(target_.num_groups());
  for (size_t g = 0; g < lrs.size(); ++g) {
    const double levels[3] = {base_lrs_[g], max_lrs_[g], min_lrs_[g]};
    double start_step = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& ph = phases_[i];
      if (t <= ph.end_step || i + 1 == phases_.size()) {
        const double pct = (t - start_step) / (ph.end_step - start_step);
        lrs[g] = anneal(levels[ph.start_lr], levels[ph.end_lr], pct);
        if (opt_.cycle_momentum) {
          const double m0 = ph.start_momentum_max ? opt_.max_momentum : opt_.base_momentum;
          const double m1 = ph.end_momentum_max ? opt_.max_momentum : opt_.base_momentum;
          target_.set_momentum(g, anneal(m0, m1, pct));
        }
        break;
      }
      start_step = ph.end_step;
    }
  }
  return lrs;
}

}  // namespace descent::optim
