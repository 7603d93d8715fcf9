// Layers against PyTorch 1.13: tests/data/nn/layers.json, made by tools/make_nn_fixtures.py,
// holds inputs, outputs and gradients of sum(g·output) for a fixed g, all float64.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using json = nlohmann::json;
using nn_test::expect_close;

const json& layer_fixtures() {
  static const json data = [] {
    const std::string path = std::string(DESCENT_TEST_DATA_DIR) + "/nn/layers.json";
    std::ifstream in(path);
    if (!in) throw IOError("cannot open " + path);
    return json::parse(in);
  }();
  return data;
}

const json& fixture(const std::string& name) {
  return layer_fixtures().at("cases").at(name);
}

Tensor decode(const json& j, bool requires_grad = false) {
  const std::vector<int64_t> shape = j.at("shape").get<std::vector<int64_t>>();
  const std::vector<double> data = j.at("data").get<std::vector<double>>();
  Tensor t = from_vector(data, Shape(shape), DType::Float64);
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

// Output and the gradients of ⟨g, output⟩ with respect to each input, against the fixture.
void expect_matches(const json& c, const Tensor& out, const std::vector<Tensor>& inputs,
                    const std::vector<std::string>& grad_keys, double tol,
                    const std::string& what) {
  expect_close(out, decode(c.at("output")), tol, tol, what + " output");
  const std::vector<Tensor> grads =
      grad({out}, inputs, {.grad_outputs = {decode(c.at("grad_output"))}});
  for (size_t i = 0; i < inputs.size(); ++i)
    expect_close(grads[i], decode(c.at(grad_keys[i])), tol, tol, what + " " + grad_keys[i]);
}

TEST(NnFixtures, BatchNormTrainingForwardBackwardAndRunningStats) {
  for (const char* name : {"batch_norm_train_2d", "batch_norm_train_3d"}) {
    const json& c = fixture(name);
    const Tensor x = decode(c.at("input"), true);
    BatchNorm1d bn(x.size(1), {.dtype = DType::Float64});
    bn.load_state_dict({{"weight", decode(c.at("weight"))},
                        {"bias", decode(c.at("bias"))},
                        {"running_mean", zeros({x.size(1)}, DType::Float64)},
                        {"running_var", ones({x.size(1)}, DType::Float64)},
                        {"num_batches_tracked", zeros({}, DType::Int64)}});
    expect_matches(c, bn(x), {x, bn.weight, bn.bias}, {"grad_input", "grad_weight", "grad_bias"},
                   1e-12, name);
    expect_close(bn.running_mean, decode(c.at("running_mean")), 1e-14, 1e-14, name);
    expect_close(bn.running_var, decode(c.at("running_var")), 1e-14, 1e-14, name);
  }
}

TEST(NnFixtures, BatchNormRunningStatisticsOverSeveralBatches) {
  for (const char* name : {"batch_norm_running_momentum", "batch_norm_running_cumulative"}) {
    const json& c = fixture(name);
    std::optional<double> momentum;
    if (!c.at("momentum").is_null()) momentum = c.at("momentum").get<double>();
    BatchNorm1d bn(2, {.momentum = momentum, .dtype = DType::Float64});
    for (size_t k = 0; k < c.at("batches").size(); ++k) {
      bn(decode(c.at("batches")[k]));
      const json& step = c.at("steps")[k];
      expect_close(bn.running_mean, decode(step.at("running_mean")), 1e-14, 1e-14, name);
      expect_close(bn.running_var, decode(step.at("running_var")), 1e-14, 1e-14, name);
      EXPECT_EQ(bn.num_batches_tracked.item(), step.at("num_batches_tracked").get<double>());
    }
    bn.eval();
    expect_close(bn(decode(c.at("eval_input"))), decode(c.at("eval_output")), 1e-13, 1e-13, name);
  }
  const json& c = fixture("batch_norm_untracked_eval");
  BatchNorm1d bn(3, {.affine = false, .track_running_stats = false, .dtype = DType::Float64});
  bn.eval();
  expect_close(bn(decode(c.at("input"))), decode(c.at("output")), 1e-13, 1e-13, "untracked");
}

TEST(NnFixtures, LayerNorm) {
  for (const char* name : {"layer_norm_last", "layer_norm_two_dims"}) {
    const json& c = fixture(name);
    const std::vector<int64_t> ns = c.at("normalized_shape").get<std::vector<int64_t>>();
    LayerNorm ln(Shape(ns), {.dtype = DType::Float64});
    ln.load_state_dict({{"weight", decode(c.at("weight"))}, {"bias", decode(c.at("bias"))}});
    const Tensor x = decode(c.at("input"), true);
    expect_matches(c, ln(x), {x, ln.weight, ln.bias}, {"grad_input", "grad_weight", "grad_bias"},
                   1e-12, name);
  }
}

TEST(NnFixtures, GeluExactAndTanh) {
  for (GeluApproximate a : {GeluApproximate::None, GeluApproximate::Tanh}) {
    const std::string name = a == GeluApproximate::None ? "gelu_none" : "gelu_tanh";
    const json& c = fixture(name);
    const Tensor x = decode(c.at("input"), true);
    expect_matches(c, gelu(x, a), {x}, {"grad_input"}, 1e-14, name);
  }
}

TEST(NnFixtures, Softplus) {
  for (const char* name :
       {"softplus_beta1_threshold20", "softplus_beta2_threshold5", "softplus_beta0.5_threshold1"}) {
    const json& c = fixture(name);
    const Tensor x = decode(c.at("input"), true);
    const Tensor y = softplus(x, c.at("beta").get<double>(), c.at("threshold").get<double>());
    expect_matches(c, y, {x}, {"grad_input"}, 1e-14, name);
  }
}

TEST(NnFixtures, Linear) {
  const json& c = fixture("linear");
  const Tensor x = decode(c.at("input"), true), w = decode(c.at("weight"), true),
               b = decode(c.at("bias"), true);
  expect_matches(c, linear(x, w, b), {x, w, b}, {"grad_input", "grad_weight", "grad_bias"}, 1e-13,
                 "linear");
}

}  // namespace
}  // namespace descent::nn
