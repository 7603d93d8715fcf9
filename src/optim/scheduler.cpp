// LRScheduler: the shared stepping and state of the PyTorch-style schedulers.
#include "descent/optim/scheduler.h"

#include <fmt/core.h>

#include "descent/core/error.h"

namespace descent::optim {

LRScheduler::LRScheduler(LrTarget& target, std::string name)
    : target_(target), name_(std::move(name)) {
  const size_t n = target_.num_groups();
  if (n == 0) fail("target", "has no parameter groups");
  // PyTorch: group.setdefault('initial_lr', group['lr']); base_lrs = initial_lrs.
  if (target_.initial_lrs.size() != n) target_.initial_lrs = current_lrs();
  base_lrs_ = target_.initial_lrs;
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply(get_lr());
}

void LRScheduler::step_to(int64_t epoch) {
  ++step_count_;
  last_epoch_ = epoch;
  std::optional<std::vector<double>> closed = closed_form_lr();
  apply(closed ? *closed : get_lr());
}

void LRScheduler::apply(const std::vector<double>& lrs) {
  for (size_t g = 0; g < lrs.size(); ++g) target_.set_lr(g, lrs[g]);
  last_lr_ = current_lrs();
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> lrs(target_.num_groups());
  for (size_t g = 0; g < lrs.size(); ++g) lrs[g] = target_.lr(g);
  return lrs;
}

nlohmann::json LRScheduler::state_dict() const {
  nlohmann::json state = {{"scheduler", name_},
                          {"last_epoch", last_epoch_},
                          {"step_count", step_count_},
                          {"base_lrs", base_lrs_},
                          {"last_lr", last_lr_}};
  save_extra(state);
  return state;
}

void LRScheduler::load_state_dict(const nlohmann::json& state) {
  try {
    if (state.at("scheduler").get<std::string>() != name_) {
      fail("state_dict", fmt::format("was saved by {}", state.at("scheduler").get<std::string>()));
    }
    auto base = state.at("base_lrs").get<std::vector<double>>();
    auto last = state.at("last_lr").get<std::vector<double>>();
    if (base.size() != target_.num_groups() || last.size() != target_.num_groups()) {
      fail("state_dict",
           fmt::format("has {} groups, the target has {}", base.size(), target_.num_groups()));
    }
    load_extra(state);
    last_epoch_ = state.at("last_epoch").get<int64_t>();
    step_count_ = state.at("step_count").get<int64_t>();
    base_lrs_ = std::move(base);
    target_.initial_lrs = base_lrs_;
    apply(last);
  } catch (const nlohmann::json::exception& e) {
    fail("state_dict", std::string("is malformed: ") + e.what());
  }
}

void LRScheduler::fail(const std::string& option, const std::string& message) const {
  throw ValueError(fmt::format("{}: {} {}", name_, option, message));
}

}  // namespace descent::optim
