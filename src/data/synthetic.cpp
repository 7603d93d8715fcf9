// Synthetic datasets drawn from a descent::Generator.
#include "descent/data/synthetic.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "descent/core/error.h"

namespace descent::data {
namespace {

constexpr int64_t kMaxPoints = int64_t{1} << 28;

void require(bool ok, std::string_view set, const std::string& why) {
  if (!ok) throw ValueError(fmt::format("{} dataset: {}", set, why));
}

void check_counts(std::string_view set, int64_t per_class, int64_t classes, int64_t dim = 1) {
  require(per_class >= 1, set, fmt::format("points_per_class must be >= 1, got {}", per_class));
  require(classes >= 1, set, fmt::format("classes must be >= 1, got {}", classes));
  require(dim >= 1, set, fmt::format("dim must be >= 1, got {}", dim));
  require(
      per_class <= kMaxPoints / classes / dim, set,
      fmt::format("{} points of {} classes in {} dimensions is too many", per_class, classes, dim));
}

void check_noise(std::string_view set, double noise) {
  require(std::isfinite(noise) && noise >= 0, set,
          fmt::format("noise must be finite and >= 0, got {}", noise));
}

// A classification dataset with rows filled by `point(row, class, x)`, classes in order.
template <typename Fill>
Dataset make_classes(std::string name, int64_t per_class, int64_t classes, int64_t dim,
                     Fill&& point) {
  const int64_t n = per_class * classes;
  Dataset d;
  d.name = std::move(name);
  d.num_classes = classes;
  d.inputs = Tensor::empty({n, dim}, DType::Float32);
  d.targets = Tensor::empty({n}, DType::Int64);
  float* x = d.inputs.data<float>();
  int64_t* y = d.targets.data<int64_t>();
  for (int64_t k = 0; k < classes; ++k)
    for (int64_t i = 0; i < per_class; ++i) {
      const int64_t row = k * per_class + i;
      y[row] = k;
      point(i, k, x + row * dim);
    }
  return d;
}

// v as float32; ValueError if it does not fit (extreme scales or weights).
float checked_float(double v) {
  require(std::fabs(v) <= std::numeric_limits<float>::max(), "synthetic",
          fmt::format("value {} does not fit in float32; reduce the noise, scales or weights", v));
  return static_cast<float>(v);
}

// Evenly spaced position i of n in [0, 1] (0 when n == 1).
double fraction(int64_t i, int64_t n) {
  return n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
}

}  // namespace

Dataset spiral(const SpiralOptions& o, Generator& gen) {
  check_counts("spiral", o.points_per_class, o.classes);
  check_noise("spiral", o.noise);
  return make_classes(
      "spiral", o.points_per_class, o.classes, 2, [&](int64_t i, int64_t k, float* x) {
        const double r = fraction(i, o.points_per_class);
        const double t = 4.0 * static_cast<double>(k) + 4.0 * r + o.noise * gen.normal();
        x[0] = checked_float(r * std::sin(t));
        x[1] = checked_float(r * std::cos(t));
      });
}

Dataset circles(const CirclesOptions& o, Generator& gen) {
  check_counts("circles", o.points_per_class, 2);
  check_noise("circles", o.noise);
  require(o.factor > 0 && o.factor < 1, "circles",
          fmt::format("factor must lie in (0, 1), got {}", o.factor));
  return make_classes("circles", o.points_per_class, 2, 2, [&](int64_t i, int64_t k, float* x) {
    const double t =
        2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(o.points_per_class);
    const double radius = k == 0 ? 1.0 : o.factor;
    x[0] = checked_float(radius * std::cos(t) + o.noise * gen.normal());
    x[1] = checked_float(radius * std::sin(t) + o.noise * gen.normal());
  });
}

Dataset moons(const MoonsOptions& o, Generator& gen) {
  check_counts("moons", o.points_per_class, 2);
  check_noise("moons", o.noise);
  return make_classes("moons", o.points_per_class, 2, 2, [&](int64_t i, int64_t k, float* x) {
    const double t = std::numbers::pi * fraction(i, o.points_per_class);
    const double a = k == 0 ? std::cos(t) : 1.0 - std::cos(t);
    const double b = k == 0 ? std::sin(t) : 0.5 - std::sin(t);
    x[0] = checked_float(a + o.noise * gen.normal());
    x[1] = checked_float(b + o.noise * gen.normal());
  });
}

Dataset xor_dataset(const XorOptions& o, Generator& gen) {
  check_counts("xor", o.points_per_class, 2);
  check_noise("xor", o.noise);
  return make_classes("xor", o.points_per_class, 2, 2, [&](int64_t, int64_t k, float* x) {
    // Rejection: half of all draws land in each class, so this takes two draws on average.
    double a, b;
    do {
      a = 2.0 * gen.uniform() - 1.0;
      b = 2.0 * gen.uniform() - 1.0;
    } while (((a > 0) != (b > 0)) != (k == 1) || a == 0 || b == 0);
    x[0] = checked_float(a + o.noise * gen.normal());
    x[1] = checked_float(b + o.noise * gen.normal());
  });
}

Dataset blobs(const BlobsOptions& o, Generator& gen) {
  check_counts("blobs", o.points_per_class, o.classes, o.dim);
  check_noise("blobs", o.std);
  require(std::isfinite(o.center_box) && o.center_box >= 0, "blobs",
          fmt::format("center_box must be finite and >= 0, got {}", o.center_box));
  std::vector<double> centres(static_cast<size_t>(o.classes * o.dim));
  for (double& c : centres) c = o.center_box * (2.0 * gen.uniform() - 1.0);
  return make_classes(
      "blobs", o.points_per_class, o.classes, o.dim, [&](int64_t, int64_t k, float* x) {
        for (int64_t j = 0; j < o.dim; ++j)
          x[j] = checked_float(centres[static_cast<size_t>(k * o.dim + j)] + o.std * gen.normal());
      });
}

Dataset nine_points() {
  Dataset d = make_classes("nine-points", 3, 3, 2, [](int64_t i, int64_t k, float* x) {
    const LecturePoint& p = kLecturePoints[static_cast<size_t>(3 * k + i)];
    x[0] = static_cast<float>(p.x0);
    x[1] = static_cast<float>(p.x1);
  });
  // The table is grouped by class; make_classes assigned labels by position, so check they agree.
  for (size_t r = 0; r < kLecturePoints.size(); ++r)
    if (kLecturePoints[r].label != d.targets.data<int64_t>()[r])
      throw ValueError("nine_points: the lecture table is not grouped by class");
  return d;
}

Dataset linear_regression(const LinearRegressionOptions& o, Generator& gen) {
  const std::string_view set = "linear-regression";
  const size_t dim = o.scales.size();
  require(o.samples >= 1 && o.samples <= kMaxPoints, set,
          fmt::format("samples must lie in [1, {}], got {}", kMaxPoints, o.samples));
  require(dim >= 1 && static_cast<int64_t>(dim) <= kMaxPoints / o.samples, set,
          fmt::format("scales must have 1 to {} entries, got {}", kMaxPoints / o.samples, dim));
  require(o.offsets.empty() || o.offsets.size() == dim, set,
          fmt::format("{} offsets for {} features", o.offsets.size(), dim));
  require(o.weights.empty() || o.weights.size() == dim, set,
          fmt::format("{} weights for {} features", o.weights.size(), dim));
  check_noise(set, o.noise);
  for (size_t j = 0; j < dim; ++j) {
    const double off = o.offsets.empty() ? 0.0 : o.offsets[j];
    const double w = o.weights.empty() ? 1.0 : o.weights[j];
    require(std::isfinite(o.scales[j]) && std::isfinite(off) && std::isfinite(w), set,
            fmt::format("feature {}: scale, offset and weight must be finite", j));
  }
  require(std::isfinite(o.bias), set, "bias must be finite");

  const int64_t d = static_cast<int64_t>(dim);
  Dataset out;
  out.name = std::string(set);
  out.inputs = Tensor::empty({o.samples, d}, DType::Float32);
  out.targets = Tensor::empty({o.samples, 1}, DType::Float32);
  float* x = out.inputs.data<float>();
  float* y = out.targets.data<float>();
  for (int64_t i = 0; i < o.samples; ++i) {
    double sum = o.bias;
    for (size_t j = 0; j < dim; ++j) {
      const double v = (o.offsets.empty() ? 0.0 : o.offsets[j]) + o.scales[j] * gen.normal();
      const float stored = checked_float(v);
      x[i * d + static_cast<int64_t>(j)] = stored;
      // The target uses the stored (float32) input, so the model is exactly linear in the data.
      sum += (o.weights.empty() ? 1.0 : o.weights[j]) * static_cast<double>(stored);
    }
    y[i] = checked_float(sum + o.noise * gen.normal());
  }
  return out;
}

}  // namespace descent::data
