// Hessian-vector products, full Hessians and Jacobians against finite differences and each
// other; Lanczos on a real model's Hessian against its full eigendecomposition.
#include <gtest/gtest.h>

#include <cmath>

#include "curvature_test_util.h"
#include "descent/analysis/hessian.h"
#include "descent/analysis/jacobian.h"
#include "descent/analysis/lanczos.h"
#include "descent/analysis/param_vector.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/autograd/engine.h"
#include "descent/core/error.h"
#include "descent/nn/activations.h"
#include "descent/nn/linear.h"
#include "descent/nn/sequential.h"

namespace descent::analysis {
namespace {

using testing::TinyMlp;

// ∇L at the model's current parameters, flat.
Vector gradient_at(const TinyMlp& m) {
  const std::vector<Tensor> params = m.params();
  return flatten(grad(std::vector<Tensor>{m.loss()}, params), params);
}

TEST(Hessian, ProductMatchesCentralDifferencesOfGradients) {
  TinyMlp m(3);
  const std::vector<Tensor> params = m.params();
  const HessianOperator h(params, [&] { return m.loss(); });
  EXPECT_EQ(h.dim(), 38);
  Generator gen(9);
  const Vector v = gaussian(h.dim(), gen);
  const Vector hv = h.apply(v);
  // (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, error O(ε²).
  const double eps = 1e-5;
  std::vector<Tensor> saved;
  for (const Tensor& p : params) saved.push_back(clone(p.detach()));
  auto shift = [&](double t) {
    const std::vector<Tensor> dv = unflatten(v, params);
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].detach().copy_(saved[i]);
      params[i].detach().add_(dv[i], t);
    }
  };
  shift(eps);
  const Vector gp = gradient_at(m);
  shift(-eps);
  const Vector gm = gradient_at(m);
  shift(0.0);
  for (size_t i = 0; i < hv.size(); ++i) {
    EXPECT_NEAR(hv[i], (gp[i] - gm[i]) / (2 * eps), 1e-7 * (1 + std::abs(hv[i]))) << i;
  }
  EXPECT_EQ(h.matvecs(), 1);
}

TEST(Hessian, ProductsAreColumnsOfTheFullHessianAndItIsSymmetric) {
  TinyMlp m(4);
  const HessianOperator h(m.params(), [&] { return m.loss(); });
  const std::vector<double> full = h.full();
  const std::vector<double> dense = materialize(h.as_operator());
  const int64_t n = h.dim();
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      EXPECT_NEAR(dense[i * n + j], full[i * n + j], 1e-12);
      EXPECT_NEAR(dense[i * n + j], dense[j * n + i], 1e-12);
    }
  }
  EXPECT_NEAR(h.loss(), m.loss().item(), 1e-15);
}

TEST(Hessian, BlockOperatorIsTheDiagonalBlock) {
  TinyMlp m(5);
  const std::vector<double> full = full_hessian(m.params(), [&] { return m.loss(); });
  const HessianOperator block({m.w2, m.b2}, [&] { return m.loss(); });
  ASSERT_EQ(block.dim(), 18);
  const std::vector<double> sub = materialize(block.as_operator());
  const int64_t n = 38, offset = 20;  // w1 (15) and b1 (5) come first
  for (int64_t i = 0; i < 18; ++i) {
    for (int64_t j = 0; j < 18; ++j) {
      EXPECT_NEAR(sub[i * 18 + j], full[(offset + i) * n + offset + j], 1e-12);
    }
  }
}

TEST(Hessian, LanczosExtremesMatchTheFullEigendecomposition) {
  TinyMlp m(6);
  const HessianOperator h(m.params(), [&] { return m.loss(); });
  const SymmetricEigen exact = symmetric_eigen(h.full(), h.dim());
  const ExtremeEigenpairs e = extreme_eigenpairs(h.as_operator(), 4, 3, {.steps = 38, .seed = 2});
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(e.top.values[i], exact.values[37 - i], 1e-8) << i;
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(e.bottom.values[i], exact.values[i], 1e-8) << i;
  EXPECT_LT(exact.values[0], 0.0);  // a random network is not at a minimum: a real test of sign
}

TEST(Hessian, Float32ModelsWorkThroughTheTensorPath) {
  Generator gen(1);
  nn::Sequential net(nn::Linear(4, 6, true, gen), nn::Tanh(), nn::Linear(6, 3, true, gen));
  const Tensor x = from_vector(gaussian(20, gen), Shape{5, 4}, DType::Float32);
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 1, 0}, Shape{5});
  const HessianOperator h(net.parameters(), [&] { return nn::cross_entropy(net(x), y); });
  const std::vector<Tensor> ones_v = {ones({6, 4}), ones({6}), ones({3, 6}), ones({3})};
  const std::vector<Tensor> hv = h.apply(ones_v);
  ASSERT_EQ(hv.size(), 4u);
  EXPECT_EQ(hv[0].dtype(), DType::Float32);
  EXPECT_EQ(hv[2].shape(), (Shape{3, 6}));
  const Vector flat = h.apply(Vector(static_cast<size_t>(h.dim()), 1.0));
  const Vector from_tensors = flatten(hv);
  for (size_t i = 0; i < flat.size(); ++i) EXPECT_NEAR(flat[i], from_tensors[i], 1e-6);
}

TEST(Hessian, ParameterBlocksGroupByOwningModule) {
  Generator gen(1);
  nn::Sequential net(nn::Linear(4, 6, true, gen), nn::ReLU(), nn::Linear(6, 3, false, gen));
  const std::vector<ParameterBlock> blocks = parameter_blocks(net);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].name, "0");
  EXPECT_EQ(blocks[0].parameter_names, (std::vector<std::string>{"0.weight", "0.bias"}));
  EXPECT_EQ(blocks[1].name, "2");
  EXPECT_EQ(blocks[1].params.size(), 1u);
}

TEST(Hessian, BadInputsAreClearErrors) {
  TinyMlp m;
  EXPECT_THROW(HessianOperator({}, [&] { return m.loss(); }), ValueError);
  EXPECT_THROW(HessianOperator({m.x}, [&] { return m.loss(); }), ValueError);  // no grad
  EXPECT_THROW(HessianOperator(m.params(), [&] { return m.logits(); }), ValueError);
  const HessianOperator h(m.params(), [&] { return m.loss(); });
  EXPECT_THROW(h.apply(Vector(3, 1.0)), ValueError);
  EXPECT_THROW(h.apply(std::vector<Tensor>{ones({2})}), ValueError);
  EXPECT_THROW(h.apply(std::vector<Tensor>{ones({2}), ones({5}), ones({3, 5}), ones({3})}),
               ShapeError);
}

TEST(Jacobian, MatchesCentralDifferences) {
  // f(x) = [x0·x1, sin-free mix, x2²·x0, tanh(x1)]
  auto f = [](const Tensor& x) {
    const Tensor a = select(x, 0, 0), b = select(x, 0, 1), c = select(x, 0, 2);
    return stack({a * b, a + 2.0 * c, c * c * a, tanh(b)});
  };
  const Tensor x = tensor({0.3, -1.2, 0.7}, DType::Float64);
  const Jacobian j = jacobian(f, x);
  ASSERT_EQ(j.rows, 4);
  ASSERT_EQ(j.cols, 3);
  const double eps = 1e-6;
  for (int64_t c = 0; c < 3; ++c) {
    std::vector<double> plus = x.to_vector<double>(), minus = plus;
    plus[c] += eps;
    minus[c] -= eps;
    const auto fp = f(from_vector(plus, Shape{3}, DType::Float64)).to_vector<double>();
    const auto fm = f(from_vector(minus, Shape{3}, DType::Float64)).to_vector<double>();
    for (int64_t r = 0; r < 4; ++r) {
      EXPECT_NEAR(j.values[r * 3 + c], (fp[r] - fm[r]) / (2 * eps), 1e-8) << r << "," << c;
    }
  }
  // A constant function has a zero Jacobian.
  const Jacobian zero = jacobian([](const Tensor&) { return ones({2}, DType::Float64); }, x);
  EXPECT_EQ(zero.values, std::vector<double>(6, 0.0));
}

}  // namespace
}  // namespace descent::analysis
