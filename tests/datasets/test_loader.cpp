// DataLoader: determinism, coverage, drop_last, seek/resume and preallocated batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "descent/core/error.h"
#include "descent/data/loader.h"
#include "descent/kernels/parallel.h"

namespace descent::data {
namespace {

// N examples whose inputs row i is (i, 10 i, 100 i) and whose label is i mod 3.
Dataset counting(int64_t n) {
  Dataset d;
  d.name = "counting";
  d.num_classes = 3;
  d.inputs = Tensor::empty({n, 3}, DType::Float32);
  d.targets = Tensor::empty({n}, DType::Int64);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < 3; ++j)
      d.inputs.data<float>()[i * 3 + j] = static_cast<float>(i) * std::pow(10.0f, j);
    d.targets.data<int64_t>()[i] = i % 3;
  }
  return d;
}

// The example ids of every batch of one epoch, checking that rows and labels agree.
std::vector<std::vector<int64_t>> run_epoch(DataLoader& loader) {
  std::vector<std::vector<int64_t>> batches;
  while (std::optional<Batch> b = loader.next()) {
    std::vector<int64_t> ids;
    for (int64_t r = 0; r < b->size; ++r) {
      const auto id = static_cast<int64_t>(b->inputs.at({r, 0}));
      EXPECT_EQ(b->inputs.at({r, 2}), 100.0 * static_cast<double>(id));
      EXPECT_EQ(b->targets.at({r}), id % 3);
      ids.push_back(id);
    }
    batches.push_back(ids);
  }
  return batches;
}

TEST(DataLoader, EveryIndexExactlyOncePerEpochWithShortLastBatch) {
  DataLoader loader(counting(10), {.batch_size = 4, .seed = 3});
  EXPECT_EQ(loader.batches_per_epoch(), 3);
  for (int epoch = 0; epoch < 3; ++epoch) {
    const auto batches = run_epoch(loader);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[2].size(), 2u);
    std::vector<int64_t> all;
    for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
    std::sort(all.begin(), all.end());
    std::vector<int64_t> expected(10);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(all, expected);
  }
  EXPECT_EQ(loader.position(), (LoaderPosition{3, 0}));
}

TEST(DataLoader, SameSeedSameOrderOtherSeedOrEpochDiffers) {
  const Dataset d = counting(50);
  DataLoader a(d, {.batch_size = 7, .seed = 42}), b(d, {.batch_size = 7, .seed = 42});
  DataLoader c(d, {.batch_size = 7, .seed = 43});
  const auto ea = run_epoch(a), eb = run_epoch(b), ec = run_epoch(c);
  EXPECT_EQ(ea, eb);
  EXPECT_NE(ea, ec);
  EXPECT_NE(ea, run_epoch(a));  // epoch 1 is another permutation
  EXPECT_EQ(a.epoch_order(0), b.epoch_order(0));
  // The order is the documented function of (seed, epoch): the same for another batch size.
  DataLoader big(d, {.batch_size = 50, .seed = 42});
  EXPECT_EQ(run_epoch(big)[0], a.epoch_order(0));
}

TEST(DataLoader, NoShuffleIsTheIdentity) {
  DataLoader loader(counting(5), {.batch_size = 2, .shuffle = false});
  EXPECT_EQ(run_epoch(loader), (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {4}}));
}

TEST(DataLoader, DropLastSkipsTheRemainder) {
  DataLoader loader(counting(10), {.batch_size = 4, .drop_last = true, .seed = 1});
  EXPECT_EQ(loader.batches_per_epoch(), 2);
  const auto batches = run_epoch(loader);
  ASSERT_EQ(batches.size(), 2u);
  std::set<int64_t> seen;
  for (const auto& b : batches) {
    EXPECT_EQ(b.size(), 4u);
    seen.insert(b.begin(), b.end());
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_THROW(DataLoader(counting(3), {.batch_size = 4, .drop_last = true}), ValueError);
}

TEST(DataLoader, SeekResumesExactlyAsAnUninterruptedRun) {
  const Dataset d = counting(23);
  const LoaderOptions o{.batch_size = 5, .seed = 9};
  DataLoader full(d, o);
  std::vector<std::vector<int64_t>> reference;
  for (int e = 0; e < 3; ++e)
    for (const auto& b : run_epoch(full)) reference.push_back(b);

  // Stop after epoch 1 batch 2, then resume in a fresh loader from the position alone.
  DataLoader first(d, o);
  std::vector<std::vector<int64_t>> resumed = run_epoch(first);
  for (int k = 0; k < 2; ++k) {
    const std::optional<Batch> b = first.next();
    std::vector<int64_t> ids;
    for (int64_t r = 0; r < b->size; ++r) ids.push_back(static_cast<int64_t>(b->inputs.at({r, 0})));
    resumed.push_back(ids);
  }
  const LoaderPosition saved = first.position();
  EXPECT_EQ(saved, (LoaderPosition{1, 2}));
  DataLoader second(d, o);
  second.seek(saved);
  for (int e = 0; e < 2; ++e)
    for (const auto& b : run_epoch(second)) resumed.push_back(b);
  EXPECT_EQ(resumed, reference);
  EXPECT_THROW(second.seek(0, 6), ValueError);
  EXPECT_THROW(second.seek(-1, 0), ValueError);
}

TEST(DataLoader, BatchesReuseTwoPreallocatedBuffers) {
  // 872 = 6·128 + 104: seven batches per epoch, so the short one alternates between buffers.
  DataLoader loader(counting(872), {.batch_size = 128, .seed = 2});
  std::set<const void*> input_data, target_data;
  std::set<const TensorImpl*> impls;
  for (int epoch = 0; epoch < 3; ++epoch)
    while (std::optional<Batch> b = loader.next()) {
      input_data.insert(b->inputs.raw_data());
      target_data.insert(b->targets.raw_data());
      impls.insert(b->inputs.impl());
      impls.insert(b->targets.impl());
    }
  // Two buffer sets; the short last batch is a view of each, made up front.
  EXPECT_EQ(input_data.size(), 2u);
  EXPECT_EQ(target_data.size(), 2u);
  EXPECT_EQ(impls.size(), 8u);
}

TEST(DataLoader, PreviousBatchSurvivesTheNextGather) {
  DataLoader loader(counting(8), {.batch_size = 2, .shuffle = false});
  const Batch a = *loader.next();
  const Batch b = *loader.next();
  EXPECT_EQ(a.inputs.at({0, 0}), 0.0);
  EXPECT_EQ(b.inputs.at({0, 0}), 2.0);
  EXPECT_FALSE(a.inputs.shares_storage(b.inputs));
}

TEST(DataLoader, RegressionTargetsAndInvalidOptions) {
  Dataset d = counting(6);
  d.num_classes = 0;
  d.targets = Tensor::empty({6, 2}, DType::Float32);
  for (int64_t i = 0; i < 12; ++i) d.targets.data<float>()[i] = static_cast<float>(i);
  DataLoader loader(d, {.batch_size = 4, .shuffle = false});
  const Batch b = *loader.next();
  EXPECT_EQ(b.targets.shape(), (Shape{4, 2}));
  EXPECT_EQ(b.targets.at({3, 1}), 7.0);
  EXPECT_THROW(DataLoader(d, {.batch_size = 0}), ValueError);
  d.targets = Tensor::empty({5, 2}, DType::Float32);
  EXPECT_THROW(DataLoader(d, {}), ValueError);
}

// Rows of 8 KiB: a batch of 64 is 512 KiB, so the gather is split over the thread pool.
TEST(DataLoader, GatherOfWideRowsIsTheSameOnOneAndTwoThreads) {
  constexpr int64_t n = 300, width = 2048;
  Dataset d;
  d.name = "wide";
  d.num_classes = 7;
  d.inputs = Tensor::empty({n, width}, DType::Float32);
  d.targets = Tensor::empty({n}, DType::Int64);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < width; ++j)
      d.inputs.data<float>()[i * width + j] = static_cast<float>(i * width + j);
    d.targets.data<int64_t>()[i] = i % 7;
  }
  const int saved = kernels::num_threads();
  std::vector<std::vector<int64_t>> ids_by_threads;
  for (const int threads : {1, 2}) {
    kernels::set_num_threads(threads);
    DataLoader loader(d, {.batch_size = 64, .seed = 5});
    std::vector<int64_t> ids;
    while (std::optional<Batch> b = loader.next()) {
      const float* x = b->inputs.data<float>();
      for (int64_t r = 0; r < b->size; ++r) {
        const auto id = static_cast<int64_t>(x[r * width] / width);
        bool row_ok = true;  // every element of the row, not just the first
        for (int64_t j = 0; j < width; ++j)
          row_ok &= x[r * width + j] == static_cast<float>(id * width + j);
        EXPECT_TRUE(row_ok) << "threads " << threads << " row " << r;
        EXPECT_EQ(b->targets.data<int64_t>()[r], id % 7);
        ids.push_back(id);
      }
    }
    ids_by_threads.push_back(ids);
  }
  kernels::set_num_threads(saved);
  EXPECT_EQ(ids_by_threads[0], ids_by_threads[1]);
  std::vector<int64_t> sorted = ids_by_threads[0];
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(n);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(sorted, expected);
}

}  // namespace
}  // namespace descent::data
