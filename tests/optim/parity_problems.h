#pragma once
// The two problems of the PyTorch parity fixtures (tools/make_optim_fixtures.py): Rosenbrock
// from a stored start and a 4-5-3 tanh MLP with stored weights and batch, MSE loss. Shared by
// the parity tests of every optimizer.
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "descent/descent.h"

namespace descent::optim::parity {

// A fixture file under tests/data, parsed.
inline nlohmann::json load_fixture(const std::string& relative) {
  std::ifstream in(std::string(DESCENT_TEST_DATA_DIR) + "/" + relative);
  if (!in) throw std::runtime_error("missing tests/data/" + relative);
  return nlohmann::json::parse(in);
}

inline Tensor matrix(const nlohmann::json& rows) {
  std::vector<double> v;
  for (const nlohmann::json& r : rows)
    for (const nlohmann::json& x : r) v.push_back(x.get<double>());
  return from_vector(v,
                     Shape{static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())},
                     DType::Float64);
}

inline Tensor vector_of(const nlohmann::json& xs) {
  std::vector<double> v = xs.get<std::vector<double>>();
  return from_vector(v, Shape{static_cast<int64_t>(v.size())}, DType::Float64);
}

struct ParityProblem {
  std::vector<Tensor> params;
  std::function<Tensor()> loss;  // with its graph; no backward
};

// `data` is fixtures["problems"][name].
inline ParityProblem make_parity_problem(const std::string& name, const nlohmann::json& data) {
  ParityProblem pb;
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

// max over elements of |got − ref| / (rel·|ref| + abs), i.e. ≤ 1 within tolerance.
inline double worst_ratio(const std::vector<Tensor>& params, const nlohmann::json& want,
                          double rel = 1e-10, double abs = 1e-12) {
  double worst = 0.0;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::vector<double> got = params[i].to_vector<double>();
    const std::vector<double> ref = want.at(i).get<std::vector<double>>();
    if (got.size() != ref.size()) return INFINITY;
    for (size_t k = 0; k < got.size(); ++k) {
      worst = std::max(worst, std::abs(got[k] - ref[k]) / (rel * std::abs(ref[k]) + abs));
    }
  }
  return worst;
}

}  // namespace descent::optim::parity
