// prepare_data: the dataset a config names, split, limited, transformed and typed.
#include "descent/app/experiment_data.h"

#include <fmt/core.h>

#include <charconv>
#include <string_view>

#include "descent/app/json_reader.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/data/csv.h"
#include "descent/data/idx.h"
#include "descent/data/synthetic.h"
#include "descent/data/transforms.h"

namespace descent::app {
namespace {

// Synthetic generators emit the classes in order; a seeded shuffle before the split keeps both
// splits balanced.
data::Dataset shuffled(const data::Dataset& d, Generator& gen) {
  const int64_t n = d.size();
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) {  // Fisher–Yates
    const auto j = static_cast<int64_t>(gen.below(static_cast<uint64_t>(i + 1)));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  const Tensor index = from_vector(std::span<const int64_t>(order), Shape{n});
  data::Dataset out = d;
  out.inputs = contiguous(index_select(d.inputs, 0, index));
  out.targets = contiguous(index_select(d.targets, 0, index));
  return out;
}

data::Split split_synthetic(const data::Dataset& all, double test_fraction, Generator& gen) {
  const data::Dataset mixed = shuffled(all, gen);
  const int64_t n = mixed.size();
  const auto n_test = static_cast<int64_t>(static_cast<double>(n) * test_fraction);
  data::Split split{data::slice(mixed, 0, n - n_test), data::slice(mixed, n - n_test, n)};
  split.train.name = all.name + "/train";
  split.test.name = all.name + "/test";
  return split;
}

// The values of a DataConfig list, cycled to `d` entries.
std::vector<double> cycled(const std::vector<double>& values, int64_t d) {
  std::vector<double> out;
  for (int64_t j = 0; j < d; ++j) out.push_back(values[static_cast<size_t>(j) % values.size()]);
  return out;
}

data::Dataset synthetic(const DataConfig& c, Generator& gen) {
  const std::string& k = c.dataset;
  if (k == "spiral") {
    return data::spiral({.points_per_class = c.samples, .classes = c.classes, .noise = c.noise},
                        gen);
  }
  if (k == "circles") return data::circles({.points_per_class = c.samples, .noise = c.noise}, gen);
  if (k == "moons") return data::moons({.points_per_class = c.samples, .noise = c.noise}, gen);
  if (k == "xor") return data::xor_dataset({.points_per_class = c.samples, .noise = c.noise}, gen);
  if (k == "blobs") {
    return data::blobs({.points_per_class = c.samples,
                        .classes = c.classes,
                        .dim = c.features,
                        .std = std::max(c.noise, 1e-12)},
                       gen);
  }
  if (k == "nine-points") return data::nine_points();
  return data::linear_regression({.samples = c.samples,
                                  .scales = cycled(c.scales, c.features),
                                  .offsets = cycled(c.offsets, c.features),
                                  .noise = c.noise},
                                 gen);
}

data::CsvOptions csv_options(const DataConfig& c) {
  data::CsvOptions o;
  if (c.label.starts_with("#")) {
    const std::string_view digits = std::string_view(c.label).substr(1);
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), o.label_index);
    // Negative indices count from the end (#-1: the last column), as CsvOptions does.
    if (error != std::errc() || end != digits.data() + digits.size())
      config_error("data.label", "expected a column name or #index, got \"" + c.label + "\"");
  } else {
    o.label_name = c.label;
  }
  return o;
}

data::Split load(const DataConfig& c, Generator& gen) {
  if (c.dataset == "fashion-mnist") {
    return data::load_fashion_mnist(c.path.empty() ? data::kFashionMnistDir : c.path);
  }
  if (c.dataset == "mnist" || c.dataset == "idx") {
    if (c.path.empty()) config_error("data.path", "is required for dataset \"" + c.dataset + "\"");
    return data::load_mnist_layout(c.path, c.dataset);
  }
  if (c.dataset == "csv") {
    const data::Dataset train = data::read_csv(c.path, csv_options(c));
    if (c.test_path.empty()) return split_synthetic(train, c.test_fraction, gen);
    data::CsvOptions test_options = csv_options(c);
    test_options.num_classes = train.num_classes;
    return {train, data::read_csv(c.test_path, test_options)};
  }
  const data::Dataset all = synthetic(c, gen);
  // The nine points are the lecture's whole example: train and test on all of them.
  if (c.dataset == "nine-points") return {all, all};
  return split_synthetic(all, c.test_fraction, gen);
}

data::Dataset limited(const data::Dataset& d, int64_t limit) {
  if (limit <= 0 || limit >= d.size()) return d;
  return data::slice(d, 0, limit);
}

}  // namespace

data::Split prepare_data(const DataConfig& config, uint64_t seed, DType dtype) {
  NoGradGuard no_grad;
  // Data draws its own stream, so the model's initialization does not depend on the data kind.
  Generator gen(seed ^ 0x9e3779b97f4a7c15ULL);
  data::Split split = load(config, gen);
  split.train = limited(split.train, config.train_limit);
  split.test = limited(split.test, config.test_limit);
  if (split.train.size() == 0) throw ValueError("data: the training split is empty");
  data::Pipeline pipeline;
  for (const std::string& t : config.transforms) {
    if (t == "standardize") pipeline.add<data::Standardize>();
    if (t == "minmax") pipeline.add<data::MinMax>();
    if (t == "flatten") pipeline.add<data::Flatten>();
  }
  pipeline.fit_apply(split);
  if (dtype != DType::Float32) {
    for (data::Dataset* d : {&split.train, &split.test}) {
      d->inputs = to(d->inputs, dtype);
      if (!d->is_classification()) d->targets = to(d->targets, dtype);
    }
  }
  return split;
}

}  // namespace descent::app
