// Parity with torch.optim (1.13): every optimizer, with several option sets, on the Rosenbrock
// function and on a small tanh MLP, in float64, against trajectories recorded by
// tools/make_optim_fixtures.py (tests/data/optim/trajectories.json). The optimizer is built
// from the same spec string the fixture names, so the spec parser is exercised too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "descent/descent.h"
#include "descent/optim/spec.h"

namespace descent::optim {
namespace {

using nlohmann::json;

const json& fixtures() {
  static const json data = [] {
    std::ifstream in(std::string(DESCENT_TEST_DATA_DIR) + "/optim/trajectories.json");
    if (!in) throw std::runtime_error("missing tests/data/optim/trajectories.json");
    return json::parse(in);
  }();
  return data;
}

Tensor matrix(const json& rows) {
  std::vector<double> v;
  for (const json& r : rows)
    for (const json& x : r) v.push_back(x.get<double>());
  return from_vector(v,
                     Shape{static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())},
                     DType::Float64);
}

Tensor vector_of(const json& xs) {
  std::vector<double> v = xs.get<std::vector<double>>();
  return from_vector(v, Shape{static_cast<int64_t>(v.size())}, DType::Float64);
}

struct Problem {
  std::vector<Tensor> params;
  std::function<Tensor()> loss;
};

Problem make_problem(const std::string& name) {
  const json& data = fixtures()["problems"][name];
  Problem pb;
  if (name == "rosenbrock") {
    Tensor p = vector_of(data["start"]);
    p.set_requires_grad();
    pb.params = {p};
    pb.loss = [p] {
      Tensor x = select(p, 0, 0), y = select(p, 0, 1);
      return pow(1.0 - x, 2.0) + 100.0 * pow(y - x * x, 2.0);
    };
  } else {
    Tensor W1 = matrix(data["W1"]), b1 = vector_of(data["b1"]);
    Tensor W2 = matrix(data["W2"]), b2 = vector_of(data["b2"]);
    for (Tensor* t : {&W1, &b1, &W2, &b2}) t->set_requires_grad();
    Tensor X = matrix(data["X"]), Y = matrix(data["Y"]);
    pb.params = {W1, b1, W2, b2};
    pb.loss = [=] {
      Tensor h = tanh(matmul(X, transpose(W1, 0, 1)) + b1);
      return mean(pow(matmul(h, transpose(W2, 0, 1)) + b2 - Y, 2.0));
    };
  }
  return pb;
}

TEST(OptimParity, MatchesTorchTrajectories) {
  const json& data = fixtures();
  const int64_t steps = data["steps"].get<int64_t>();
  ASSERT_GE(data["cases"].size(), 30u);
  for (const json& c : data["cases"]) {
    const std::string spec = c["spec"].get<std::string>();
    SCOPED_TRACE(c["problem"].get<std::string>() + " " + spec);
    Problem pb = make_problem(c["problem"].get<std::string>());
    std::unique_ptr<Optimizer> opt = make_optimizer(spec, pb.params);
    size_t next = 0;
    const json& traj = c["trajectory"];
    double worst = 0.0;
    for (int64_t step = 0; step <= steps; ++step) {
      if (step > 0) {
        opt->zero_grad();
        pb.loss().backward();
        opt->step();
      }
      if (next < traj.size() && traj[next]["step"].get<int64_t>() == step) {
        const json& want = traj[next]["params"];
        for (size_t i = 0; i < pb.params.size(); ++i) {
          const std::vector<double> got = pb.params[i].to_vector<double>();
          const std::vector<double> ref = want[i].get<std::vector<double>>();
          ASSERT_EQ(got.size(), ref.size());
          for (size_t k = 0; k < got.size(); ++k) {
            const double err = std::abs(got[k] - ref[k]);
            worst = std::max(worst, err / (1e-10 * std::abs(ref[k]) + 1e-12));
            ASSERT_LE(err, 1e-10 * std::abs(ref[k]) + 1e-12)
                << "step " << step << " param " << i << "[" << k << "]: got " << got[k]
                << ", torch " << ref[k];
          }
        }
        ++next;
      }
    }
    EXPECT_EQ(next, traj.size());
    // DESCENT_PARITY_VERBOSE=1 prints how close each case comes to the tolerance.
    if (std::getenv("DESCENT_PARITY_VERBOSE"))
      std::printf("%-70s worst err/tolerance %.3g\n", spec.c_str(), worst);
  }
}

}  // namespace
}  // namespace descent::optim
