// Dataset validation by dtype: float32 and float64 inputs (a float64 run's data), regression
// targets in the inputs' dtype, and the loader gathering float64 batches.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "descent/core/error.h"
#include "descent/data/dataset.h"
#include "descent/data/loader.h"

namespace descent::data {
namespace {

Dataset regression(DType inputs, DType targets) {
  Dataset d;
  d.name = "toy";
  d.inputs = from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{3, 2}, inputs);
  d.targets = from_vector(std::vector<double>{0.5, 1.5, 2.5}, Shape{3, 1}, targets);
  return d;
}

TEST(DatasetDtypes, Float64InputsAndTargetsAreValidAndLoad) {
  const Dataset d = regression(DType::Float64, DType::Float64);
  EXPECT_NO_THROW(validate(d));
  DataLoader loader(d, {.batch_size = 2, .shuffle = false});
  const auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->inputs.dtype(), DType::Float64);
  EXPECT_EQ(batch->targets.dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(batch->inputs.data<double>()[3], 4.0);
  EXPECT_DOUBLE_EQ(batch->targets.data<double>()[1], 1.5);
}

TEST(DatasetDtypes, MismatchedOrNonFloatingDtypesAreClearErrors) {
  try {
    validate(regression(DType::Float64, DType::Float32));
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("dataset 'toy': regression targets must have the "
                                               "inputs' dtype float64, got float32"));
  }
  Dataset d = regression(DType::Float32, DType::Float32);
  d.inputs = from_vector(std::vector<int64_t>{1, 2, 3, 4, 5, 6}, Shape{3, 2});
  try {
    validate(d);
    FAIL() << "expected a ValueError";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("inputs must be float32 or float64, got int64"));
  }
}

}  // namespace
}  // namespace descent::data
