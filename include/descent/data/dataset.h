#pragma once
// Dataset: examples as two tensors whose first dimension counts the examples.
//
//   inputs   float32 [N, ...]   (or float64 for a float64 run) images are flattened to [N, 784] by
//   the IDX loaders; synthetic
//                               sets are [N, d]
//   targets  int64 [N]          class indices in [0, num_classes) for classification
//            float32 [N, k]     values for regression (num_classes == 0), in the inputs' dtype
//
// Both tensors are contiguous, so that row i of either is one block of memory (the loader
// gathers batches by memcpy).
#include <cstdint>
#include <string>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::data {

struct Dataset {
  Tensor inputs = {};
  Tensor targets = {};
  int64_t num_classes = 0;               // 0 for regression
  std::string name;                      // where it came from, for messages and reports
  std::vector<std::string> class_names;  // optional; empty or num_classes entries

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  bool is_classification() const { return num_classes > 0; }
  // Elements per example of inputs (784 for a flattened 28x28 image).
  int64_t features() const;
};

// The usual pair of a training set and a held-out test set.
struct Split {
  Dataset train;
  Dataset test;
};

// Checks the invariants above (dtypes, contiguity, equal first dimensions, labels in range) and
// throws ValueError naming the dataset and what is wrong.
void validate(const Dataset& d);

// Rows [begin, end) as a new dataset sharing no memory with `d`.
Dataset slice(const Dataset& d, int64_t begin, int64_t end);

}  // namespace descent::data
