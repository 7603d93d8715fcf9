// Gradient clipping against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/optim/clip.h"

namespace descent::optim {
namespace {

// A parameter with the given gradient.
Tensor param_with_grad(std::initializer_list<double> g, DType dtype = DType::Float64) {
  Tensor p = zeros({static_cast<int64_t>(g.size())}, dtype);
  p.set_requires_grad(true);
  p.set_grad(tensor(g, dtype));
  return p;
}

TEST(ClipGradNorm, ScalesToMaxNormAndReturnsTheTotal) {
  // ‖(3, 4, 12)‖₂ = 13 over two parameters.
  Tensor a = param_with_grad({3.0, 4.0});
  Tensor b = param_with_grad({12.0});
  const double total = clip_grad_norm({a, b}, 6.5);
  EXPECT_DOUBLE_EQ(total, 13.0);
  const double c = 6.5 / (13.0 + 1e-6);
  EXPECT_DOUBLE_EQ(a.grad().at({0}), 3.0 * c);
  EXPECT_DOUBLE_EQ(a.grad().at({1}), 4.0 * c);
  EXPECT_DOUBLE_EQ(b.grad().at({0}), 12.0 * c);
}

TEST(ClipGradNorm, LeavesSmallGradientsAlone) {
  Tensor a = param_with_grad({0.3, -0.4});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a}, 1.0), 0.5);
  EXPECT_DOUBLE_EQ(a.grad().at({0}), 0.3);
  EXPECT_DOUBLE_EQ(a.grad().at({1}), -0.4);
}

TEST(ClipGradNorm, OtherNorms) {
  Tensor a = param_with_grad({1.0, -2.0});
  Tensor b = param_with_grad({-5.0}, DType::Float32);
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 100.0, {.norm_type = 1.0}), 8.0);
  EXPECT_DOUBLE_EQ(
      clip_grad_norm({a, b}, 100.0, {.norm_type = std::numeric_limits<double>::infinity()}), 5.0);
  EXPECT_NEAR(clip_grad_norm({a, b}, 100.0, {.norm_type = 3.0}), std::cbrt(1.0 + 8.0 + 125.0),
              1e-12);
  // ∞-norm clipping: every element scaled by 2.5 / (5 + 1e-6).
  clip_grad_norm({a, b}, 2.5, {.norm_type = std::numeric_limits<double>::infinity()});
  EXPECT_NEAR(b.grad().at({0}), -5.0 * 2.5 / (5.0 + 1e-6), 1e-6);
  EXPECT_DOUBLE_EQ(a.grad().at({1}), -2.0 * 2.5 / (5.0 + 1e-6));
}

TEST(ClipGradNorm, SkipsParametersWithoutGradients) {
  Tensor a = zeros({3}, DType::Float64);
  a.set_requires_grad(true);
  EXPECT_EQ(clip_grad_norm({a}, 1.0), 0.0);
  Tensor b = param_with_grad({6.0, 8.0});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 1.0), 10.0);
}

TEST(ClipGradNorm, NonFiniteNorm) {
  Tensor a = param_with_grad({1.0, std::numeric_limits<double>::quiet_NaN()});
  try {
    clip_grad_norm({a}, 1.0, {.error_if_nonfinite = true});
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("order 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(a.grad().at({0}), 1.0);  // untouched on error
  EXPECT_TRUE(std::isnan(clip_grad_norm({a}, 1.0)));
  EXPECT_TRUE(std::isnan(a.grad().at({0})));  // scaled by NaN, as PyTorch
  Tensor b = param_with_grad({std::numeric_limits<double>::infinity()});
  EXPECT_THROW(clip_grad_norm({b}, 1.0,
                              {.norm_type = std::numeric_limits<double>::infinity(),
                               .error_if_nonfinite = true}),
               ValueError);
  EXPECT_THROW(clip_grad_norm({b}, 1.0, {.norm_type = 0.0}), ValueError);
}

TEST(ClipGradValue, ClampsEachElement) {
  Tensor a = param_with_grad({-3.0, 0.5, 2.0}, DType::Float32);
  clip_grad_value({a}, 1.0);
  EXPECT_EQ(a.grad().to_vector<double>(), (std::vector<double>{-1.0, 0.5, 1.0}));
  EXPECT_THROW(clip_grad_value({a}, -1.0), ValueError);
}

}  // namespace
}  // namespace descent::optim
