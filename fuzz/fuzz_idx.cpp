// Fuzz target: IDX bytes (raw or gzip) through parse_idx, then through the tensor and dataset
// conversions when they parse. A descent::Error is an expected outcome; anything else (a crash,
// a sanitizer report, std::bad_alloc from a forged size) is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "descent/core/error.h"
#include "descent/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace descent;
  try {
    const data::IdxArray a = data::parse_idx(std::span<const uint8_t>(data, size), "fuzz.idx");
    // Every element is readable and converts.
    double sum = 0;
    for (int64_t i = 0; i < a.numel(); ++i) sum += a.value(i);
    (void)sum;
    (void)data::idx_to_tensor(a, DType::Float32, 1.0 / 255);
    // The same array as images and, when it has rank 1, as labels.
    if (a.dims.size() == 1) (void)data::idx_dataset(a, "images", a, "labels", {.num_classes = 7});
  } catch (const Error&) {
  }
  return 0;
}
