#pragma once
// LrTarget: what a learning-rate scheduler drives. A scheduler only needs to read and write the
// learning rate (and, for OneCycleLR, the momentum) of each parameter group, so it talks to this
// small interface instead of to a concrete optimizer. That keeps schedulers testable on a plain
// vector of numbers (LrValues) and lets the web lab plot a schedule without building a model.
//
// `initial_lrs` plays the role of PyTorch's `param_group['initial_lr']`: the first scheduler
// attached to a target records each group's lr there, and every later scheduler on the same
// target takes its base_lrs from it (this is what makes SequentialLR's sub-schedulers agree).
#include <cstddef>
#include <vector>

namespace descent::optim {

class LrTarget {
 public:
  virtual ~LrTarget() = default;

  virtual size_t num_groups() const = 0;
  virtual double lr(size_t group) const = 0;
  virtual void set_lr(size_t group, double lr) = 0;

  // Momentum (SGD's `momentum`, or beta1 for Adam-like optimizers); used by OneCycleLR's
  // cycle_momentum. Targets without momentum return false and ignore writes.
  virtual bool has_momentum() const { return false; }
  virtual double momentum(size_t /*group*/) const { return 0.0; }
  virtual void set_momentum(size_t /*group*/, double /*m*/) {}

  // Per-group lr the schedule starts from (PyTorch's 'initial_lr'); empty until a scheduler
  // is attached.
  std::vector<double> initial_lrs;
};

// A target that is just numbers: one lr (and optionally one momentum) per group.
class LrValues : public LrTarget {
 public:
  explicit LrValues(std::vector<double> lrs, std::vector<double> momenta = {})
      : lrs_(std::move(lrs)), momenta_(std::move(momenta)) {}

  size_t num_groups() const override { return lrs_.size(); }
  double lr(size_t group) const override { return lrs_.at(group); }
  void set_lr(size_t group, double lr) override { lrs_.at(group) = lr; }
  bool has_momentum() const override { return !momenta_.empty(); }
  double momentum(size_t group) const override { return momenta_.at(group); }
  void set_momentum(size_t group, double m) override {
    if (!momenta_.empty()) momenta_.at(group) = m;
  }

  const std::vector<double>& lrs() const { return lrs_; }

 private:
  std::vector<double> lrs_;
  std::vector<double> momenta_;
};

}  // namespace descent::optim
