// SequentialLR: a transcription of PyTorch 1.13's SequentialLR.
#include "descent/optim/sequential.h"

#include <fmt/core.h>

#include <algorithm>

namespace descent::optim {

SequentialLR::SequentialLR(LrTarget& target, std::vector<std::unique_ptr<LRScheduler>> schedulers,
                           SequentialLROptions options)
    : LRScheduler(target, "SequentialLR"),
      schedulers_(std::move(schedulers)),
      opt_(std::move(options)) {
  if (schedulers_.empty()) fail("schedulers", "must not be empty");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    if (!schedulers_[i]) fail("schedulers", fmt::format("[{}] is null", i));
    if (&schedulers_[i]->target_ != &target_) {
      fail("schedulers", fmt::format("[{}] drives a different optimizer", i));
    }
  }
  if (opt_.milestones.size() + 1 != schedulers_.size()) {
    fail("milestones", fmt::format("needs {} values (one fewer than the schedulers), got {}",
                                   schedulers_.size() - 1, opt_.milestones.size()));
  }
  if (!std::is_sorted(opt_.milestones.begin(), opt_.milestones.end())) {
    fail("milestones", "must be increasing");
  }
  // PyTorch: last_epoch = -1 + 1; lrs back to 'initial_lr'; undo the sub-schedulers' first
  // steps; then the first one's initial step again.
  last_epoch_ = 0;
  for (size_t g = 0; g < target_.num_groups(); ++g) target_.set_lr(g, target_.initial_lrs[g]);
  for (auto& s : schedulers_) s->last_epoch_ -= 1;
  schedulers_[0]->initial_step();
  last_lr_ = schedulers_[0]->last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  // bisect_right: the number of milestones ≤ last_epoch picks the scheduler.
  const size_t idx = static_cast<size_t>(
      std::upper_bound(opt_.milestones.begin(), opt_.milestones.end(), last_epoch_) -
      opt_.milestones.begin());
  LRScheduler& s = *schedulers_[idx];
  if (idx > 0 && opt_.milestones[idx - 1] == last_epoch_) {
    s.step_to(0);
  } else {
    s.step();
  }
  last_lr_ = s.last_lr();
}

void SequentialLR::step_to(int64_t /*epoch*/) {
  fail("step_to", "is not supported (PyTorch's SequentialLR.step() takes no epoch)");
}

nlohmann::json SequentialLR::state_dict() const {
  nlohmann::json subs = nlohmann::json::array();
  for (const auto& s : schedulers_) subs.push_back(s->state_dict());
  return {{"scheduler", name_},
          {"last_epoch", last_epoch_},
          {"last_lr", last_lr_},
          {"schedulers", subs}};
}

void SequentialLR::load_state_dict(const nlohmann::json& state) {
  try {
    if (state.at("scheduler").get<std::string>() != name_) {
      fail("state_dict", "was saved by " + state.at("scheduler").get<std::string>());
    }
    const nlohmann::json& subs = state.at("schedulers");
    if (subs.size() != schedulers_.size()) {
      fail("state_dict",
           fmt::format("has {} schedulers, this one {}", subs.size(), schedulers_.size()));
    }
    for (size_t i = 0; i < schedulers_.size(); ++i) schedulers_[i]->load_state_dict(subs[i]);
    last_epoch_ = state.at("last_epoch").get<int64_t>();
    // The sub-schedulers each wrote their own last lr; the target must end at ours.
    apply(state.at("last_lr").get<std::vector<double>>());
  } catch (const nlohmann::json::exception& e) {
    fail("state_dict", std::string("is malformed: ") + e.what());
  }
}

}  // namespace descent::optim
