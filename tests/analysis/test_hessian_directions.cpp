// Top-two Hessian eigenvectors as landscape directions, checked against the full
// eigendecomposition of the dense Hessian, and the slice's second differences against λ.
#include <gtest/gtest.h>

#include <cmath>

#include "curvature_test_util.h"
#include "descent/analysis/hessian_directions.h"
#include "descent/analysis/param_vector.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/autograd/grad_mode.h"

namespace descent::analysis {
namespace {

using testing::TinyMlp;

TEST(HessianDirections, AreTheTopEigenvectorsOfTheFullHessian) {
  const TinyMlp mlp(2);
  const HessianOperator h(mlp.params(), [&] { return mlp.loss(); });
  const HessianDirections d = top_hessian_directions(h, {.seed = 1});
  const SymmetricEigen ref = symmetric_eigen(h.full(), h.dim());
  const int64_t n = h.dim();
  ASSERT_EQ(d.eigenvalues.size(), 2u);
  EXPECT_NEAR(d.eigenvalues[0], ref.values[n - 1], 1e-9);
  EXPECT_NEAR(d.eigenvalues[1], ref.values[n - 2], 1e-9);
  ASSERT_GT(ref.values[n - 1] - ref.values[n - 2], 1e-6);  // simple eigenvalues: unique up to sign
  for (int k = 0; k < 2; ++k) {
    const Vector v = flatten(k == 0 ? d.directions.d1 : d.directions.d2);
    EXPECT_NEAR(norm(v), 1.0, 1e-12);
    double cosine = 0.0;  // with the reference eigenvector, column n−1−k
    for (int64_t i = 0; i < n; ++i) cosine += v[i] * ref.vectors[i * n + (n - 1 - k)];
    EXPECT_NEAR(std::abs(cosine), 1.0, 1e-8) << "direction " << k + 1;
  }
  // Shaped and typed like the parameters.
  for (size_t i = 0; i < mlp.params().size(); ++i) {
    EXPECT_EQ(d.directions.d1[i].shape(), mlp.params()[i].shape());
    EXPECT_EQ(d.directions.d2[i].dtype(), DType::Float64);
  }
}

TEST(HessianDirections, SliceCurvatureAtTheCentreIsTheEigenvalue) {
  TinyMlp mlp(3);
  const HessianOperator h(mlp.params(), [&] { return mlp.loss(); });
  const HessianDirections d = top_hessian_directions(h, {.seed = 4});
  std::vector<Tensor> theta0;
  for (const Tensor& p : mlp.params()) theta0.push_back(clone(p.detach()));
  const ParamEvaluator evaluate = [&](const std::vector<Tensor>& values) {
    NoGradGuard no_grad;
    for (size_t i = 0; i < values.size(); ++i) {
      Tensor p = mlp.params()[i];
      p.copy_(values[i]);
    }
    return LossAccuracy{.loss = mlp.loss().item(), .accuracy = std::nan("")};
  };
  const double step = 1e-3;
  const Slice2 s = slice_2d(theta0, d.directions, {-step, 0.0, step}, {-step, 0.0, step}, evaluate);
  // (L(h) − 2 L(0) + L(−h)) / h² = λ + O(h²) along each unit eigenvector.
  const double along_a = (s.loss[3] - 2 * s.loss[4] + s.loss[5]) / (step * step);
  const double along_b = (s.loss[1] - 2 * s.loss[4] + s.loss[7]) / (step * step);
  EXPECT_NEAR(along_a, d.eigenvalues[0], 1e-4 * std::abs(d.eigenvalues[0]) + 1e-6);
  EXPECT_NEAR(along_b, d.eigenvalues[1], 1e-4 * std::abs(d.eigenvalues[0]) + 1e-6);
}

TEST(HessianDirections, NeedTwoParameters) {
  Tensor w =
      from_vector(std::vector<double>{2.0}, Shape{1}, DType::Float64).set_requires_grad(true);
  const HessianOperator h({w}, [&] { return sum(w * w * w); });
  EXPECT_THROW(top_hessian_directions(h), ValueError);
}

}  // namespace
}  // namespace descent::analysis
