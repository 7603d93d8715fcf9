#pragma once
// LRScheduler: the base of the epoch/iteration learning-rate schedulers, with PyTorch 1.13's
// `_LRScheduler` semantics.
//
// Construction performs the first step (last_epoch becomes 0), exactly as PyTorch does, so
// last_lr() is the lr to use for the first optimizer step. Each step() then advances
// last_epoch by one and writes the new lr of every group into the target.
//
// Most PyTorch schedulers are *chainable*: get_lr() computes the next lr from the lr currently
// in the optimizer (lr_{t} = f(lr_{t-1})), not from a closed form. We keep those recursive
// formulas (and their rounding), so sequences match PyTorch's to the last bits and several
// schedulers can act on the same target as in PyTorch. The closed forms are used where
// PyTorch uses them: step_to(epoch) (PyTorch's deprecated step(epoch), which SequentialLR
// calls at its milestones).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "descent/optim/lr_target.h"

namespace descent::optim {

class SequentialLR;

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances one epoch (or iteration) and sets the new lrs on the target.
  virtual void step();
  // Jumps to `epoch`, using the closed form where the scheduler has one (PyTorch's step(epoch)).
  virtual void step_to(int64_t epoch);

  // The lrs set by the last step, one per group (PyTorch's get_last_lr()).
  const std::vector<double>& last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  const std::string& name() const { return name_; }

  // Everything needed to continue the schedule: counters, base and last lrs, and each
  // scheduler's own state. Options are not saved; restore into a scheduler built with the
  // same options.
  virtual nlohmann::json state_dict() const;
  // Restores the counters and writes last_lr and base_lrs back into the target, so a fresh
  // target continues exactly where the saved one was (PyTorch leaves that to the optimizer's
  // own state_dict).
  virtual void load_state_dict(const nlohmann::json& state);

 protected:
  // Records base_lrs from target.initial_lrs (setting them from the current lrs the first
  // time), as PyTorch's constructor does with last_epoch = -1.
  LRScheduler(LrTarget& target, std::string name);

  // PyTorch's _initial_step(): step_count = 0, then one step(). Derived constructors call it
  // last, when their options are in place.
  void initial_step();

  // The chainable formula: the lrs for last_epoch_, which step() has just advanced.
  virtual std::vector<double> get_lr() = 0;
  // The closed form at last_epoch_, when the scheduler has one.
  virtual std::optional<std::vector<double>> closed_form_lr() const { return std::nullopt; }

  // Extra state of a derived scheduler, merged into / read from state_dict().
  virtual void save_extra(nlohmann::json& /*state*/) const {}
  virtual void load_extra(const nlohmann::json& /*state*/) {}

  // Writes lrs into the target and last_lr_.
  void apply(const std::vector<double>& lrs);
  // The target's current lrs.
  std::vector<double> current_lrs() const;

  // "<name>: <option> <message>" as a ValueError.
  [[noreturn]] void fail(const std::string& option, const std::string& message) const;

  LrTarget& target_;
  std::string name_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;

  friend class SequentialLR;
};

}  // namespace descent::optim
