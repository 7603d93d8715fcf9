// The autograd engine: the lecture's gate patterns, accumulation, graph lifetime, exact
// higher derivatives and the errors for misuse.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "descent/autograd/node.h"
#include "descent/descent.h"

namespace descent {
namespace {

Tensor scalar(double v) {
  return scalar_tensor(v, DType::Float64).set_requires_grad(true);
}

// --- the four backprop patterns of the lecture ---

TEST(Gates, AddDistributesTheGradient) {
  Tensor x = scalar(2), y = scalar(-3);
  Tensor z = mul(add(x, y), 5.0);  // upstream gradient 5 reaches the add gate
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 5.0);
  EXPECT_DOUBLE_EQ(y.grad().item(), 5.0);
}

TEST(Gates, MulSwapsTheMultipliers) {
  Tensor x = scalar(2), y = scalar(-3);
  Tensor z = mul(x, y);
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), -3.0);
  EXPECT_DOUBLE_EQ(y.grad().item(), 2.0);
}

// An operand of a lower dtype is converted differentiably: its gradient comes back in its own
// dtype, the other operand (used as it is) gets the converted values.
TEST(Gates, MixedDtypeOperandsGetGradientsInTheirOwnDtype) {
  Tensor x = tensor({1.5, -2.0}, {2}).set_requires_grad(true);  // float32
  Tensor y =
      from_vector(std::vector<double>{3.0, 0.25}, {2}, DType::Float64).set_requires_grad(true);
  Tensor z = mul(x, y);
  EXPECT_EQ(z.dtype(), DType::Float64);
  sum(z).backward();
  ASSERT_EQ(x.grad().dtype(), DType::Float32);
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3.0, 0.25}));
  ASSERT_EQ(y.grad().dtype(), DType::Float64);
  EXPECT_EQ(y.grad().to_vector<double>(), (std::vector<double>{1.5, -2.0}));
}

// A shape mismatch is reported once, by the op the caller used.
TEST(Gates, ShapeMismatchNamesTheOp) {
  for (const auto& [name, op] :
       std::vector<std::pair<std::string, Tensor (*)(const Tensor&, const Tensor&)>>{
           {"mul", mul}, {"maximum", maximum}, {"lt", lt}}) {
    try {
      op(zeros({2, 3}).set_requires_grad(true), zeros({2}));
      ADD_FAILURE() << name << " accepted shapes [2, 3] and [2]";
    } catch (const ShapeError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(name + ":", 0), 0u) << e.what();
    }
  }
}

// Axes a reduction keeps for its rule survive the forward pass (they live outside the node).
TEST(Gates, ReductionKeepsItsAxesForBackward) {
  Tensor x = ones({2, 3, 4}, DType::Float64).set_requires_grad(true);
  Tensor w = from_vector(std::vector<double>{1, 2, 3}, {3}, DType::Float64);
  sum(mul(sum(x, {0, 2}), w)).backward();
  ASSERT_EQ(x.grad().shape(), (Shape{2, 3, 4}));
  EXPECT_DOUBLE_EQ(x.grad().at({1, 2, 3}), 3.0);
  EXPECT_DOUBLE_EQ(x.grad().at({0, 1, 0}), 2.0);
}

TEST(Gates, CopyAddsTheGradients) {
  Tensor x = scalar(3);
  // x fans out to two branches: d/dx (2x + x²) = 2 + 2x = 8
  Tensor z = add(mul(x, 2.0), mul(x, x));
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 8.0);
}

TEST(Gates, MaxRoutesToTheWinner) {
  Tensor x = scalar(4), y = scalar(1);
  Tensor z = mul(maximum(x, y), 2.0);
  z.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 2.0);
  EXPECT_DOUBLE_EQ(y.grad().item(), 0.0);
}

TEST(Gates, MaxTieSplitsEvenly) {
  Tensor x = scalar(1), y = scalar(1);
  maximum(x, y).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 0.5);
  EXPECT_DOUBLE_EQ(y.grad().item(), 0.5);
  Tensor v = tensor({1, 3, 3, 2}, DType::Float64).set_requires_grad(true);
  max(v).backward();
  EXPECT_EQ(v.grad().to_vector<double>(), (std::vector<double>{0, 0.5, 0.5, 0}));
}

TEST(Gates, ReductionMaxRoutesToWinnerPerRow) {
  Tensor v = tensor({1, 5, 2, 7, 0, 3}, {2, 3}, DType::Float64).set_requires_grad(true);
  sum(max(v, {1})).backward();
  EXPECT_EQ(v.grad().to_vector<double>(), (std::vector<double>{0, 1, 0, 1, 0, 0}));
}

// --- accumulation, detach, no-grad ---

TEST(Engine, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = scalar(2);
  mul(x, x).backward();
  mul(x, x).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 8.0);
  x.grad().zero_();
  mul(x, 3.0).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 3.0);
}

TEST(Engine, SharedGradientIsNotAliasedBetweenLeaves) {
  Tensor a = scalar(1), b = scalar(2);
  add(a, b).backward();  // the add rule hands the same gradient to both
  a.grad().mul_(10.0);
  EXPECT_DOUBLE_EQ(b.grad().item(), 1.0);
}

TEST(Engine, DetachStopsGradients) {
  Tensor x = scalar(3);
  Tensor y = add(mul(x, x), mul(x.detach(), 10.0));
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 6.0);
  EXPECT_FALSE(x.detach().requires_grad());
  EXPECT_TRUE(x.detach().shares_storage(x));
}

TEST(Engine, NoGradGuardRecordsNothing) {
  Tensor x = scalar(3);
  Tensor y;
  {
    NoGradGuard guard;
    y = mul(x, x);
    EXPECT_FALSE(GradMode::is_enabled());
  }
  EXPECT_TRUE(GradMode::is_enabled());
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_THROW(y.backward(), AutogradError);
}

TEST(Engine, GradDoesNotTouchLeafGrad) {
  Tensor x = scalar(3);
  Tensor g = grad(mul(x, x), x);
  EXPECT_DOUBLE_EQ(g.item(), 6.0);
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(g.requires_grad());
}

TEST(Engine, GradWithRespectToIntermediate) {
  Tensor x = scalar(2);
  Tensor h = mul(x, 3.0);
  Tensor y = mul(h, h);
  auto gs = grad({y}, {h, x});
  EXPECT_DOUBLE_EQ(gs[0].item(), 12.0);  // 2h
  EXPECT_DOUBLE_EQ(gs[1].item(), 36.0);  // 2h·3
}

TEST(Engine, BroadcastGradientsAreSummedBack) {
  Tensor w = tensor({1, 2, 3}, DType::Float64).set_requires_grad(true);
  Tensor x = ones({4, 3}, DType::Float64);
  sum(mul(x, w)).backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{4, 4, 4}));
}

TEST(Engine, GradOutputsWeightTheOutputs) {
  Tensor x = tensor({1, 2}, DType::Float64).set_requires_grad(true);
  Tensor y = mul(x, x);
  Tensor g = grad({y}, {x}, {.grad_outputs = {tensor({1, 10}, DType::Float64)}});
  EXPECT_EQ(g.to_vector<double>(), (std::vector<double>{2, 40}));
}

// --- misuse is a clear error ---

TEST(EngineErrors, BackwardTwiceWithoutRetainGraph) {
  Tensor x = scalar(2);
  Tensor y = exp(mul(x, x));
  y.backward();
  try {
    y.backward();
    FAIL() << "second backward did not throw";
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find("retain_graph"), std::string::npos) << e.what();
  }
}

TEST(EngineErrors, RetainGraphAllowsASecondBackward) {
  Tensor x = scalar(2);
  Tensor y = exp(mul(x, x));
  y.backward({}, true);
  y.backward();
  EXPECT_NEAR(x.grad().item(), 2 * 4 * std::exp(4.0), 1e-9);
}

TEST(EngineErrors, NonScalarWithoutGradOutputs) {
  Tensor x = tensor({1, 2}, DType::Float64).set_requires_grad(true);
  try {
    mul(x, 2.0).backward();
    FAIL();
  } catch (const AutogradError& e) {
    EXPECT_NE(std::string(e.what()).find("[2]"), std::string::npos) << e.what();
  }
}

TEST(EngineErrors, GradOutputShapeMismatch) {
  Tensor x = tensor({1, 2}, DType::Float64).set_requires_grad(true);
  EXPECT_THROW(grad({mul(x, 2.0)}, {x}, {.grad_outputs = {ones({3}, DType::Float64)}}), ShapeError);
}

TEST(EngineErrors, UnusedInput) {
  Tensor x = scalar(1), unused = scalar(2);
  EXPECT_THROW(grad({mul(x, 2.0)}, {x, unused}), AutogradError);
  auto gs = grad({mul(x, 2.0)}, {x, unused}, {.allow_unused = true});
  EXPECT_TRUE(gs[0].defined());
  EXPECT_FALSE(gs[1].defined());
}

TEST(EngineErrors, InputNotRequiringGrad) {
  Tensor x = scalar(1);
  Tensor c = scalar_tensor(2.0, DType::Float64);
  EXPECT_THROW(grad(mul(x, c), c), AutogradError);
}

TEST(EngineErrors, InPlaceChangeOfSavedTensor) {
  Tensor x = scalar(2);
  Tensor h = mul(x, 1.0);
  Tensor y = exp(h);  // saves its output
  {
    NoGradGuard ng;
    y.add_(scalar_tensor(1.0, DType::Float64));
  }
  EXPECT_THROW(y.backward(), AutogradError);
}

TEST(EngineErrors, InPlaceOnLeafRequiringGradNeedsNoGrad) {
  Tensor x = scalar(2);
  EXPECT_THROW(x.mul_(2.0), AutogradError);
  NoGradGuard ng;
  x.mul_(2.0);
  EXPECT_DOUBLE_EQ(x.item(), 4.0);
}

TEST(EngineErrors, IntegerTensorsCannotRequireGrad) {
  Tensor i = arange(3);
  EXPECT_THROW(i.set_requires_grad(true), DTypeError);
}

// --- graph lifetime ---

TEST(Engine, SavedTensorsAreFreedAfterBackward) {
  Tensor x = scalar(2);
  Tensor y = exp(x);
  std::weak_ptr<autograd::Node> node = y.grad_fn();
  ASSERT_EQ(y.grad_fn()->saved.size(), 1u);
  y.backward();
  EXPECT_EQ(y.grad_fn()->saved.size(), 0u);
  EXPECT_TRUE(y.grad_fn()->released);
  y = Tensor();
  EXPECT_TRUE(node.expired());  // the graph goes away with its last tensor
}

TEST(Engine, MillionOpChainBackpropagates) {
  Tensor x = scalar(1.0);
  Tensor y = x;
  constexpr int kOps = 1000000;
  for (int i = 0; i < kOps; ++i) y = add(y, 1e-6);
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 1.0);
  EXPECT_NEAR(y.item(), 2.0, 1e-6);
  y = Tensor();  // destroying the chain must not recurse a million frames either
}

TEST(Engine, MillionOpChainIsFreedWithoutBackward) {
  Tensor x = scalar(0.5);
  Tensor y = x;
  for (int i = 0; i < 1000000; ++i) y = mul(y, 1.0);
  y = Tensor();
  SUCCEED();
}

// --- exact higher-order derivatives ---

TEST(HigherOrder, ThirdDerivativeOfXToTheFourth) {
  Tensor x = scalar(1.5);
  Tensor y = pow(x, 4.0);
  Tensor d1 = grad(y, x, {.create_graph = true});
  Tensor d2 = grad(d1, x, {.create_graph = true});
  Tensor d3 = grad(d2, x, {.create_graph = true});
  Tensor d4 = grad(d3, x, {.create_graph = true});
  EXPECT_DOUBLE_EQ(d1.item(), 4 * std::pow(1.5, 3));
  EXPECT_DOUBLE_EQ(d2.item(), 12 * 1.5 * 1.5);
  EXPECT_DOUBLE_EQ(d3.item(), 24 * 1.5);
  EXPECT_DOUBLE_EQ(d4.item(), 24.0);
}

TEST(HigherOrder, ThirdDerivativeThroughProducts) {
  Tensor x = scalar(-0.7);
  Tensor y = mul(mul(x, x), mul(x, x));  // x⁴ built from mul gates
  Tensor d3 = grad(grad(grad(y, x, {.create_graph = true}), x, {.create_graph = true}), x);
  EXPECT_DOUBLE_EQ(d3.item(), 24 * -0.7);
}

TEST(HigherOrder, HessianVectorProductOfQuadraticIsExactlyAv) {
  // L = ½ xᵀAx with symmetric A: ∇L = Ax, and H·v = A·v exactly.
  Generator g(3);
  Tensor m = randn({5, 5}, g, DType::Float64);
  Tensor a = mul(add(m, transpose(m, 0, 1)), 0.5);
  Tensor x = randn({5}, g, DType::Float64).set_requires_grad(true);
  Tensor v = randn({5}, g, DType::Float64);
  Tensor loss = mul(sum(mul(x, matmul(a, x))), 0.5);
  Tensor gx = grad(loss, x, {.create_graph = true});
  Tensor hv = grad({gx}, {x}, {.grad_outputs = {v}});
  const auto got = hv.to_vector<double>();
  const auto want = matmul(a, v).to_vector<double>();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
  // The first derivative is Ax too.
  const auto ax = matmul(a, x.detach()).to_vector<double>();
  const auto gxv = gx.to_vector<double>();
  for (size_t i = 0; i < ax.size(); ++i) EXPECT_NEAR(gxv[i], ax[i], 1e-12);
}

TEST(HigherOrder, TanhNetworkHessianMatchesFiniteDifferencesOfGradient) {
  // L(θ) for a 2-3-1 tanh network, θ = (W1, W2) flattened; Hessian by double backward vs
  // central differences of the autograd gradient.
  Generator g(11);
  const Tensor x = randn({4, 2}, g, DType::Float64);
  const Tensor t = randn({4, 1}, g, DType::Float64);
  Tensor theta = mul(randn({9}, g, DType::Float64), 0.7).set_requires_grad(true);
  auto loss_of = [&](const Tensor& th) {
    const Tensor w1 = reshape(slice(th, 0, 0, 6), {2, 3});
    const Tensor w2 = reshape(slice(th, 0, 6, 9), {3, 1});
    const Tensor out = matmul(tanh(matmul(x, w1)), w2);
    return mean(pow(sub(out, t), 2.0));
  };
  auto gradient_at = [&](const Tensor& th) {
    Tensor p = th.detach();
    p = clone(p).set_requires_grad(true);
    return grad(loss_of(p), p).to_vector<double>();
  };
  Tensor gth = grad(loss_of(theta), theta, {.create_graph = true});
  const double eps = 1e-6;
  for (int64_t i = 0; i < 9; ++i) {
    Tensor e = zeros({9}, DType::Float64);
    static_cast<double*>(e.raw_data())[i] = 1.0;
    const auto row =
        grad({gth}, {theta}, {.grad_outputs = {e}, .retain_graph = true}).to_vector<double>();
    const auto gp = gradient_at(add(theta.detach(), mul(e, eps)));
    const auto gm = gradient_at(sub(theta.detach(), mul(e, eps)));
    for (int64_t j = 0; j < 9; ++j)
      EXPECT_NEAR(row[static_cast<size_t>(j)],
                  (gp[static_cast<size_t>(j)] - gm[static_cast<size_t>(j)]) / (2 * eps), 1e-6)
          << "H[" << i << "][" << j << "]";
  }
}

TEST(HigherOrder, FusedAndCompositeBackwardAgree) {
  // First-order rules use fused kernels without create_graph and composites with it.
  Generator g(5);
  for (auto f :
       {+[](const Tensor& z) { return tanh(z); }, +[](const Tensor& z) { return sigmoid(z); },
        +[](const Tensor& z) { return relu(z); },
        +[](const Tensor& z) { return log_softmax(z, 1); }}) {
    Tensor x = randn({3, 4}, g, DType::Float64).set_requires_grad(true);
    Tensor w = randn({3, 4}, g, DType::Float64);
    const auto fused = grad(sum(mul(f(x), w)), x).to_vector<double>();
    const auto composite = grad(sum(mul(f(x), w)), x, {.create_graph = true}).to_vector<double>();
    for (size_t i = 0; i < fused.size(); ++i) EXPECT_NEAR(fused[i], composite[i], 1e-14);
  }
}

TEST(HigherOrder, LossRulesAgreeBitForBitWithTheirComposites) {
  // A whole-tensor mean and gather have first-order rules of their own (a filled tensor, a
  // scatter onto zeros); in float32, where rounding shows, they equal the composites exactly.
  Generator g(6);
  const Tensor labels = from_vector(std::vector<int64_t>{2, 0, 2, 1, 1}, {5, 1});
  const auto losses = std::vector<std::function<Tensor(const Tensor&)>>{
      [](const Tensor& z) { return mean(z); },
      [](const Tensor& z) {
        return mul(mean(z, {0, 1}, true), 3.0);
      },
      [](const Tensor& z) { return sum(mean(z, {0})); },  // not one value: the composite
      [&](const Tensor& z) { return mean(neg(gather(mul(z, z), 1, labels))); }};
  for (const auto& loss : losses) {
    Tensor x = randn({5, 3}, g, DType::Float32).set_requires_grad(true);
    const auto fused = grad(loss(x), x).to_vector<double>();
    const auto composite = grad(loss(x), x, {.create_graph = true}).to_vector<double>();
    EXPECT_EQ(fused, composite);
  }
  Tensor x = randn({3, 7}, g, DType::Float32).set_requires_grad(true);
  for (double v : grad(mean(x), x).to_vector<double>())
    EXPECT_EQ(v, static_cast<double>(1.0f * static_cast<float>(1.0 / 21)));
}

TEST(Engine, MatmulFirstOrderRuleMatchesCompositeAndClosedForm) {
  // Without create_graph, matmul's rule runs the kernel on transposed views; with it, the
  // recorded composite. Both must give dA = G·Bᵀ and dB = Aᵀ·G (G = W for L = Σ W ⊙ (A·B)),
  // also when A is itself a transposed (non-contiguous) view.
  Generator g(11);
  const Tensor a_base = randn({4, 3}, g, DType::Float64).set_requires_grad(true);
  const Tensor b = randn({4, 5}, g, DType::Float64).set_requires_grad(true);
  const Tensor w = randn({3, 5}, g, DType::Float64);
  const auto loss = [&] { return sum(mul(matmul(transpose(a_base, 0, 1), b), w)); };
  const auto fused = grad(std::vector<Tensor>{loss()}, {a_base, b});
  const auto composite = grad(std::vector<Tensor>{loss()}, {a_base, b}, {.create_graph = true});
  for (int which = 0; which < 2; ++which) {
    const auto f = fused[which].to_vector<double>(), c = composite[which].to_vector<double>();
    ASSERT_EQ(f.size(), c.size());
    for (size_t i = 0; i < f.size(); ++i) EXPECT_NEAR(f[i], c[i], 1e-14);
  }
  // Closed form, with A = a_baseᵀ: d a_base[k, i] = dA[i, k] = Σ_j W[i, j] B[k, j] and
  // dB[k, j] = Σ_i A[i, k] W[i, j] = Σ_i a_base[k, i] W[i, j].
  for (int64_t k = 0; k < 4; ++k)
    for (int64_t i = 0; i < 3; ++i) {
      double want = 0;
      for (int64_t j = 0; j < 5; ++j) want += w.at({i, j}) * b.at({k, j});
      EXPECT_NEAR(fused[0].at({k, i}), want, 1e-12);
    }
  for (int64_t k = 0; k < 4; ++k)
    for (int64_t j = 0; j < 5; ++j) {
      double want = 0;
      for (int64_t i = 0; i < 3; ++i) want += a_base.at({k, i}) * w.at({i, j});
      EXPECT_NEAR(fused[1].at({k, j}), want, 1e-12);
    }
}

TEST(Engine, LinearFirstOrderRuleMatchesComposite) {
  // linear's first-order rule on a matrix input calls the product kernel with transpose
  // flags; with create_graph it records the composite. Same products, same numbers, for a
  // contiguous input and a transposed view, with and without bias.
  Generator g(12);
  const Tensor x_plain = randn({6, 4}, g, DType::Float32).set_requires_grad(true);
  const Tensor x_base = randn({4, 6}, g, DType::Float32).set_requires_grad(true);
  const Tensor w = randn({3, 4}, g, DType::Float32).set_requires_grad(true);
  const Tensor b = randn({3}, g, DType::Float32).set_requires_grad(true);
  const Tensor weights = randn({6, 3}, g, DType::Float32);
  for (bool view : {false, true})
    for (bool bias : {false, true}) {
      const Tensor& leaf = view ? x_base : x_plain;
      std::vector<Tensor> inputs{leaf, w};
      if (bias) inputs.push_back(b);
      const auto loss = [&] {
        const Tensor x = view ? transpose(x_base, 0, 1) : x_plain;
        return sum(mul(linear(x, w, bias ? b : Tensor()), weights));
      };
      const auto fused = grad(std::vector<Tensor>{loss()}, inputs);
      const auto composite = grad(std::vector<Tensor>{loss()}, inputs, {.create_graph = true});
      for (size_t i = 0; i < inputs.size(); ++i)
        EXPECT_EQ(fused[i].to_vector<double>(), composite[i].to_vector<double>())
            << "input " << i << (view ? ", transposed x" : "") << (bias ? ", bias" : "");
    }
}

}  // namespace
}  // namespace descent
