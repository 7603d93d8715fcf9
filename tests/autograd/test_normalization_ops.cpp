// The batch_normalize and layer_normalize primitives: their fused forwards and first-order
// backwards against the same formulas written with ops, the rules used with grad mode on
// against the fused ones, accuracy on off-centre data, determinism across thread counts and
// their errors. (The op-table test gradchecks both to second order; the nn tests check
// BatchNorm1d and LayerNorm against PyTorch.)
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "../nn/nn_test_util.h"
#include "descent/descent.h"
#include "descent/kernels/parallel.h"

namespace descent {
namespace {

double max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  const std::vector<double> u = a.to_vector<double>(), v = b.to_vector<double>();
  double d = 0.0;
  for (size_t i = 0; i < u.size() && i < v.size(); ++i) d = std::max(d, std::abs(u[i] - v[i]));
  return d;
}

// The gradients of Σ weights·y with respect to `leaves` agree, within tol, for the primitive's
// output y (its fused first-order rule), for the composite's y_ref, and for normalize() run
// again and differentiated with create_graph (the rule that recomputes the statistics with ops).
void expect_same_gradients(const Tensor& y, const Tensor& y_ref,
                           const std::function<Tensor()>& normalize, const Tensor& weights,
                           const std::vector<Tensor>& leaves, double tol) {
  const auto fused = grad({sum(mul(y, weights))}, leaves);
  const auto reference = grad({sum(mul(y_ref, weights))}, leaves);
  const auto recorded = grad({sum(mul(normalize(), weights))}, leaves, {.create_graph = true});
  for (size_t i = 0; i < leaves.size(); ++i) {
    SCOPED_TRACE("leaf " + std::to_string(i));
    EXPECT_LT(max_abs_diff(fused[i], reference[i]), tol);
    EXPECT_LT(max_abs_diff(recorded[i], reference[i]), tol);
  }
}

std::vector<int64_t> statistics_axes(const Tensor& x) {
  std::vector<int64_t> axes = {0};
  for (int64_t d = 2; d < x.dim(); ++d) axes.push_back(d);
  return axes;
}

Tensor as_channels(const Tensor& t, const Tensor& x) {
  Shape s = Shape::filled(static_cast<size_t>(x.dim()), 1);
  s[1] = t.numel();
  return reshape(t, s);
}

// (x − μ)/√(σ² + eps)·w + b with ops, μ and σ² over every axis but 1.
Tensor composite(const Tensor& x, const Tensor& w, const Tensor& b, double eps) {
  const std::vector<int64_t> axes = statistics_axes(x);
  const Tensor centered = sub(x, mean(x, axes, true));
  Tensor y = mul(centered, pow(add(mean(mul(centered, centered), axes, true), eps), -0.5));
  if (w.defined()) y = mul(y, as_channels(w, x));
  if (b.defined()) y = add(y, as_channels(b, x));
  return y;
}

struct Arrangement {
  const char* label;
  Shape shape;
  bool affine;
  bool transposed;  // x a transposed view
};

const Arrangement kArrangements[] = {
    {"[8,5] affine", {8, 5}, true, false},
    {"[3,4,6] affine", {3, 4, 6}, true, false},
    {"transposed [7,3], no weight or bias", {7, 3}, false, true},
};

Tensor input(const Arrangement& s, Generator& gen, DType dtype) {
  if (!s.transposed) return randn(s.shape, gen, dtype).set_requires_grad(true);
  return transpose(randn({s.shape[1], s.shape[0]}, gen, dtype).set_requires_grad(true), 0, 1);
}

TEST(BatchNormalize, MatchesTheCompositeForwardAndBackward) {
  for (DType dtype : {DType::Float64, DType::Float32}) {
    const double tol = dtype == DType::Float64 ? 1e-12 : 2e-5;
    for (const Arrangement& s : kArrangements) {
      SCOPED_TRACE(std::string(s.label) + (dtype == DType::Float64 ? " float64" : " float32"));
      Generator gen(3);
      const Tensor x = input(s, gen, dtype);
      const int64_t c = s.shape[1];
      const Tensor w = s.affine ? randn({c}, gen, dtype).set_requires_grad(true) : Tensor();
      const Tensor b = s.affine ? randn({c}, gen, dtype).set_requires_grad(true) : Tensor();
      const Tensor weights = randn(s.shape, gen, dtype);
      std::vector<Tensor> leaves{x};
      if (s.affine) leaves.insert(leaves.end(), {w, b});

      Tensor batch_mean, batch_var;
      const Tensor y = batch_normalize(x, w, b, 1e-5, &batch_mean, &batch_var);
      const Tensor y_ref = composite(x, w, b, 1e-5);
      EXPECT_LT(max_abs_diff(y, y_ref), tol);
      EXPECT_LT(max_abs_diff(batch_mean, reshape(mean(x, statistics_axes(x)), {c})), tol);
      const Tensor centered = sub(x, mean(x, statistics_axes(x), true));
      EXPECT_LT(
          max_abs_diff(batch_var, reshape(mean(mul(centered, centered), statistics_axes(x)), {c})),
          tol);

      expect_same_gradients(
          y, y_ref, [&] { return batch_normalize(x, w, b, 1e-5); }, weights, leaves, tol);
    }
  }
}

TEST(BatchNormalize, VarianceOfOffCentreFloat32DataIsAccurate) {
  // Values 1000 ± 0.01: a one-pass Σx² − (Σx)²/n would lose every digit of σ² in float32
  // arithmetic. The two-pass variance matches a float64 computation.
  Generator gen(5);
  const Tensor x64 = add(mul(randn({256, 4}, gen, DType::Float64), 0.01), 1000.0);
  const Tensor x32 = to(x64, DType::Float32);
  Tensor var32, var64;
  batch_normalize(x32, Tensor(), Tensor(), 0.0, nullptr, &var32);
  batch_normalize(to(x32, DType::Float64), Tensor(), Tensor(), 0.0, nullptr, &var64);
  const std::vector<double> a = var32.to_vector<double>(), b = var64.to_vector<double>();
  for (size_t c = 0; c < a.size(); ++c) EXPECT_NEAR(a[c], b[c], 1e-6 * b[c]) << "channel " << c;
}

TEST(BatchNormalize, ResultsDoNotDependOnTheThreadCount) {
  // Large enough for the statistics and both passes to be split over the pool.
  Generator gen(9);
  const Tensor x = randn({512, 96}, gen, DType::Float32).set_requires_grad(true);
  const Tensor w = randn({96}, gen, DType::Float32).set_requires_grad(true);
  const Tensor b = randn({96}, gen, DType::Float32).set_requires_grad(true);
  const Tensor weights = randn({512, 96}, gen, DType::Float32);
  const int saved_threads = kernels::num_threads();
  std::vector<std::vector<float>> results[2];
  for (int threads : {1, 2}) {
    kernels::set_num_threads(threads);
    Tensor m, v;
    const Tensor y = batch_normalize(x, w, b, 1e-5, &m, &v);
    const auto g = grad({sum(mul(y, weights))}, {x, w, b});
    auto& r = results[threads - 1];
    for (const Tensor& t : {y, m, v, g[0], g[1], g[2]}) r.push_back(t.to_vector<float>());
  }
  kernels::set_num_threads(saved_threads);
  EXPECT_EQ(results[0], results[1]);
}

TEST(BatchNormalize, AnEmptyBatchGivesAnEmptyOutputAndNaNStatistics) {
  Tensor m, v;
  const Tensor y = batch_normalize(zeros({0, 3}), Tensor(), Tensor(), 1e-5, &m, &v);
  EXPECT_EQ(y.shape(), (Shape{0, 3}));
  for (double value : m.to_vector<double>()) EXPECT_TRUE(std::isnan(value));
  for (double value : v.to_vector<double>()) EXPECT_TRUE(std::isnan(value));
}

TEST(BatchNormalize, BadInputsAreErrorsThatNameTheShapes) {
  EXPECT_THROW(batch_normalize(ones({4}), Tensor(), Tensor(), 1e-5), ShapeError);
  EXPECT_THROW(batch_normalize(ones({4, 3}, DType::Int64), Tensor(), Tensor(), 1e-5), DTypeError);
  EXPECT_THROW(batch_normalize(Tensor(), Tensor(), Tensor(), 1e-5), ValueError);
  const std::string wrong_size = nn_test::message_of<ShapeError>([] {
    batch_normalize(ones({4, 3}), ones({2}), Tensor(), 1e-5);
  });
  EXPECT_NE(wrong_size.find("weight of shape [2]"), std::string::npos) << wrong_size;
  EXPECT_NE(wrong_size.find("[4, 3]"), std::string::npos) << wrong_size;
  const std::string wrong_dtype = nn_test::message_of<ShapeError>([] {
    batch_normalize(ones({4, 3}), Tensor(), ones({3}, DType::Float64), 1e-5);
  });
  EXPECT_NE(wrong_dtype.find("bias"), std::string::npos) << wrong_dtype;
  EXPECT_NE(wrong_dtype.find("float64"), std::string::npos) << wrong_dtype;
}

// --- layer_normalize ---

// (x − μ)/√(σ² + eps)·w + b with ops, μ and σ² over the last k axes.
Tensor layer_composite(const Tensor& x, int64_t k, const Tensor& w, const Tensor& b, double eps) {
  std::vector<int64_t> axes;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) axes.push_back(d);
  const Tensor centered = sub(x, mean(x, axes, true));
  Tensor y = mul(centered, pow(add(mean(mul(centered, centered), axes, true), eps), -0.5));
  if (w.defined()) y = mul(y, w);
  if (b.defined()) y = add(y, b);
  return y;
}

struct LayerArrangement {
  const char* label;
  Shape shape;
  int64_t k;  // normalized trailing axes
  bool affine;
};

const LayerArrangement kLayerArrangements[] = {
    {"[6,20] affine", {6, 20}, 1, true},
    {"[2,3,5] over the last two, affine", {2, 3, 5}, 2, true},
    {"[4,7], no weight or bias", {4, 7}, 1, false},
};

TEST(LayerNormalize, MatchesTheCompositeForwardAndBackward) {
  for (DType dtype : {DType::Float64, DType::Float32}) {
    const double tol = dtype == DType::Float64 ? 1e-12 : 2e-5;
    for (const LayerArrangement& s : kLayerArrangements) {
      SCOPED_TRACE(std::string(s.label) + (dtype == DType::Float64 ? " float64" : " float32"));
      Generator gen(4);
      const Tensor x = randn(s.shape, gen, dtype).set_requires_grad(true);
      const Shape row(std::span<const int64_t>(s.shape.data() + (s.shape.size() - s.k),
                                               static_cast<size_t>(s.k)));
      const Tensor w = s.affine ? randn(row, gen, dtype).set_requires_grad(true) : Tensor();
      const Tensor b = s.affine ? randn(row, gen, dtype).set_requires_grad(true) : Tensor();
      const Tensor weights = randn(s.shape, gen, dtype);
      std::vector<Tensor> leaves{x};
      if (s.affine) leaves.insert(leaves.end(), {w, b});

      const Tensor y = layer_normalize(x, s.k, w, b, 1e-5);
      const Tensor y_ref = layer_composite(x, s.k, w, b, 1e-5);
      EXPECT_LT(max_abs_diff(y, y_ref), tol);
      expect_same_gradients(
          y, y_ref, [&] { return layer_normalize(x, s.k, w, b, 1e-5); }, weights, leaves, tol);
    }
  }
}

TEST(LayerNormalize, OffCentreFloat32RowsAreNormalizedAccurately) {
  // Rows of 1000 ± 0.01: the normalized values match a float64 computation on the same data.
  Generator gen(6);
  const Tensor x32 =
      to(add(mul(randn({4, 256}, gen, DType::Float64), 0.01), 1000.0), DType::Float32);
  const Tensor y32 = layer_normalize(x32, 1, Tensor(), Tensor(), 0.0);
  const Tensor y64 = layer_normalize(to(x32, DType::Float64), 1, Tensor(), Tensor(), 0.0);
  EXPECT_LT(max_abs_diff(y32, y64), 1e-2);  // x − μ in float32 keeps ~3 digits of 0.01 at 1000
  EXPECT_GT(max_abs_diff(y32, y64), 0.0);
}

TEST(LayerNormalize, ResultsDoNotDependOnTheThreadCount) {
  Generator gen(10);
  const Tensor x = randn({300, 160}, gen, DType::Float32).set_requires_grad(true);
  const Tensor w = randn({160}, gen, DType::Float32).set_requires_grad(true);
  const Tensor b = randn({160}, gen, DType::Float32).set_requires_grad(true);
  const Tensor weights = randn({300, 160}, gen, DType::Float32);
  const int saved_threads = kernels::num_threads();
  std::vector<std::vector<float>> results[2];
  for (int threads : {1, 2}) {
    kernels::set_num_threads(threads);
    const Tensor y = layer_normalize(x, 1, w, b, 1e-5);
    const auto g = grad({sum(mul(y, weights))}, {x, w, b});
    for (const Tensor& t : {y, g[0], g[1], g[2]})
      results[threads - 1].push_back(t.to_vector<float>());
  }
  kernels::set_num_threads(saved_threads);
  EXPECT_EQ(results[0], results[1]);
}

TEST(LayerNormalize, BadInputsAreErrorsThatNameTheShapes) {
  EXPECT_THROW(layer_normalize(ones({4, 3}), 3, Tensor(), Tensor(), 1e-5), ShapeError);
  EXPECT_THROW(layer_normalize(ones({4, 3}), 0, Tensor(), Tensor(), 1e-5), ShapeError);
  EXPECT_THROW(layer_normalize(ones({4, 3}, DType::Int64), 1, Tensor(), Tensor(), 1e-5),
               DTypeError);
  const std::string wrong = nn_test::message_of<ShapeError>([] {
    layer_normalize(ones({4, 3}), 1, ones({4}), Tensor(), 1e-5);
  });
  EXPECT_NE(wrong.find("weight of shape [4]"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find("expected [3]"), std::string::npos) << wrong;
}

}  // namespace
}  // namespace descent
