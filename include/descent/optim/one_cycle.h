#pragma once
// OneCycleLR (Smith & Topin, "Super-Convergence", 2017) with PyTorch 1.13's semantics.
//
// With η_max = max_lr, η_init = η_max / div_factor and η_min = η_init / final_div_factor, and
// N = total_steps (or epochs × steps_per_epoch), p = pct_start:
//   two phases (default, fastai):  η_init → η_max over steps [0, pN − 1],
//                                  η_max  → η_min over [pN − 1, N − 1];
//   three_phase:                   η_init → η_max over [0, pN − 1],
//                                  η_max  → η_init over [pN − 1, 2pN − 2],
//                                  η_init → η_min over [2pN − 2, N − 1].
// Within a phase from step a to b, with r = (t − a)/(b − a):
//   cos:    η = end + (start − end)(1 + cos(π r))/2
//   linear: η = start + (end − start) r
// With cycle_momentum, the momentum moves the opposite way between max_momentum and
// base_momentum (max at the ends, base at the peak lr). Not chainable: the lr is a function of
// the step alone. Stepping past total_steps throws, as in PyTorch.
#include <cstdint>
#include <string>
#include <vector>

#include "descent/optim/scheduler.h"

namespace descent::optim {

struct OneCycleLROptions {
  // Peak lr: one value for every group, or one per group.
  std::vector<double> max_lr = {};
  // Length of the cycle; if 0, epochs × steps_per_epoch.
  int64_t total_steps = 0;
  int64_t epochs = 0;
  int64_t steps_per_epoch = 0;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // "cos" or "linear"
  bool cycle_momentum = true;
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  double div_factor = 25.0;
  double final_div_factor = 1e4;
  bool three_phase = false;
};

class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(LrTarget& target, OneCycleLROptions options);

  int64_t total_steps() const { return total_steps_; }

 protected:
  std::vector<double> get_lr() override;

 private:
  struct Phase {
    double end_step;
    int start_lr, end_lr;  // indices into {initial, max, min}
    bool start_momentum_max, end_momentum_max;
  };
  double anneal(double start, double end, double pct) const;

  OneCycleLROptions opt_;
  int64_t total_steps_ = 0;
  std::vector<Phase> phases_;
  std::vector<double> max_lrs_, min_lrs_;
};

}  // namespace descent::optim
