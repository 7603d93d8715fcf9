// Fashion-MNIST from Debian's dataset-fashion-mnist. The expected numbers were computed
// independently with Python's gzip module over the same files (label counts, the first labels,
// and sums of raw pixel bytes).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "descent/data/idx.h"

namespace descent::data {
namespace {

// Sum of rows [begin, end) of a [N, 784] tensor, scaled back to raw bytes.
double raw_pixel_sum(const Tensor& x, int64_t begin, int64_t end) {
  const float* p = x.data<float>();
  double s = 0;
  for (int64_t i = begin * 784; i < end * 784; ++i) s += std::round(p[i] * 255.0);
  return s;
}

TEST(FashionMnist, LoadsTrainAndTestSplits) {
  if (!std::filesystem::exists(kFashionMnistDir))
    GTEST_SKIP() << kFashionMnistDir << " is absent (apt-get install dataset-fashion-mnist)";
  const Split s = load_fashion_mnist();
  validate(s.train);
  validate(s.test);
  ASSERT_EQ(s.train.inputs.shape(), (Shape{60000, 784}));
  ASSERT_EQ(s.test.inputs.shape(), (Shape{10000, 784}));
  EXPECT_EQ(s.train.num_classes, 10);
  EXPECT_EQ(s.train.class_names.at(9), "Ankle boot");

  const std::vector<int64_t> train_y = s.train.targets.to_vector<int64_t>();
  const std::vector<int64_t> test_y = s.test.targets.to_vector<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(train_y.begin(), train_y.begin() + 10),
            (std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  EXPECT_EQ(std::vector<int64_t>(test_y.begin(), test_y.begin() + 10),
            (std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  std::vector<int64_t> counts(10, 0);
  for (int64_t y : train_y) ++counts[static_cast<size_t>(y)];
  EXPECT_EQ(counts, std::vector<int64_t>(10, 6000));

  EXPECT_EQ(raw_pixel_sum(s.train.inputs, 0, 1), 76247);
  EXPECT_EQ(raw_pixel_sum(s.train.inputs, 59999, 60000), 16684);
  EXPECT_EQ(raw_pixel_sum(s.train.inputs, 0, 60000), 3431114169.0);
  EXPECT_EQ(raw_pixel_sum(s.test.inputs, 0, 1), 33456);
  EXPECT_EQ(raw_pixel_sum(s.test.inputs, 0, 10000), 573469082.0);

  float lo = 1, hi = 0;
  for (int64_t i = 0; i < s.train.inputs.numel(); ++i) {
    lo = std::min(lo, s.train.inputs.data<float>()[i]);
    hi = std::max(hi, s.train.inputs.data<float>()[i]);
  }
  EXPECT_EQ(lo, 0.0f);
  EXPECT_EQ(hi, 1.0f);
}

}  // namespace
}  // namespace descent::data
