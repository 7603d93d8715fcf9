#pragma once
// ReduceLROnPlateau: multiply the lr by `factor` when a metric has stopped improving, with
// PyTorch 1.13's semantics and option names.
//
// A metric a improves on the best value b when
//   mode min, rel:  a < b (1 − threshold)      mode max, rel:  a > b (1 + threshold)
//   mode min, abs:  a < b − threshold          mode max, abs:  a > b + threshold
// After more than `patience` steps without improvement each group's lr becomes
// max(lr · factor, min_lr[g]) (skipped when that changes it by no more than eps), and the next
// `cooldown` steps do not count as bad.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "descent/optim/lr_target.h"

namespace descent::optim {

struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // "min" or "max"
  double factor = 0.1;       // in [0, 1)
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // "rel" or "abs"
  int64_t cooldown = 0;
  std::vector<double> min_lr = {0.0};  // one value, or one per group
  double eps = 1e-8;
};

class ReduceLROnPlateau {
 public:
  ReduceLROnPlateau(LrTarget& target, ReduceLROnPlateauOptions options);

  // Records the metric of the epoch that just ended and reduces the lr if needed.
  void step(double metric);

  const std::vector<double>& last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }

  nlohmann::json state_dict() const;
  void load_state_dict(const nlohmann::json& state);

 private:
  bool is_better(double a, double best) const;
  [[noreturn]] void fail(const std::string& option, const std::string& message) const;

  LrTarget& target_;
  ReduceLROnPlateauOptions opt_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace descent::optim
