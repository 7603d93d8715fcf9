#pragma once
// SequentialLR: hands the schedule from one scheduler to the next at given milestones (e.g. a
// LinearLR warm-up followed by CosineAnnealingLR), with PyTorch 1.13's semantics:
//  - the sub-schedulers are built first on the same target (each performs its own first step,
//    as in PyTorch); SequentialLR then resets the lrs to the initial lrs, rewinds every
//    sub-scheduler by one epoch and re-runs the first one's initial step;
//  - at step t, scheduler i = #{milestones ≤ t} acts; on the step it takes over it is started
//    with step_to(0) (its closed form at epoch 0), afterwards with step().
// The sub-schedulers keep reading the lr from the target (they are chainable), so a scheduler
// taking over continues from whatever lr the previous one left when its formula is recursive.
#include <cstdint>
#include <memory>
#include <vector>

#include "descent/optim/scheduler.h"

namespace descent::optim {

struct SequentialLROptions {
  std::vector<int64_t> milestones = {};  // increasing; one fewer than the schedulers
};

class SequentialLR : public LRScheduler {
 public:
  SequentialLR(LrTarget& target, std::vector<std::unique_ptr<LRScheduler>> schedulers,
               SequentialLROptions options);

  void step() override;
  void step_to(int64_t epoch) override;

  nlohmann::json state_dict() const override;
  void load_state_dict(const nlohmann::json& state) override;

  const LRScheduler& scheduler(size_t i) const { return *schedulers_.at(i); }

 protected:
  std::vector<double> get_lr() override { return current_lrs(); }

 private:
  std::vector<std::unique_ptr<LRScheduler>> schedulers_;
  SequentialLROptions opt_;
};

}  // namespace descent::optim
