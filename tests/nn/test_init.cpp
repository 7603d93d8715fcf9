// Initializers: the statistics each one produces on a large tensor, bounds, orthogonality,
// reproducibility and the errors for bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::message_of;
using nn_test::Moments;
using nn_test::moments;
using nn_test::values;

// 200 000 samples: the sample mean is within 5 standard errors (σ·0.011) and the sample
// standard deviation within 1% of the truth, with overwhelming probability.
constexpr int64_t kRows = 400, kCols = 500;
constexpr double kMeanTol = 5.0 / 447.0;  // 5/√(kRows·kCols), in units of σ
constexpr double kStdRelTol = 0.01;

void expect_moments(const Tensor& t, double mean, double std, const std::string& what) {
  const auto m = moments(t);
  EXPECT_NEAR(m.mean, mean, kMeanTol * std) << what;
  EXPECT_NEAR(m.std, std, kStdRelTol * std) << what;
}

TEST(NnInit, CalculateGainFollowsPyTorchsTable) {
  for (const char* linear : {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                             "conv_transpose2d", "conv_transpose3d", "sigmoid"})
    EXPECT_EQ(calculate_gain(linear), 1.0) << linear;
  EXPECT_DOUBLE_EQ(calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu"), std::sqrt(2.0 / (1.0 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.0), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("selu"), 0.75);
  const std::string msg = message_of<ValueError>([] { calculate_gain("swish"); });
  EXPECT_NE(msg.find("'swish'"), std::string::npos) << msg;
}

TEST(NnInit, FansAsPyTorch) {
  const Fans linear = calculate_fan_in_and_fan_out(zeros({30, 20}));
  EXPECT_EQ(linear.fan_in, 20);
  EXPECT_EQ(linear.fan_out, 30);
  const Fans conv = calculate_fan_in_and_fan_out(zeros({16, 8, 3, 3}));
  EXPECT_EQ(conv.fan_in, 72);
  EXPECT_EQ(conv.fan_out, 144);
  message_of<ValueError>([] { calculate_fan_in_and_fan_out(zeros({5})); });
}

TEST(NnInit, DeterministicFills) {
  Tensor t = zeros({2, 3});
  EXPECT_EQ(values(constant_(t, 2.5)), std::vector<double>(6, 2.5));
  EXPECT_EQ(values(zeros_(t)), std::vector<double>(6, 0.0));
  EXPECT_EQ(values(ones_(t)), std::vector<double>(6, 1.0));
  EXPECT_EQ(values(eye_(t)), (std::vector<double>{1, 0, 0, 0, 1, 0}));
  Tensor tall = zeros({3, 2}, DType::Float64);
  EXPECT_EQ(values(eye_(tall)), (std::vector<double>{1, 0, 0, 1, 0, 0}));
  Tensor cube = zeros({2, 2, 2});
  message_of<ValueError>([&] { eye_(cube); });
}

TEST(NnInit, UniformHasItsMomentsAndStaysInBounds) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Generator gen(1);
    Tensor t = Tensor::empty({kRows, kCols}, dt);
    uniform_(t, -0.5, 1.5, gen);
    expect_moments(t, 0.5, 2.0 / std::sqrt(12.0), "uniform_");
    const auto m = moments(t);
    EXPECT_GE(m.min, -0.5);
    EXPECT_LE(m.max, 1.5);
    EXPECT_LT(m.min, -0.49);
    EXPECT_GT(m.max, 1.49);
  }
}

TEST(NnInit, NormalHasItsMoments) {
  Generator gen(2);
  Tensor t = Tensor::empty({kRows, kCols});
  normal_(t, -1.0, 3.0, gen);
  expect_moments(t, -1.0, 3.0, "normal_");
}

TEST(NnInit, XavierScalesWithBothFans) {
  Generator gen(3);
  Tensor t = Tensor::empty({kRows, kCols});
  const double std = 2.0 * std::sqrt(2.0 / (kRows + kCols));
  xavier_uniform_(t, 2.0, gen);
  expect_moments(t, 0.0, std, "xavier_uniform_");
  EXPECT_LE(moments(t).max, std::sqrt(3.0) * std);
  EXPECT_GE(moments(t).min, -std::sqrt(3.0) * std);
  xavier_normal_(t, 2.0, gen);
  expect_moments(t, 0.0, std, "xavier_normal_");
}

TEST(NnInit, KaimingUsesTheChosenFanAndGain) {
  Generator gen(4);
  Tensor t = Tensor::empty({kRows, kCols});  // fan_in = 500, fan_out = 400
  kaiming_uniform_(t, 0.0, "fan_in", "relu", gen);
  expect_moments(t, 0.0, std::sqrt(2.0 / kCols), "kaiming_uniform_ fan_in relu");
  EXPECT_LE(moments(t).max, std::sqrt(6.0 / kCols));
  kaiming_normal_(t, 0.0, "fan_out", "relu", gen);
  expect_moments(t, 0.0, std::sqrt(2.0 / kRows), "kaiming_normal_ fan_out relu");
  kaiming_normal_(t, 0.3, "fan_in", "leaky_relu", gen);
  expect_moments(t, 0.0, std::sqrt(2.0 / (1.0 + 0.09)) / std::sqrt(kCols), "leaky a=0.3");
  kaiming_uniform_(t, 0.0, "fan_in", "tanh", gen);
  expect_moments(t, 0.0, (5.0 / 3.0) / std::sqrt(kCols), "kaiming_uniform_ tanh");
  // On a convolution-shaped tensor the receptive field counts: fan_in = 20·3·3.
  Tensor conv = Tensor::empty({1000, 20, 3, 3});
  kaiming_normal_(conv, 0.0, "fan_in", "relu", gen);
  expect_moments(conv, 0.0, std::sqrt(2.0 / 180.0), "kaiming_normal_ conv");
}

TEST(NnInit, LecunNormalIsUnitGainOverFanIn) {
  Generator gen(5);
  Tensor t = Tensor::empty({kRows, kCols});
  lecun_normal_(t, gen);
  expect_moments(t, 0.0, 1.0 / std::sqrt(kCols), "lecun_normal_");
}

TEST(NnInit, BadArgumentsAreValueErrorsNamingThem) {
  Tensor t = zeros({3, 3});
  std::string msg = message_of<ValueError>([&] { kaiming_uniform_(t, 0.0, "fan_avg"); });
  EXPECT_NE(msg.find("'fan_avg'"), std::string::npos) << msg;
  msg = message_of<ValueError>([&] { kaiming_normal_(t, 0.0, "fan_in", "gelu"); });
  EXPECT_NE(msg.find("'gelu'"), std::string::npos) << msg;
  Tensor vec = zeros({3});
  message_of<ValueError>([&] { xavier_uniform_(vec); });
  message_of<ValueError>([&] { uniform_(t, 1.0, 0.0); });
  message_of<ValueError>([&] { normal_(t, 0.0, -1.0); });
  Tensor ints = zeros({3, 3}, DType::Int64);
  message_of<DTypeError>([&] { normal_(ints); });
  message_of<DTypeError>([&] { kaiming_uniform_(ints); });
}

TEST(NnInit, WorksOnParametersAndIsReproducible) {
  Tensor w = zeros({4, 4}).set_requires_grad(true);  // a leaf that requires grad
  Generator g1(42), g2(42);
  kaiming_uniform_(w, std::sqrt(5.0), "fan_in", "leaky_relu", g1);
  EXPECT_TRUE(w.requires_grad());
  Tensor w2 = zeros({4, 4});
  kaiming_uniform_(w2, std::sqrt(5.0), "fan_in", "leaky_relu", g2);
  EXPECT_EQ(values(w), values(w2));
  Tensor empty = zeros({0, 3});
  kaiming_uniform_(empty);  // no elements: nothing to do, no error
  orthogonal_(empty);
}

// ‖M·Mᵀ − I‖_max for the rows of a [r, c] matrix M given row-major.
double max_gram_error(const std::vector<double>& m, int64_t r, int64_t c, double scale) {
  double worst = 0.0;
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < r; ++j) {
      double dot = 0.0;
      for (int64_t k = 0; k < c; ++k) dot += m[i * c + k] * m[j * c + k];
      worst = std::max(worst, std::abs(dot / (scale * scale) - (i == j ? 1.0 : 0.0)));
    }
  return worst;
}

std::vector<double> transposed(const std::vector<double>& m, int64_t r, int64_t c) {
  std::vector<double> t(m.size());
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) t[j * r + i] = m[i * c + j];
  return t;
}

TEST(NnInit, OrthogonalGivesOrthonormalRowsOrColumns) {
  Generator gen(6);
  // Wide: orthonormal rows (Q Qᵀ = I).
  Tensor wide = Tensor::empty({30, 70}, DType::Float64);
  orthogonal_(wide, 1.0, gen);
  EXPECT_LT(max_gram_error(values(wide), 30, 70, 1.0), 1e-12);
  // Tall: orthonormal columns (Qᵀ Q = I).
  Tensor tall = Tensor::empty({70, 30}, DType::Float64);
  orthogonal_(tall, 1.0, gen);
  EXPECT_LT(max_gram_error(transposed(values(tall), 70, 30), 30, 70, 1.0), 1e-12);
  // Square, with a gain, in float32.
  Tensor square = Tensor::empty({40, 40});
  orthogonal_(square, 2.0, gen);
  EXPECT_LT(max_gram_error(values(square), 40, 40, 2.0), 1e-5);
  EXPECT_LT(max_gram_error(transposed(values(square), 40, 40), 40, 40, 2.0), 1e-5);
  // More than two dimensions: seen as size(0) × (the rest).
  Tensor conv = Tensor::empty({4, 3, 2, 2}, DType::Float64);
  orthogonal_(conv, 1.0, gen);
  EXPECT_LT(max_gram_error(values(conv), 4, 12, 1.0), 1e-12);
  message_of<ValueError>([&] {
    Tensor v = zeros({5});
    orthogonal_(v);
  });
}

TEST(NnInit, OrthogonalIsHaarDistributed) {
  // For a Haar-random orthogonal n×n matrix every entry has mean 0 and variance 1/n, and the
  // sign correction makes the diagonal no different from other entries (without it, a QR
  // convention would bias the diagonal's sign).
  Generator gen(7);
  const int64_t n = 8, trials = 3000;
  double diag_sum = 0.0, diag_sq = 0.0;
  for (int64_t t = 0; t < trials; ++t) {
    Tensor q = Tensor::empty({n, n}, DType::Float64);
    orthogonal_(q, 1.0, gen);
    const std::vector<double> v = values(q);
    for (int64_t i = 0; i < n; ++i) {
      diag_sum += v[i * n + i];
      diag_sq += v[i * n + i] * v[i * n + i];
    }
  }
  const double count = static_cast<double>(n * trials);
  EXPECT_NEAR(diag_sum / count, 0.0, 5.0 * std::sqrt(1.0 / n / count));
  EXPECT_NEAR(diag_sq / count, 1.0 / n, 0.01);
}

// Mean and standard deviation of N(μ, σ²) truncated to [a, b].
Moments truncated_moments(double mu, double sigma, double a, double b) {
  auto pdf = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); };
  auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
  const double al = (a - mu) / sigma, be = (b - mu) / sigma, z = cdf(be) - cdf(al);
  const double shift = (pdf(al) - pdf(be)) / z;
  const double var = 1.0 + (al * pdf(al) - be * pdf(be)) / z - shift * shift;
  return {mu + sigma * shift, sigma * std::sqrt(var), a, b};
}

TEST(NnInit, TruncNormalHasTheTruncatedMomentsAndStaysInBounds) {
  struct Case {
    double mean, std, a, b;
  };
  for (const Case c : {Case{0.0, 1.0, -2.0, 2.0}, Case{1.0, 2.0, 0.5, 3.0},
                       Case{0.0, 1.0, 3.0, 4.0},    // far in the right tail (mirrored)
                       Case{0.0, 1.0, -6.0, -5.0},  // far in the left tail
                       Case{0.0, 0.02, -0.04, 0.04}}) {
    Generator gen(8);
    Tensor t = Tensor::empty({kRows, kCols}, DType::Float64);
    trunc_normal_(t, c.mean, c.std, c.a, c.b, gen);
    const Moments want = truncated_moments(c.mean, c.std, c.a, c.b);
    const Moments got = moments(t);
    const std::string what =
        "trunc_normal_ on [" + std::to_string(c.a) + ", " + std::to_string(c.b) + "]";
    EXPECT_GE(got.min, c.a) << what;
    EXPECT_LE(got.max, c.b) << what;
    EXPECT_NEAR(got.mean, want.mean, kMeanTol * want.std) << what;
    EXPECT_NEAR(got.std, want.std, kStdRelTol * want.std) << what;
  }
  Tensor t = zeros({3, 3});
  message_of<ValueError>([&] { trunc_normal_(t, 0.0, 1.0, 2.0, -2.0); });
  message_of<ValueError>([&] { trunc_normal_(t, 0.0, 0.0); });
}

}  // namespace
}  // namespace descent::nn
