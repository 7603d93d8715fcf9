#pragma once
// Learning-rate schedulers with closed-form shapes, following PyTorch 1.13's
// torch.optim.lr_scheduler (same option names, same chainable recursions, same values).
// η_0 is a group's base lr (its lr when the first scheduler was attached), t = last_epoch.
//
//   StepLR                       η_t = η_0 γ^⌊t / step_size⌋
//   MultiStepLR                  η_t = η_0 γ^|{m ∈ milestones : m ≤ t}|
//   ExponentialLR                η_t = η_0 γ^t
//   ConstantLR                   η_t = η_0 (factor if t < total_iters else 1)
//   LinearLR                     η_t = η_0 (s + (e − s) min(t, T)/T)        (warm-up)
//   CosineAnnealingLR            η_t = η_min + ½(η_0 − η_min)(1 + cos(π t / T_max))
//   CosineAnnealingWarmRestarts  η_t = η_min + ½(η_0 − η_min)(1 + cos(π T_cur / T_i)),
//                                T_cur counts from the last restart, T_i = T_0 T_mult^k.
//
// The formulas above are what step_to(t) uses; step() uses PyTorch's recursive forms (which
// read the lr currently in the target), so other code that changes the lr between steps
// composes as in PyTorch. CosineAnnealingLR's recursion keeps going past T_max: the lr rises
// back to η_0 over the next T_max steps (a cosine of period 2 T_max), as in PyTorch.
//
// Bad options throw descent::ValueError naming the scheduler and the option.
#include <cstdint>
#include <vector>

#include "descent/optim/scheduler.h"

namespace descent::optim {

struct StepLROptions {
  int64_t step_size = 0;  // required, ≥ 1
  double gamma = 0.1;
};

class StepLR : public LRScheduler {
 public:
  StepLR(LrTarget& target, StepLROptions options);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  StepLROptions opt_;
};

struct MultiStepLROptions {
  // Epochs at which the lr is multiplied by gamma; a milestone listed k times multiplies by
  // gamma^k (PyTorch keeps a Counter). Must be non-negative; the order does not matter.
  std::vector<int64_t> milestones = {};
  double gamma = 0.1;
};

class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(LrTarget& target, MultiStepLROptions options);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  MultiStepLROptions opt_;  // milestones sorted
};

struct ExponentialLROptions {
  double gamma = 0.0;  // required, > 0
};

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(LrTarget& target, ExponentialLROptions options);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  ExponentialLROptions opt_;
};

struct ConstantLROptions {
  double factor = 1.0 / 3;  // in (0, 1]
  int64_t total_iters = 5;  // ≥ 0
};

class ConstantLR : public LRScheduler {
 public:
  ConstantLR(LrTarget& target, ConstantLROptions options);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  ConstantLROptions opt_;
};

struct LinearLROptions {
  double start_factor = 1.0 / 3;  // in (0, 1]
  double end_factor = 1.0;        // in [0, 1]
  int64_t total_iters = 5;        // ≥ 1
};

class LinearLR : public LRScheduler {
 public:
  LinearLR(LrTarget& target, LinearLROptions options);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  LinearLROptions opt_;
};

struct CosineAnnealingLROptions {
  int64_t T_max = 0;  // required, ≥ 1
  double eta_min = 0.0;
};

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(LrTarget& target, CosineAnnealingLROptions options);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  CosineAnnealingLROptions opt_;
};

struct CosineAnnealingWarmRestartsOptions {
  int64_t T_0 = 0;     // required, ≥ 1: length of the first cycle
  int64_t T_mult = 1;  // ≥ 1: each cycle is T_mult times longer than the one before
  double eta_min = 0.0;
};

class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(LrTarget& target, CosineAnnealingWarmRestartsOptions options);

  void step() override;
  void step_to(int64_t epoch) override;

  int64_t T_cur() const { return T_cur_; }
  int64_t T_i() const { return T_i_; }

 protected:
  // Not chainable in PyTorch either: always the closed form at (T_cur, T_i).
  std::vector<double> get_lr() override;
  void save_extra(nlohmann::json& state) const override;
  void load_extra(const nlohmann::json& state) override;

 private:
  CosineAnnealingWarmRestartsOptions opt_;
  int64_t T_cur_ = -1;
  int64_t T_i_ = 0;
};

}  // namespace descent::optim
