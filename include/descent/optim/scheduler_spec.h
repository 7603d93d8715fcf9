#pragma once
// The textual learning-rate schedule spec, the schedule counterpart of the optimizer spec
// (spec.h), used by run configs, the CLI and the web API:
//
//   name[:key=value[,key=value...]]        e.g.  cosine:T_max=100,eta_min=1e-5
//
//   none                                   fixed lr (no scheduler)
//   step:step_size=30,gamma=0.1            StepLR
//   multistep:milestones=30/80,gamma=0.1   MultiStepLR (milestones separated by '/')
//   exponential:gamma=0.9                  ExponentialLR
//   constant:factor=0.5,total_iters=5      ConstantLR: lr·factor for total_iters steps, then lr.
//                                          NB: PyTorch's defaults are factor=1/3, total_iters=5;
//                                          for an lr that never changes write `none`.
//   linear:start_factor=0.1,end_factor=1,total_iters=5          LinearLR (warm-up)
//   cosine:T_max=100,eta_min=0             CosineAnnealingLR
//   cosine_restarts:T_0=10,T_mult=2,eta_min=0                   CosineAnnealingWarmRestarts
//   onecycle:max_lr=0.1,total_steps=1000,pct_start=0.3,...      OneCycleLR (also epochs,
//       steps_per_epoch, anneal_strategy=cos|linear, cycle_momentum, base_momentum,
//       max_momentum, div_factor, final_div_factor, three_phase); max_lr may be one value
//       per group: max_lr=0.1/0.01
//   plateau:mode=min,factor=0.1,patience=10,threshold=1e-4,threshold_mode=rel,cooldown=0,
//       min_lr=0,eps=1e-8                  ReduceLROnPlateau (min_lr may be a/b/... per group)
//
// Names are case-insensitive (PyTorch's class names, e.g. CosineAnnealingLR, work too); keys
// are PyTorch's option names, matched case-insensitively (T_max = t_max). Lists use '/'.
// Numbers use from_chars syntax; booleans true/false/1/0. Defaults are PyTorch's; a required
// option without a default (step_size, milestones, gamma of exponential, T_max, T_0, max_lr,
// total_steps) is an error when missing, except that make_scheduler's `total_steps` argument
// (the length of the run, in scheduler steps) fills cosine's T_max and onecycle's
// total_steps when the spec does not give them.
// Unknown names and keys, repeated keys and malformed values are ValueErrors that list what is
// valid; option ranges are checked at parse time by the schedulers' own constructors.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "descent/optim/lr_target.h"
#include "descent/optim/plateau.h"
#include "descent/optim/scheduler.h"
#include "descent/optim/spec.h"

namespace descent::optim {

struct SchedulerSpec {
  std::string name;  // canonical: "step", "cosine", ...
  // key=value pairs in the order given, keys in PyTorch's spelling (T_max, not t_max).
  std::vector<std::pair<std::string, std::string>> options;

  // The canonical text "name:key=value,..." (just "name" without options).
  std::string str() const;
};

// Parses and validates a spec.
SchedulerSpec parse_scheduler_spec(std::string_view text);

// A schedule built from a spec: one LRScheduler, a ReduceLROnPlateau, or nothing (`none`).
// The one interface a training loop needs: construct before the first optimizer step, call
// step() after each optimizer step (or epoch), passing the validation metric for plateau.
class Schedule {
 public:
  Schedule(std::string name, LrTarget& target, std::unique_ptr<LRScheduler> scheduler,
           std::unique_ptr<ReduceLROnPlateau> plateau);

  // Advances the schedule. `metric` is required by plateau (ValueError without it) and
  // ignored by the others.
  void step(std::optional<double> metric = std::nullopt);
  bool needs_metric() const { return plateau_ != nullptr; }
  // The lr of every group after the last step (the current lrs for `none`).
  std::vector<double> last_lr() const;
  const std::string& name() const { return name_; }

  LRScheduler* scheduler() const { return scheduler_.get(); }    // null for plateau, none
  ReduceLROnPlateau* plateau() const { return plateau_.get(); }  // null unless plateau

  // The wrapped scheduler's state ({} for none), with "schedule": name for checking.
  nlohmann::json state_dict() const;
  void load_state_dict(const nlohmann::json& state);

 private:
  std::string name_;
  LrTarget& target_;
  std::unique_ptr<LRScheduler> scheduler_;
  std::unique_ptr<ReduceLROnPlateau> plateau_;
};

// Builds the schedule over `target` (which must outlive it). See above for total_steps.
std::unique_ptr<Schedule> make_scheduler(const SchedulerSpec& spec, LrTarget& target,
                                         std::optional<int64_t> total_steps = std::nullopt);
std::unique_ptr<Schedule> make_scheduler(std::string_view spec, LrTarget& target,
                                         std::optional<int64_t> total_steps = std::nullopt);

// The canonical schedule names, in a fixed order.
std::vector<std::string> scheduler_names();
// The keys a schedule accepts; default_value is "" for a required key.
std::vector<OptionInfo> scheduler_options(std::string_view name);

}  // namespace descent::optim
