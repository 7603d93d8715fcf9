// IDX arrays to tensors and datasets; the MNIST file layout and Fashion-MNIST.
#include <fmt/core.h>

#include <cstring>
#include <filesystem>

#include "descent/core/error.h"
#include "descent/data/idx.h"

namespace descent::data {
namespace {

// Calls fn(T{}) with T the C++ type of the IDX elements.
template <typename Fn>
void dispatch_idx(IdxType t, Fn&& fn) {
  switch (t) {
    case IdxType::UInt8:
      return fn(uint8_t{});
    case IdxType::Int8:
      return fn(int8_t{});
    case IdxType::Int16:
      return fn(int16_t{});
    case IdxType::Int32:
      return fn(int32_t{});
    case IdxType::Float32:
      return fn(float{});
    case IdxType::Float64:
      return fn(double{});
  }
}

bool is_integer(IdxType t) {
  return t != IdxType::Float32 && t != IdxType::Float64;
}

}  // namespace

Tensor idx_to_tensor(const IdxArray& a, DType dtype, double scale) {
  if (dtype == DType::Int64 && (!is_integer(a.type) || scale != 1.0))
    throw DTypeError(fmt::format("idx_to_tensor: {} elements (scale {}) cannot become int64",
                                 idx_type_name(a.type), scale));
  Tensor out = Tensor::empty(a.dims, dtype);
  const int64_t n = a.numel();
  dispatch_idx(a.type, [&](auto z) {
    using Src = decltype(z);
    const Src* src = reinterpret_cast<const Src*>(a.bytes.get());
    dispatch(dtype, [&](auto w) {
      using Dst = decltype(w);
      Dst* dst = out.data<Dst>();
      if constexpr (std::is_integral_v<Dst>) {
        for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(src[i]);
      } else {
        const Dst s = static_cast<Dst>(scale);
        for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<Dst>(src[i]) * s;
      }
    });
  });
  return out;
}

Dataset idx_dataset(const IdxArray& images, std::string_view images_source, const IdxArray& labels,
                    std::string_view labels_source, const IdxDatasetOptions& options) {
  if (options.num_classes < 1)
    throw ValueError(
        fmt::format("idx dataset: num_classes must be positive, got {}", options.num_classes));
  if (labels.dims.size() != 1)
    throw FormatError(fmt::format("{}: byte offset 3: labels must have rank 1, got {}",
                                  labels_source, labels.dims.size()));
  if (!is_integer(labels.type))
    throw FormatError(fmt::format("{}: byte offset 2: labels must be integers, got {}",
                                  labels_source, idx_type_name(labels.type)));
  const int64_t n = images.dims[0];
  if (labels.dims[0] != n)
    throw FormatError(fmt::format("{}: byte offset 4: {} labels, but {} holds {} images",
                                  labels_source, labels.dims[0], images_source, n));
  const size_t label_start = 4 + 4 * labels.dims.size();
  for (int64_t i = 0; i < n; ++i) {
    const double y = labels.value(i);
    if (y < 0 || y >= static_cast<double>(options.num_classes))
      throw FormatError(fmt::format(
          "{}: byte offset {}: label {} of example {} is outside [0, {})", labels_source,
          label_start + static_cast<size_t>(i) * idx_type_size(labels.type), y, i,
          options.num_classes));
  }

  Dataset d;
  d.name = std::string(images_source);
  d.num_classes = options.num_classes;
  d.inputs = idx_to_tensor(images, DType::Float32, options.scale);
  if (options.flatten && images.dims.size() != 2) {
    // A contiguous tensor can take any shape of the same size; re-wrap the storage.
    const int64_t features = n == 0 ? 0 : images.numel() / n;
    Shape flat{n, images.dims.size() == 1 ? int64_t{1} : features};
    d.inputs = Tensor::view_of(d.inputs, 0, flat, contiguous_strides(flat));
  }
  d.targets = idx_to_tensor(labels, DType::Int64);
  return d;
}

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         const IdxDatasetOptions& options) {
  const IdxArray images = load_idx(images_path);
  const IdxArray labels = load_idx(labels_path);
  return idx_dataset(images, images_path, labels, labels_path, options);
}

namespace {

// `dir/stem.gz` if present, else `dir/stem`; IOError naming both if neither exists.
std::string find_layout_file(const std::string& dir, std::string_view stem) {
  namespace fs = std::filesystem;
  const fs::path gz = fs::path(dir) / (std::string(stem) + ".gz");
  const fs::path raw = fs::path(dir) / std::string(stem);
  std::error_code ec;
  if (fs::exists(gz, ec)) return gz.string();
  if (fs::exists(raw, ec)) return raw.string();
  throw IOError(
      fmt::format("{}: neither {} nor {} exists (MNIST layout expected; for "
                  "Fashion-MNIST install Debian's dataset-fashion-mnist)",
                  dir, gz.filename().string(), raw.filename().string()));
}

}  // namespace

Split load_mnist_layout(const std::string& dir, std::string_view name,
                        const IdxDatasetOptions& options) {
  // Resolved one by one so that a missing file is reported in a fixed order.
  const std::string train_images = find_layout_file(dir, "train-images-idx3-ubyte");
  const std::string train_labels = find_layout_file(dir, "train-labels-idx1-ubyte");
  const std::string test_images = find_layout_file(dir, "t10k-images-idx3-ubyte");
  const std::string test_labels = find_layout_file(dir, "t10k-labels-idx1-ubyte");
  Split s;
  s.train = load_idx_dataset(train_images, train_labels, options);
  s.test = load_idx_dataset(test_images, test_labels, options);
  s.train.name = fmt::format("{}/train", name);
  s.test.name = fmt::format("{}/test", name);
  return s;
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                 "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

Split load_fashion_mnist(const std::string& dir, const IdxDatasetOptions& options) {
  Split s = load_mnist_layout(dir, "fashion-mnist", options);
  if (options.num_classes == 10) {
    s.train.class_names = fashion_mnist_classes();
    s.test.class_names = fashion_mnist_classes();
  }
  return s;
}

}  // namespace descent::data
