// Gauss–Newton products: equal to the Hessian for a linear softmax model, and to an explicit
// Jᵀ H_out J built from the full Jacobian for a nonlinear one.
#include <gtest/gtest.h>

#include <cmath>

#include "curvature_test_util.h"
#include "descent/analysis/gauss_newton.h"
#include "descent/analysis/hessian.h"
#include "descent/analysis/jacobian.h"
#include "descent/analysis/param_vector.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/core/error.h"

namespace descent::analysis {
namespace {

using testing::TinyMlp;

TEST(GaussNewton, EqualsTheHessianOfALinearSoftmaxModel) {
  TinyMlp m(2);  // use its data and its second layer's shapes for a linear classifier on x
  Generator gen(4);
  Tensor w = from_vector(gaussian(9, gen), Shape{3, 3}, DType::Float64);
  Tensor b = from_vector(gaussian(3, gen), Shape{3}, DType::Float64);
  w.set_requires_grad(true);
  b.set_requires_grad(true);
  auto logits = [&] { return linear(m.x, w, b); };
  const GaussNewtonOperator g({w, b}, logits);
  const HessianOperator h({w, b}, [&] { return nn::cross_entropy(logits(), m.y); });
  const std::vector<double> gm = materialize(g.as_operator());
  const std::vector<double> hm = h.full();
  ASSERT_EQ(gm.size(), hm.size());
  for (size_t i = 0; i < gm.size(); ++i) EXPECT_NEAR(gm[i], hm[i], 1e-12) << i;
}

TEST(GaussNewton, EqualsJacobianTransposeOutputHessianJacobianForAnMlp) {
  TinyMlp m(3);
  const std::vector<Tensor> params = m.params();
  const GaussNewtonOperator g(params, [&] { return m.logits(); });
  // Reference: J = ∂z/∂θ from the full Jacobian of θ ↦ z (θ flat), then Σ_i J_iᵀ H_i J_i.
  const Vector theta = flatten(params);
  auto z_of = [&](const Tensor& flat) {
    std::vector<Tensor> pieces;
    int64_t offset = 0;
    for (const Tensor& p : params) {
      pieces.push_back(reshape(slice(flat, 0, offset, offset + p.numel()), p.shape()));
      offset += p.numel();
    }
    return linear(tanh(linear(m.x, pieces[0], pieces[1])), pieces[2], pieces[3]);
  };
  const Jacobian j = jacobian(z_of, from_vector(theta, Shape{38}, DType::Float64));
  ASSERT_EQ(j.rows, 12 * 3);
  const std::vector<double> p = softmax(m.logits().detach(), 1).to_vector<double>();
  const int64_t n = 38;
  std::vector<double> ref(static_cast<size_t>(n * n), 0.0);
  for (int64_t s = 0; s < 12; ++s) {
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t d = 0; d < 3; ++d) {
        const double hcd = ((c == d ? p[s * 3 + c] : 0.0) - p[s * 3 + c] * p[s * 3 + d]) / 12.0;
        for (int64_t a = 0; a < n; ++a) {
          for (int64_t bb = 0; bb < n; ++bb) {
            ref[a * n + bb] += j.values[(s * 3 + c) * n + a] * hcd * j.values[(s * 3 + d) * n + bb];
          }
        }
      }
    }
  }
  const std::vector<double> gm = materialize(g.as_operator());
  for (size_t i = 0; i < gm.size(); ++i) EXPECT_NEAR(gm[i], ref[i], 1e-12) << i;
  // G is positive semidefinite (unlike the Hessian of this model).
  EXPECT_GT(symmetric_eigen(gm, n).values[0], -1e-12);
}

TEST(GaussNewton, BadInputsAreClearErrors) {
  TinyMlp m;
  EXPECT_THROW(GaussNewtonOperator({}, [&] { return m.logits(); }), ValueError);
  EXPECT_THROW(GaussNewtonOperator(m.params(), [&] { return m.loss(); }), ShapeError);
  const GaussNewtonOperator g(m.params(), [&] { return m.logits(); });
  EXPECT_THROW(g.apply(Vector(5, 0.0)), ValueError);
}

}  // namespace
}  // namespace descent::analysis
