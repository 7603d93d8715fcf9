// Dataset invariants and row slicing.
#include "descent/data/dataset.h"

#include <fmt/core.h>

#include <cstring>

#include "descent/core/error.h"

namespace descent::data {

int64_t Dataset::features() const {
  if (!inputs.defined() || inputs.dim() == 0 || inputs.size(0) == 0) return 0;
  return inputs.numel() / inputs.size(0);
}

void validate(const Dataset& d) {
  const auto fail = [&](const std::string& why) {
    return ValueError(fmt::format("dataset '{}': {}", d.name, why));
  };
  if (!d.inputs.defined() || !d.targets.defined()) throw fail("inputs or targets are missing");
  if (d.inputs.dim() < 1) throw fail("inputs must have a first dimension counting examples");
  // float64 is the dtype of a float64 run: prepare_data converts the data once, up front.
  if (d.inputs.dtype() != DType::Float32 && d.inputs.dtype() != DType::Float64)
    throw fail(
        fmt::format("inputs must be float32 or float64, got {}", dtype_name(d.inputs.dtype())));
  if (!d.inputs.is_contiguous() || !d.targets.is_contiguous())
    throw fail("inputs and targets must be contiguous");
  if (d.targets.dim() < 1 || d.targets.size(0) != d.inputs.size(0))
    throw fail(fmt::format("inputs {} and targets {} differ in their number of examples",
                           d.inputs.shape().str(), d.targets.shape().str()));
  if (d.num_classes < 0) throw fail(fmt::format("num_classes {} is negative", d.num_classes));
  if (!d.class_names.empty() && static_cast<int64_t>(d.class_names.size()) != d.num_classes)
    throw fail(fmt::format("{} class names for {} classes", d.class_names.size(), d.num_classes));
  if (d.num_classes > 0) {
    if (d.targets.dtype() != DType::Int64 || d.targets.dim() != 1)
      throw fail(fmt::format("classification targets must be int64 [N], got {} {}",
                             dtype_name(d.targets.dtype()), d.targets.shape().str()));
    const int64_t* y = d.targets.data<int64_t>();
    for (int64_t i = 0; i < d.targets.numel(); ++i)
      if (y[i] < 0 || y[i] >= d.num_classes)
        throw fail(
            fmt::format("label {} of example {} is outside [0, {})", y[i], i, d.num_classes));
  } else if (d.targets.dtype() != d.inputs.dtype()) {
    throw fail(fmt::format("regression targets must have the inputs' dtype {}, got {}",
                           dtype_name(d.inputs.dtype()), dtype_name(d.targets.dtype())));
  }
}

namespace {

Tensor slice_rows(const Tensor& t, int64_t begin, int64_t end) {
  Shape shape = t.shape();
  const int64_t row = t.size(0) == 0 ? 0 : t.numel() / t.size(0);
  shape[0] = end - begin;
  Tensor out = Tensor::empty(shape, t.dtype());
  const size_t row_bytes = static_cast<size_t>(row) * dtype_size(t.dtype());
  if (end > begin)
    std::memcpy(out.raw_data(), static_cast<const char*>(t.raw_data()) + begin * row_bytes,
                static_cast<size_t>(end - begin) * row_bytes);
  return out;
}

}  // namespace

Dataset slice(const Dataset& d, int64_t begin, int64_t end) {
  if (begin < 0 || end < begin || end > d.size())
    throw IndexError(
        fmt::format("dataset '{}': rows [{}, {}) outside [0, {})", d.name, begin, end, d.size()));
  if (!d.inputs.is_contiguous() || !d.targets.is_contiguous())
    throw ValueError(fmt::format("dataset '{}': slice needs contiguous tensors", d.name));
  Dataset out = d;
  out.inputs = slice_rows(d.inputs, begin, end);
  out.targets = slice_rows(d.targets, begin, end);
  return out;
}

}  // namespace descent::data
