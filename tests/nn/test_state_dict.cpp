// state_dict / load_state_dict: round trips, views vs clones, and every error path, each
// verifying that a failed load leaves the module untouched.
#include <gtest/gtest.h>

#include "descent/nn.h"
#include "nn_test_util.h"

namespace descent::nn {
namespace {

using nn_test::message_of;
using nn_test::values;

std::shared_ptr<Sequential> make_net(uint64_t seed) {
  Generator gen(seed);
  return std::make_shared<Sequential>(Linear(3, 4, true, gen), BatchNorm1d(4), ReLU(),
                                      Linear(4, 2, true, gen));
}

// Every value of the module's state, for before/after comparisons.
std::vector<std::vector<double>> snapshot(const Module& m) {
  std::vector<std::vector<double>> out;
  for (const auto& entry : m.state_dict()) out.push_back(values(entry.second));
  return out;
}

TEST(NnStateDict, KeysFollowPyTorchsOrder) {
  auto net = make_net(1);
  EXPECT_EQ(
      net->state_dict().keys(),
      (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                "1.running_var", "1.num_batches_tracked", "3.weight", "3.bias"}));
  EXPECT_EQ(net->state_dict().at("1.num_batches_tracked").dtype(), DType::Int64);
}

TEST(NnStateDict, RoundTripMakesTwoModelsAgree) {
  auto a = make_net(1), b = make_net(2);
  {
    NoGradGuard no_grad;
    a->at<BatchNorm1d>(1)->running_mean.fill_(0.5);  // buffers travel too
  }
  Generator gen(3);
  const Tensor x = randn({6, 3}, gen);
  a->eval();
  b->eval();
  EXPECT_NE(values((*a)(x)), values((*b)(x)));
  const LoadResult r = b->load_state_dict(a->state_dict());
  EXPECT_TRUE(r.missing_keys.empty());
  EXPECT_TRUE(r.unexpected_keys.empty());
  EXPECT_EQ(snapshot(*a), snapshot(*b));
  EXPECT_EQ(values((*a)(x)), values((*b)(x)));
  // Loading copies values: the two models do not share storage afterwards.
  EXPECT_FALSE(a->at<Linear>(0)->weight.shares_storage(b->at<Linear>(0)->weight));
  // Parameters stay leaves that require gradients.
  for (const Tensor& p : b->parameters()) EXPECT_TRUE(p.requires_grad() && p.is_leaf());
}

TEST(NnStateDict, ValuesAreDetachedViewsAndCloneIsASnapshot) {
  auto net = make_net(1);
  const StateDict views = net->state_dict();
  const StateDict frozen = views.clone();
  EXPECT_FALSE(views.at("0.weight").requires_grad());
  {
    NoGradGuard no_grad;
    net->at<Linear>(0)->weight.fill_(7.0);
  }
  EXPECT_EQ(values(views.at("0.weight")), std::vector<double>(12, 7.0));
  EXPECT_NE(values(frozen.at("0.weight")), std::vector<double>(12, 7.0));
  net->load_state_dict(frozen);
  EXPECT_EQ(values(net->at<Linear>(0)->weight), values(frozen.at("0.weight")));
}

TEST(NnStateDict, WrongShapeIsAShapeErrorAndLoadsNothing) {
  auto net = make_net(1);
  StateDict state = make_net(2)->state_dict();
  state.set("3.weight", zeros({2, 5}));
  const auto before = snapshot(*net);
  const std::string msg = message_of<ShapeError>([&] { net->load_state_dict(state); });
  EXPECT_NE(msg.find("'3.weight'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 5]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2, 4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Sequential"), std::string::npos) << msg;
  // The other keys were valid, and the mismatching one is the last: still nothing was written.
  EXPECT_EQ(snapshot(*net), before);
  // Not even without strict.
  message_of<ShapeError>([&] { net->load_state_dict(state, false); });
  EXPECT_EQ(snapshot(*net), before);
}

TEST(NnStateDict, UnexpectedKeyIsAValueErrorListingIt) {
  auto net = make_net(1);
  StateDict state = make_net(2)->state_dict();
  state.insert("4.weight", zeros({1}));
  state.insert("extra", zeros({1}));
  const auto before = snapshot(*net);
  const std::string msg = message_of<ValueError>([&] { net->load_state_dict(state); });
  EXPECT_NE(msg.find("unexpected key(s) in state dict: '4.weight', 'extra'"), std::string::npos)
      << msg;
  EXPECT_EQ(snapshot(*net), before);
}

TEST(NnStateDict, MissingKeyIsAValueErrorListingIt) {
  auto net = make_net(1);
  StateDict state = make_net(2)->state_dict();
  state.erase("1.running_var");
  state.erase("0.bias");
  const auto before = snapshot(*net);
  const std::string msg = message_of<ValueError>([&] { net->load_state_dict(state); });
  EXPECT_NE(msg.find("missing key(s) in state dict: '0.bias', '1.running_var'"), std::string::npos)
      << msg;
  EXPECT_EQ(snapshot(*net), before);
}

TEST(NnStateDict, NonStrictLoadsTheMatchingKeysAndReportsTheRest) {
  auto net = make_net(1);
  auto source = make_net(2);
  StateDict state = source->state_dict();
  state.erase("3.bias");
  state.insert("head.weight", zeros({1}));
  const std::vector<double> old_bias = values(net->at<Linear>(3)->bias);
  const LoadResult r = net->load_state_dict(state, false);
  EXPECT_EQ(r.missing_keys, (std::vector<std::string>{"3.bias"}));
  EXPECT_EQ(r.unexpected_keys, (std::vector<std::string>{"head.weight"}));
  EXPECT_EQ(values(net->at<Linear>(3)->weight), values(source->at<Linear>(3)->weight));
  EXPECT_EQ(values(net->at<Linear>(3)->bias), old_bias);
}

TEST(NnStateDict, DTypeMismatchIsADTypeError) {
  auto net = make_net(1);
  StateDict state = make_net(2)->state_dict();
  state.set("0.bias", to(state.at("0.bias"), DType::Float64));
  const auto before = snapshot(*net);
  const std::string msg = message_of<DTypeError>([&] { net->load_state_dict(state); });
  EXPECT_NE(msg.find("'0.bias'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("float64"), std::string::npos) << msg;
  EXPECT_EQ(snapshot(*net), before);
}

TEST(NnStateDict, UndefinedValueIsAValueError) {
  auto net = make_net(1);
  StateDict state = make_net(2)->state_dict();
  state.set("0.weight", Tensor());
  const auto before = snapshot(*net);
  message_of<ValueError>([&] { net->load_state_dict(state); });
  EXPECT_EQ(snapshot(*net), before);
}

TEST(NnStateDict, LoadingItsOwnViewsWithKeysSwappedReadsTheOldValues) {
  Generator gen(9);
  Sequential net(Linear(2, 2, true, gen), Linear(2, 2, true, gen));
  const std::vector<double> w0 = values(net.at<Linear>(0)->weight);
  const std::vector<double> w1 = values(net.at<Linear>(1)->weight);
  StateDict state = net.state_dict();  // views of net's own storage
  const Tensor first = state.at("0.weight");
  state.set("0.weight", state.at("1.weight"));
  state.set("1.weight", first);
  net.load_state_dict(state);
  EXPECT_EQ(values(net.at<Linear>(0)->weight), w1);
  EXPECT_EQ(values(net.at<Linear>(1)->weight), w0);
}

TEST(NnStateDict, ContainerBasics) {
  StateDict s{{"b", ones({1})}, {"a", zeros({2})}};
  EXPECT_EQ(s.keys(), (std::vector<std::string>{"b", "a"}));  // insertion order, not sorted
  EXPECT_TRUE(s.contains("a"));
  EXPECT_EQ(s.find("zz"), nullptr);
  message_of<ValueError>([&] { s.insert("a", ones({1})); });
  EXPECT_NE(message_of<ValueError>([&] { s.at("zz"); }).find("'zz'"), std::string::npos);
  EXPECT_TRUE(s.erase("b"));
  EXPECT_FALSE(s.erase("b"));
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.at("a").shape(), (Shape{2}));
}

}  // namespace
}  // namespace descent::nn
