// Loss functions against PyTorch 1.13 (values and input gradients from
// tests/data/nn/losses.json, made by tools/make_loss_fixtures.py), and gradcheck /
// gradgradcheck of every case in float64.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "descent/descent.h"
#include "descent/nn/losses.h"

namespace descent::nn {
namespace {

using nlohmann::json;

Tensor decode_tensor(const json& j) {
  const Shape shape(j.at("shape").get<std::vector<int64_t>>());
  if (j.at("dtype") == "int64") {
    const auto v = j.at("data").get<std::vector<int64_t>>();
    return from_vector(std::span<const int64_t>(v), shape);
  }
  const auto v = j.at("data").get<std::vector<double>>();
  return from_vector(std::span<const double>(v), shape, DType::Float64);
}

Tensor optional_tensor(const json& c, const char* key) {
  return c.contains(key) ? decode_tensor(c.at(key)) : Tensor();
}

Reduction reduction_of(const json& o) {
  const std::string r = o.value("reduction", "mean");
  if (r == "none") return Reduction::None;
  if (r == "sum") return Reduction::Sum;
  return Reduction::Mean;
}

std::optional<int64_t> ignore_of(const json& o) {
  if (!o.contains("ignore_index")) return std::nullopt;
  return o.at("ignore_index").get<int64_t>();
}

HingeVariant variant_of(const std::string& v) {
  if (v == "one_vs_all") return HingeVariant::OneVsAll;
  if (v == "crammer_singer") return HingeVariant::CrammerSinger;
  return HingeVariant::WestonWatkins;
}

// Runs the case's loss on (input, target) with its options.
Tensor run_case(const json& c, const Tensor& input, const Tensor& target) {
  const std::string loss = c.at("loss");
  const json& o = c.at("options");
  const Reduction r = reduction_of(o);
  const Tensor weight = optional_tensor(c, "weight");
  if (loss == "cross_entropy")
    return cross_entropy(input, target,
                         {.reduction = r,
                          .label_smoothing = o.value("label_smoothing", 0.0),
                          .weight = weight,
                          .ignore_index = ignore_of(o)});
  if (loss == "nll_loss")
    return nll_loss(input, target,
                    {.reduction = r, .weight = weight, .ignore_index = ignore_of(o)});
  if (loss == "binary_cross_entropy_with_logits")
    return binary_cross_entropy_with_logits(
        input, target,
        {.reduction = r, .weight = weight, .pos_weight = optional_tensor(c, "pos_weight")});
  if (loss == "mse_loss") return mse_loss(input, target, {.reduction = r});
  if (loss == "l1_loss") return l1_loss(input, target, {.reduction = r});
  if (loss == "huber_loss")
    return huber_loss(input, target, {.reduction = r, .delta = o.at("delta")});
  if (loss == "multiclass_hinge_loss")
    return multiclass_hinge_loss(input, target,
                                 {.variant = variant_of(o.at("variant")),
                                  .margin = o.at("margin"),
                                  .squared = o.at("squared"),
                                  .reduction = r});
  if (loss == "cosine_loss")
    return cosine_loss(input, target, {.reduction = r, .eps = o.at("eps")});
  ADD_FAILURE() << "unknown loss " << loss;
  return Tensor();
}

const json& loss_fixtures() {
  static const json data = [] {
    const std::string path = std::string(DESCENT_TEST_DATA_DIR) + "/nn/losses.json";
    std::ifstream in(path);
    if (!in) throw IOError("cannot open " + path);
    return json::parse(in);
  }();
  return data;
}

void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const std::vector<double> g = got.to_vector<double>();
  const std::vector<double> w = want.to_vector<double>();
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(g[i], w[i], 1e-10 * (1 + std::abs(w[i]))) << what << " entry " << i;
}

TEST(LossReference, MatchesPyTorchValuesAndGradients) {
  const json& cases = loss_fixtures().at("cases");
  ASSERT_GE(cases.size(), 80u);
  for (const json& c : cases) {
    const std::string name = c.at("name");
    Tensor input = decode_tensor(c.at("input")).set_requires_grad(true);
    const Tensor out = run_case(c, input, decode_tensor(c.at("target")));
    expect_close(out, decode_tensor(c.at("output")), name + " value");
    const Tensor g = grad(sum(out), input);
    expect_close(g, decode_tensor(c.at("grad_input")), name + " grad");
  }
}

// First and second derivatives of every fixture case, by central differences.
TEST(LossReference, GradcheckAndGradgradcheckEveryCase) {
  for (const json& c : loss_fixtures().at("cases")) {
    const std::string name = c.at("name");
    const Tensor target = decode_tensor(c.at("target"));
    Tensor input = decode_tensor(c.at("input")).set_requires_grad(true);
    const DifferentiableFn fn = [&](const std::vector<Tensor>& in) {
      return run_case(c, in[0], target);
    };
    const GradcheckResult first = gradcheck(fn, {input});
    EXPECT_TRUE(first.ok) << name << ": " << first.message;
    const GradcheckResult second = gradgradcheck(fn, {input});
    EXPECT_TRUE(second.ok) << name << ": " << second.message;
  }
}

// Losses whose target is differentiable too: checked with respect to both arguments.
TEST(LossReference, GradcheckWithRespectToTargets) {
  Generator gen(7);
  const auto leaf = [&](const Shape& s) {
    return randn(s, gen, DType::Float64).set_requires_grad(true);
  };
  struct Case {
    const char* name;
    std::function<Tensor(const Tensor&, const Tensor&)> fn;
    Tensor a, b;
  };
  Tensor probs = softmax(randn({3, 4}, gen, DType::Float64), 1).detach().set_requires_grad(true);
  Tensor bce_t = sigmoid(randn({3, 4}, gen, DType::Float64)).detach().set_requires_grad(true);
  const std::vector<Case> cases = {
      {"mse", [](auto& a, auto& b) { return mse_loss(a, b); }, leaf({3, 4}), leaf({3, 4})},
      {"l1", [](auto& a, auto& b) { return l1_loss(a, b); }, leaf({3, 4}), leaf({3, 4})},
      {"huber", [](auto& a, auto& b) { return huber_loss(a, b, {.delta = 0.7}); }, leaf({3, 4}),
       leaf({3, 4})},
      {"cosine", [](auto& a, auto& b) { return cosine_loss(a, b); }, leaf({3, 4}), leaf({3, 4})},
      {"ce_probs", [](auto& a, auto& b) { return cross_entropy(a, b, {.label_smoothing = 0.1}); },
       leaf({3, 4}), probs},
      {"bce", [](auto& a, auto& b) { return binary_cross_entropy_with_logits(a, b); }, leaf({3, 4}),
       bce_t},
  };
  for (const Case& c : cases) {
    const DifferentiableFn fn = [&](const std::vector<Tensor>& in) { return c.fn(in[0], in[1]); };
    const GradcheckResult first = gradcheck(fn, {c.a, c.b});
    EXPECT_TRUE(first.ok) << c.name << ": " << first.message;
    const GradcheckResult second = gradgradcheck(fn, {c.a, c.b});
    EXPECT_TRUE(second.ok) << c.name << ": " << second.message;
  }
}

}  // namespace
}  // namespace descent::nn
