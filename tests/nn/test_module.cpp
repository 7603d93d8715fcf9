// Module: registration, dotted names, modes, gradients, apply, repr; Sequential.
#include <gtest/gtest.h>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::message_of;

// A small model with its own parameter and buffer besides two children.
struct TwoLayer : Module {
  Tensor scale;
  Tensor steps;
  std::shared_ptr<Linear> fc1, fc2;
  explicit TwoLayer(Generator& gen)
      : scale(register_parameter("scale", ones({1}))),
        steps(register_buffer("steps", zeros({}, DType::Int64))),
        fc1(register_module("fc1", std::make_shared<Linear>(2, 3, true, gen))),
        fc2(register_module("fc2", std::make_shared<Linear>(3, 1, false, gen))) {}
  Tensor forward(const Tensor& x) override { return (*fc2)(relu((*fc1)(x))) * scale; }
  std::string type_name() const override { return "TwoLayer"; }
};

std::vector<std::string> names(const std::vector<std::pair<std::string, Tensor>>& named) {
  std::vector<std::string> out;
  for (const auto& entry : named) out.push_back(entry.first);
  return out;
}

TEST(NnModule, NamedParametersAreDottedOwnFirstThenChildren) {
  Generator gen(1);
  TwoLayer m(gen);
  EXPECT_EQ(names(m.named_parameters()),
            (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight"}));
  EXPECT_EQ(names(m.named_buffers()), (std::vector<std::string>{"steps"}));
  EXPECT_EQ(m.parameters().size(), 4u);
  EXPECT_EQ(m.children().size(), 2u);
  EXPECT_EQ(m.named_children()[1].first, "fc2");
  // The registry and the members are the same tensors.
  EXPECT_TRUE(m.named_parameters()[1].second.impl() == m.fc1->weight.impl());
}

TEST(NnModule, ParametersRequireGradBuffersDoNot) {
  Generator gen(1);
  TwoLayer m(gen);
  for (const Tensor& p : m.parameters()) {
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
  }
  for (const Tensor& b : m.buffers()) EXPECT_FALSE(b.requires_grad());
}

struct Registrar : Module {
  using Module::register_buffer;
  using Module::register_module;
  using Module::register_parameter;
  std::string type_name() const override { return "Registrar"; }
};

TEST(NnModule, RegistrationErrorsNameTheModuleAndTheName) {
  Registrar m;
  m.register_parameter("w", zeros({2}));
  EXPECT_NE(message_of<ValueError>([&] { m.register_buffer("w", zeros({2})); }).find("'w'"),
            std::string::npos);
  EXPECT_NE(message_of<ValueError>([&] { m.register_parameter("a.b", zeros({2})); }).find("'.'"),
            std::string::npos);
  message_of<ValueError>([&] { m.register_parameter("", zeros({2})); });
  message_of<ValueError>([&] { m.register_parameter("u", Tensor()); });
  message_of<ValueError>([&] { m.register_module("c", std::shared_ptr<Module>()); });
  message_of<DTypeError>([&] { m.register_parameter("i", zeros({2}, DType::Int64)); });
  Tensor leaf = ones({2}).set_requires_grad(true);
  const std::string msg =
      message_of<ValueError>([&] { m.register_parameter("derived", mul(leaf, 2.0)); });
  EXPECT_NE(msg.find("Registrar.register_parameter"), std::string::npos) << msg;
  EXPECT_NE(msg.find("leaf"), std::string::npos) << msg;
}

TEST(NnModule, SharedParametersAppearOnceButEveryStateKeyIsKept) {
  Generator gen(2);
  auto shared = std::make_shared<Linear>(2, 2, true, gen);
  Sequential net(shared, std::make_shared<Tanh>(), shared);
  EXPECT_EQ(names(net.named_parameters()), (std::vector<std::string>{"0.weight", "0.bias"}));
  EXPECT_EQ(net.state_dict().keys(),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
}

TEST(NnModule, TrainAndEvalReachEverySubmodule) {
  Generator gen(3);
  Sequential net(Linear(2, 2, true, gen), Sequential(Dropout(0.5, gen), BatchNorm1d(2)));
  EXPECT_TRUE(net.is_training());
  net.eval();
  EXPECT_FALSE(net.is_training());
  auto inner = net.at<Sequential>(1);
  EXPECT_FALSE(inner->is_training());
  EXPECT_FALSE(inner->at<Dropout>(0)->is_training());
  EXPECT_FALSE(inner->at<BatchNorm1d>(1)->is_training());
  net.train();
  EXPECT_TRUE(inner->at<BatchNorm1d>(1)->is_training());
}

TEST(NnModule, ZeroGradResetsEveryGradient) {
  Generator gen(4);
  TwoLayer m(gen);
  sum(m(ones({5, 2}))).backward();
  for (const Tensor& p : m.parameters()) EXPECT_TRUE(p.grad().defined());
  m.zero_grad();
  for (const Tensor& p : m.parameters()) EXPECT_FALSE(p.grad().defined());
  // The next backward writes fresh gradients (not added to stale ones).
  sum(m(ones({5, 2}))).backward();
  const Tensor g1 = clone(m.scale.grad());
  m.zero_grad();
  sum(m(ones({5, 2}))).backward();
  EXPECT_EQ(nn_test::values(m.scale.grad()), nn_test::values(g1));
}

TEST(NnModule, BaseForwardThrowsNamingTheModule) {
  Registrar m;
  const std::string msg = message_of<Error>([&] { m(ones({1})); });
  EXPECT_NE(msg.find("Registrar"), std::string::npos) << msg;
}

TEST(NnModule, ApplyVisitsChildrenBeforeTheirParent) {
  Generator gen(5);
  Sequential net(Linear(2, 2, true, gen), ReLU(), Sequential(Tanh()));
  std::vector<std::string> order;
  net.apply([&](Module& m) { order.push_back(m.type_name()); });
  EXPECT_EQ(order,
            (std::vector<std::string>{"Linear", "ReLU", "Tanh", "Sequential", "Sequential"}));
  // The usual use: re-initialize every Linear.
  net.apply([&](Module& m) {
    if (auto* lin = dynamic_cast<Linear*>(&m)) zeros_(lin->weight);
  });
  EXPECT_EQ(nn_test::values(net.at<Linear>(0)->weight), std::vector<double>(4, 0.0));
}

TEST(NnModule, ReprFollowsPyTorchsLayout) {
  Generator gen(6);
  Sequential net(Linear(2, 3, true, gen), LeakyReLU(0.2), Dropout(0.25, gen),
                 BatchNorm1d(3, {.momentum = std::nullopt}), LayerNorm({3}),
                 GELU(GeluApproximate::None), Softplus(2.0, 10.0), Identity(), Sigmoid());
  EXPECT_EQ(net.repr(),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
            "  (1): LeakyReLU(negative_slope=0.2)\n"
            "  (2): Dropout(p=0.25)\n"
            "  (3): BatchNorm1d(3, eps=1e-05, momentum=None, affine=True, "
            "track_running_stats=True)\n"
            "  (4): LayerNorm((3,), eps=1e-05, elementwise_affine=True)\n"
            "  (5): GELU(approximate='none')\n"
            "  (6): Softplus(beta=2.0, threshold=10.0)\n"
            "  (7): Identity()\n"
            "  (8): Sigmoid()\n"
            ")");
}

// --- Sequential ---

TEST(NnSequential, ChildrenAreNamedByPositionAsInPyTorch) {
  Generator gen(7);
  Sequential net(Linear(2, 3, true, gen), ReLU(), Linear(3, 1, true, gen));
  EXPECT_EQ(net.size(), 3u);
  EXPECT_EQ(names(net.named_parameters()),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  net.push_back(std::make_shared<Sigmoid>());
  net.push_back(Tanh());
  EXPECT_EQ(net.named_children()[4].first, "4");
  EXPECT_EQ(net[3]->type_name(), "Sigmoid");
  EXPECT_EQ(net.at<Linear>(2)->in_features, 3);
}

TEST(NnSequential, IndexingErrors) {
  Sequential net{ReLU(), Tanh()};
  message_of<IndexError>([&] { net[2]; });
  const std::string msg = message_of<ValueError>([&] { net.at<Linear>(1); });
  EXPECT_NE(msg.find("Tanh"), std::string::npos) << msg;
}

TEST(NnSequential, ForwardComposesInOrder) {
  Generator gen(8);
  Sequential net(Linear(2, 4, true, gen), Tanh(), Linear(4, 3, true, gen));
  const Tensor x = randn({5, 2}, gen);
  auto l0 = net.at<Linear>(0), l2 = net.at<Linear>(2);
  const Tensor want = add(matmul(tanh(add(matmul(x, transpose(l0->weight, 0, 1)), l0->bias)),
                                 transpose(l2->weight, 0, 1)),
                          l2->bias);
  nn_test::expect_close(net(x), want, 1e-6);
  Sequential empty;
  EXPECT_TRUE(empty(x).impl() == x.impl());
}

}  // namespace
}  // namespace descent::nn
