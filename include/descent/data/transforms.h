#pragma once
// Input transforms: learned from the training split only (fit), then applied to every split
// (apply), with state that round-trips through JSON so that a checkpoint can restore exactly the
// preprocessing a model was trained with.
//
//   Standardize   y = (x − μ) / σ       μ, σ: mean and population standard deviation (ddof 0)
//   MinMax        y = (x − min) / (max − min)   maps the training range onto [0, 1]
//   ShiftScale    y = (x − shift) / scale       fixed constants, e.g. MNIST's 0.1307, 0.3081
//   Flatten       [N, d1, d2, ...] → [N, d1·d2·...]
//
// Statistics are computed in float64 over the first dimension (examples), either per feature
// (every element of a row has its own μ, σ; the default) or over all elements at once
// (per_feature = false: one μ, σ). A feature that is constant on the training split (σ = 0 or
// max = min) is only shifted: its divisor is taken as 1, so it maps to 0 instead of NaN.
//
// apply() returns a new float32 tensor and leaves its input alone (Flatten returns a view of a
// contiguous input). Inputs must be float32 [N, ...]; a feature count different from the one
// fitted is a ShapeError, apply() before fit() a ValueError.
#include <memory>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "descent/core/tensor.h"
#include "descent/data/dataset.h"

namespace descent::data {

class Transform {
 public:
  virtual ~Transform() = default;
  // "standardize", "minmax", "shift_scale", "flatten": the "kind" key of the JSON form.
  virtual std::string_view kind() const = 0;
  // Learns the state from training inputs; stateless transforms ignore it.
  virtual void fit(const Tensor& inputs) { (void)inputs; }
  virtual bool fitted() const { return true; }
  virtual Tensor apply(const Tensor& inputs) const = 0;
  // {"kind": ..., state...}; transform_from_json(t.to_json()) behaves exactly as t.
  virtual nlohmann::json to_json() const = 0;
};

// Rebuilds a transform from its JSON form; ValueError naming the key that is missing or wrong.
std::unique_ptr<Transform> transform_from_json(const nlohmann::json& j);

struct StatsOptions {
  bool per_feature = true;
};

// Common state of the two fitted transforms: y = (x − offset_j) · inv_j for feature j.
class AffineFit : public Transform {
 public:
  bool fitted() const override { return !offset_.empty(); }
  Tensor apply(const Tensor& inputs) const override;
  bool per_feature() const { return options_.per_feature; }
  // Per feature (or one value): what is subtracted and the divisor.
  const std::vector<double>& offset() const { return offset_; }
  const std::vector<double>& divisor() const { return divisor_; }

 protected:
  explicit AffineFit(StatsOptions options) : options_(options) {}
  nlohmann::json state_json(const char* offset_key, const char* divisor_key) const;
  void load_state(const nlohmann::json& j, const char* offset_key, const char* divisor_key);
  StatsOptions options_;
  std::vector<double> offset_;
  std::vector<double> divisor_;
};

class Standardize final : public AffineFit {
 public:
  explicit Standardize(StatsOptions options = {}) : AffineFit(options) {}
  std::string_view kind() const override { return "standardize"; }
  void fit(const Tensor& inputs) override;
  nlohmann::json to_json() const override { return state_json("mean", "std"); }
  static std::unique_ptr<Standardize> from_json(const nlohmann::json& j);
  const std::vector<double>& mean() const { return offset_; }
  const std::vector<double>& std() const { return divisor_; }
};

class MinMax final : public AffineFit {
 public:
  explicit MinMax(StatsOptions options = {}) : AffineFit(options) {}
  std::string_view kind() const override { return "minmax"; }
  void fit(const Tensor& inputs) override;
  nlohmann::json to_json() const override;
  static std::unique_ptr<MinMax> from_json(const nlohmann::json& j);
  const std::vector<double>& min() const { return offset_; }
};

class ShiftScale final : public Transform {
 public:
  // scale must be finite and non-zero, shift finite (ValueError otherwise).
  ShiftScale(double shift, double scale);
  std::string_view kind() const override { return "shift_scale"; }
  Tensor apply(const Tensor& inputs) const override;
  nlohmann::json to_json() const override;
  double shift() const { return shift_; }
  double scale() const { return scale_; }

 private:
  double shift_;
  double scale_;
};

class Flatten final : public Transform {
 public:
  std::string_view kind() const override { return "flatten"; }
  Tensor apply(const Tensor& inputs) const override;
  nlohmann::json to_json() const override { return {{"kind", "flatten"}}; }
};

// Transforms applied in order. fit() fits each on the output of the ones before it.
class Pipeline {
 public:
  Pipeline& add(std::unique_ptr<Transform> t);
  template <typename T, typename... Args>
  Pipeline& add(Args&&... args) {
    return add(std::make_unique<T>(std::forward<Args>(args)...));
  }
  size_t size() const { return steps_.size(); }
  const Transform& operator[](size_t i) const { return *steps_[i]; }

  void fit(const Tensor& train_inputs);
  Tensor apply(const Tensor& inputs) const;
  // Fits on split.train.inputs only, then replaces the inputs of both splits by their transforms.
  void fit_apply(Split& split);

  // A JSON array of the steps' forms.
  nlohmann::json to_json() const;
  static Pipeline from_json(const nlohmann::json& j);

 private:
  std::vector<std::unique_ptr<Transform>> steps_;
};

}  // namespace descent::data
