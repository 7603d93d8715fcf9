// Input transforms: fitted statistics, application and their JSON form.
#include "descent/data/transforms.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::data {
namespace {

using json = nlohmann::json;

// A float32 [N, ...] tensor, contiguous; `what` names the caller.
Tensor checked_input(const Tensor& x, std::string_view what) {
  if (!x.defined() || x.dim() < 1)
    throw ShapeError(fmt::format("{}: expected inputs [N, ...]", what));
  if (x.dtype() != DType::Float32)
    throw DTypeError(
        fmt::format("{}: expected float32 inputs, got {}", what, dtype_name(x.dtype())));
  return contiguous(x);
}

// Elements per row: the product of the dimensions after the first, also when there are no rows
// (an empty test split still has its features).
int64_t row_size(const Tensor& x) {
  int64_t d = 1;
  for (size_t i = 1; i < x.shape().size(); ++i) d *= x.shape()[i];
  return d;
}

// Visits x as (row, feature) → index into the statistics: j, or 0 when not per feature.
template <typename Fn>
void each_feature(const Tensor& x, bool per_feature, Fn&& fn) {
  const float* p = x.data<float>();
  const int64_t n = x.size(0), d = row_size(x);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t j = 0; j < d; ++j) fn(per_feature ? j : 0, static_cast<double>(p[r * d + j]));
}

size_t stat_count(const Tensor& x, bool per_feature, std::string_view what) {
  if (x.size(0) < 1) throw ValueError(fmt::format("{}: cannot fit on zero examples", what));
  return per_feature ? static_cast<size_t>(row_size(x)) : 1;
}

// j's value from a JSON object, as the expected type; ValueError naming the key otherwise.
const json& key(const json& j, const char* name, std::string_view kind) {
  if (!j.is_object() || !j.contains(name))
    throw ValueError(fmt::format("transform '{}': missing key '{}'", kind, name));
  return j.at(name);
}

std::vector<double> number_array(const json& j, const char* name, std::string_view kind) {
  const json& a = key(j, name, kind);
  if (!a.is_array())
    throw ValueError(fmt::format("transform '{}': '{}' is not an array", kind, name));
  std::vector<double> out;
  out.reserve(a.size());
  for (const json& v : a) {
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      throw ValueError(
          fmt::format("transform '{}': '{}' holds a non-number or non-finite value", kind, name));
    out.push_back(v.get<double>());
  }
  return out;
}

double finite_number(const json& j, const char* name, std::string_view kind) {
  const json& v = key(j, name, kind);
  if (!v.is_number() || !std::isfinite(v.get<double>()))
    throw ValueError(fmt::format("transform '{}': '{}' is not a finite number", kind, name));
  return v.get<double>();
}

}  // namespace

Tensor AffineFit::apply(const Tensor& inputs) const {
  if (!fitted()) throw ValueError(fmt::format("transform '{}': apply() before fit()", kind()));
  const Tensor x = checked_input(inputs, kind());
  const int64_t n = x.size(0), d = row_size(x);
  if (options_.per_feature && static_cast<size_t>(d) != offset_.size())
    throw ShapeError(fmt::format("transform '{}': fitted on {} features, got inputs {}", kind(),
                                 offset_.size(), x.shape().str()));
  // y = (x − offset)·(1/divisor) in float64, rounded once to float32: the offset of a feature
  // with a large mean and a small spread (the lecture's badly conditioned inputs) would lose
  // most of its digits if it were rounded to float32 first.
  const std::vector<double>& off = offset_;
  std::vector<double> inv(offset_.size());
  for (size_t j = 0; j < inv.size(); ++j) inv[j] = 1.0 / divisor_[j];
  Tensor y = Tensor::empty(x.shape(), DType::Float32);
  const float* src = x.data<float>();
  float* dst = y.data<float>();
  for (int64_t r = 0; r < n; ++r) {
    const float* a = src + r * d;
    float* b = dst + r * d;
    if (options_.per_feature) {
      for (int64_t j = 0; j < d; ++j)
        b[j] = static_cast<float>((static_cast<double>(a[j]) - off[j]) * inv[j]);
    } else {
      for (int64_t j = 0; j < d; ++j)
        b[j] = static_cast<float>((static_cast<double>(a[j]) - off[0]) * inv[0]);
    }
  }
  return y;
}

json AffineFit::state_json(const char* offset_key, const char* divisor_key) const {
  return {{"kind", kind()},
          {"per_feature", options_.per_feature},
          {offset_key, offset_},
          {divisor_key, divisor_}};
}

void AffineFit::load_state(const json& j, const char* offset_key, const char* divisor_key) {
  const json& pf = key(j, "per_feature", kind());
  if (!pf.is_boolean())
    throw ValueError(fmt::format("transform '{}': 'per_feature' is not a boolean", kind()));
  options_.per_feature = pf.get<bool>();
  offset_ = number_array(j, offset_key, kind());
  divisor_ = number_array(j, divisor_key, kind());
  if (offset_.size() != divisor_.size() || offset_.empty() ||
      (!options_.per_feature && offset_.size() != 1))
    throw ValueError(fmt::format("transform '{}': '{}' has {} entries and '{}' {}", kind(),
                                 offset_key, offset_.size(), divisor_key, divisor_.size()));
  for (double v : divisor_)
    if (!(v > 0))
      throw ValueError(fmt::format("transform '{}': '{}' must be positive", kind(), divisor_key));
}

void Standardize::fit(const Tensor& inputs) {
  const Tensor x = checked_input(inputs, "standardize");
  const size_t k = stat_count(x, options_.per_feature, "standardize");
  // Two passes (mean, then squared deviations): no cancellation for large offsets.
  std::vector<double> sum(k, 0.0), sq(k, 0.0);
  each_feature(x, options_.per_feature, [&](int64_t j, double v) { sum[j] += v; });
  const double count = static_cast<double>(x.numel()) / static_cast<double>(k);
  for (double& s : sum) s /= count;
  each_feature(x, options_.per_feature, [&](int64_t j, double v) {
    const double dev = v - sum[j];
    sq[j] += dev * dev;
  });
  offset_ = sum;
  divisor_.resize(k);
  for (size_t j = 0; j < k; ++j) {
    const double sd = std::sqrt(sq[j] / count);
    divisor_[j] = sd > 0 && std::isfinite(sd) ? sd : 1.0;
  }
}

std::unique_ptr<Standardize> Standardize::from_json(const json& j) {
  auto t = std::make_unique<Standardize>();
  t->load_state(j, "mean", "std");
  return t;
}

void MinMax::fit(const Tensor& inputs) {
  const Tensor x = checked_input(inputs, "minmax");
  const size_t k = stat_count(x, options_.per_feature, "minmax");
  std::vector<double> lo(k, INFINITY), hi(k, -INFINITY);
  each_feature(x, options_.per_feature, [&](int64_t j, double v) {
    lo[j] = std::min(lo[j], v);
    hi[j] = std::max(hi[j], v);
  });
  offset_ = lo;
  divisor_.resize(k);
  for (size_t j = 0; j < k; ++j) {
    const double range = hi[j] - lo[j];
    divisor_[j] = range > 0 && std::isfinite(range) ? range : 1.0;
  }
}

json MinMax::to_json() const {
  return state_json("min", "range");
}

std::unique_ptr<MinMax> MinMax::from_json(const json& j) {
  auto t = std::make_unique<MinMax>();
  t->load_state(j, "min", "range");
  return t;
}

ShiftScale::ShiftScale(double shift, double scale) : shift_(shift), scale_(scale) {
  if (!std::isfinite(shift) || !std::isfinite(scale) || scale == 0.0)
    throw ValueError(
        fmt::format("shift_scale: shift {} must be finite and scale {} finite and "
                    "non-zero",
                    shift, scale));
}

Tensor ShiftScale::apply(const Tensor& inputs) const {
  const Tensor x = checked_input(inputs, "shift_scale");
  Tensor y = Tensor::empty(x.shape(), DType::Float32);
  const float* a = x.data<float>();
  float* b = y.data<float>();
  const float s = static_cast<float>(shift_), inv = static_cast<float>(1.0 / scale_);
  for (int64_t i = 0; i < x.numel(); ++i) b[i] = (a[i] - s) * inv;
  return y;
}

json ShiftScale::to_json() const {
  return {{"kind", "shift_scale"}, {"shift", shift_}, {"scale", scale_}};
}

Tensor Flatten::apply(const Tensor& inputs) const {
  const Tensor x = checked_input(inputs, "flatten");
  const Shape flat{x.size(0), row_size(x)};
  return Tensor::view_of(x, x.offset(), flat, contiguous_strides(flat));
}

std::unique_ptr<Transform> transform_from_json(const json& j) {
  const json& k = key(j, "kind", "?");
  if (!k.is_string()) throw ValueError("transform: 'kind' is not a string");
  const std::string kind = k.get<std::string>();
  if (kind == "standardize") return Standardize::from_json(j);
  if (kind == "minmax") return MinMax::from_json(j);
  if (kind == "shift_scale")
    return std::make_unique<ShiftScale>(finite_number(j, "shift", kind),
                                        finite_number(j, "scale", kind));
  if (kind == "flatten") return std::make_unique<Flatten>();
  throw ValueError(
      fmt::format("transform: unknown kind '{}' (expected standardize, minmax, "
                  "shift_scale or flatten)",
                  kind));
}

Pipeline& Pipeline::add(std::unique_ptr<Transform> t) {
  if (!t) throw ValueError("pipeline: null transform");
  steps_.push_back(std::move(t));
  return *this;
}

void Pipeline::fit(const Tensor& train_inputs) {
  Tensor x = train_inputs;
  for (size_t i = 0; i < steps_.size(); ++i) {
    steps_[i]->fit(x);
    if (i + 1 < steps_.size()) x = steps_[i]->apply(x);
  }
}

Tensor Pipeline::apply(const Tensor& inputs) const {
  Tensor x = inputs;
  for (const auto& t : steps_) x = t->apply(x);
  return x;
}

void Pipeline::fit_apply(Split& split) {
  fit(split.train.inputs);
  split.train.inputs = apply(split.train.inputs);
  split.test.inputs = apply(split.test.inputs);
}

json Pipeline::to_json() const {
  json a = json::array();
  for (const auto& t : steps_) a.push_back(t->to_json());
  return a;
}

Pipeline Pipeline::from_json(const json& j) {
  if (!j.is_array()) throw ValueError("pipeline: expected a JSON array of transforms");
  Pipeline p;
  for (const json& t : j) p.add(transform_from_json(t));
  return p;
}

}  // namespace descent::data
