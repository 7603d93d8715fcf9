#pragma once
// DataLoader: minibatches of a Dataset in a seeded order, resumable from (epoch, batch) alone.
//
// Order. With shuffle, epoch e visits the examples in the permutation made by a Fisher–Yates
// shuffle driven by Generator(seed) with its Philox counter started at e·2^40: each epoch has
// its own stream, a pure function of (seed, e). Nothing about the order has to be stored: a run
// resumed with seek(epoch, batch) sees exactly the batches an uninterrupted run would have seen.
// Without shuffle every epoch is 0, 1, ..., N−1.
//
// Batches. An epoch has ceil(N / B) batches, the last one short when B does not divide N, or
// floor(N / B) with drop_last (the remainder is skipped; it differs from epoch to epoch when
// shuffling). Rows are gathered by memcpy into buffers allocated when the loader is made: the
// steady state allocates nothing. There are two buffer sets used in turn, so
//
//   a batch stays valid until the second next() after the one that returned it
//
// (the previous batch survives while the next one is gathered); copy it to keep it longer.
#include <cstdint>
#include <optional>
#include <vector>

#include "descent/core/tensor.h"
#include "descent/data/dataset.h"

namespace descent::data {

struct LoaderOptions {
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;
  uint64_t seed = 0;
};

struct Batch {
  Tensor inputs = {};   // [b, ...] float32 or float64 (the dataset's), b = size
  Tensor targets = {};  // [b] int64 or [b, k] in the inputs' dtype
  int64_t size = 0;
  int64_t epoch = 0;
  int64_t index = 0;  // batch index within the epoch
};

struct LoaderPosition {
  int64_t epoch = 0;
  int64_t batch = 0;  // the next batch to be returned
  friend bool operator==(const LoaderPosition&, const LoaderPosition&) = default;
};

class DataLoader {
 public:
  // Keeps a handle to the dataset's tensors (not a copy). ValueError for an invalid dataset
  // (see validate()), batch_size < 1, or drop_last with fewer examples than one batch.
  DataLoader(const Dataset& data, const LoaderOptions& options = {});

  int64_t batches_per_epoch() const { return batches_per_epoch_; }
  const LoaderOptions& options() const { return options_; }
  const Dataset& dataset() const { return data_; }

  // The next batch of the current epoch, or nullopt when the epoch is over; the call that
  // returns nullopt moves the position to (epoch + 1, 0).
  std::optional<Batch> next();

  LoaderPosition position() const { return {epoch_, batch_}; }
  // Continues from batch `batch` of epoch `epoch` (0 <= batch <= batches_per_epoch()).
  void seek(int64_t epoch, int64_t batch);
  void seek(const LoaderPosition& p) { seek(p.epoch, p.batch); }

  // The example indices of epoch e in visiting order (a fresh vector; for tests and tools).
  std::vector<int64_t> epoch_order(int64_t epoch) const;

 private:
  void make_order(int64_t epoch, std::vector<int64_t>& out) const;

  struct Buffers {
    Tensor inputs, targets;              // [B, ...]
    Tensor short_inputs, short_targets;  // views of the first N mod B rows
  };

  Dataset data_;
  LoaderOptions options_;
  int64_t batches_per_epoch_ = 0;
  int64_t epoch_ = 0;
  int64_t batch_ = 0;
  int64_t order_epoch_ = -1;  // the epoch order_ holds
  std::vector<int64_t> order_;
  Buffers buffers_[2];
  int turn_ = 0;
  size_t input_row_bytes_ = 0;
  size_t target_row_bytes_ = 0;
};

}  // namespace descent::data
