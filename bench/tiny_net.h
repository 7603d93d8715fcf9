#pragma once
// The tiny_step network, built from raw ops: 2 -> 16 -> 16 -> 3 with tanh, batch 32, mean
// cross-entropy, and a hand-written SGD-momentum update. tools/bench_torch.py builds the same
// network from the same numbers (det_values), so the two sides' losses can be compared.
#include <cmath>
#include <cstdint>
#include <vector>

#include "descent/descent.h"

namespace descent::bench {

// scale · sin(0.37 i + salt), i = 0..n-1 (same doubles as Python's math.sin: both use glibc).
inline Tensor det_tensor(const Shape& shape, double salt, double scale) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = scale * std::sin(0.37 * static_cast<double>(i) + salt);
  return from_vector(v, shape, DType::Float32);
}

class TinyNet {
 public:
  static constexpr int64_t kBatch = 32;
  static constexpr double kLr = 0.1;
  static constexpr double kMomentum = 0.9;

  TinyNet() {
    const int64_t sizes[3][2] = {{2, 16}, {16, 16}, {16, 3}};
    for (int layer = 0; layer < 3; ++layer) {
      const int64_t fan_in = sizes[layer][0], fan_out = sizes[layer][1];
      Tensor w = det_tensor({fan_in, fan_out}, 1.0 + layer, 1.0 / std::sqrt(double(fan_in)));
      Tensor b = det_tensor({fan_out}, 10.0 + layer, 0.1);
      params_.push_back(w.set_requires_grad());
      params_.push_back(b.set_requires_grad());
    }
    for (const Tensor& p : params_) velocity_.push_back(zeros_like(p));
    x_ = det_tensor({kBatch, 2}, 20.0, 1.0);
    std::vector<int64_t> labels(kBatch);
    for (int64_t i = 0; i < kBatch; ++i) labels[static_cast<size_t>(i)] = (7 * i) % 3;
    y_ = from_vector(labels, {kBatch});
  }

  // The forward pass: the mean cross-entropy of the batch.
  Tensor loss() const {
    const Tensor &w1 = params_[0], &b1 = params_[1], &w2 = params_[2], &b2 = params_[3],
                 &w3 = params_[4], &b3 = params_[5];
    Tensor h1 = tanh(matmul(x_, w1) + b1);
    Tensor h2 = tanh(matmul(h1, w2) + b2);
    Tensor h3 = matmul(h2, w3) + b3;
    return -mean(gather(log_softmax(h3, 1), 1, reshape(y_, {kBatch, 1})));
  }

  // v ← μ·v + g;  p ← p − lr·v;  g ← 0   (PyTorch's SGD momentum without dampening).
  void update() {
    NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      Tensor g = params_[i].grad();
      velocity_[i].mul_(kMomentum).add_(g);
      params_[i].add_(velocity_[i], -kLr);
      g.zero_();
    }
  }

  // One training step; returns the loss (before the update).
  Tensor step() {
    Tensor l = loss();
    l.backward();
    update();
    return l;
  }

 private:
  std::vector<Tensor> params_;
  std::vector<Tensor> velocity_;
  Tensor x_, y_;
};

}  // namespace descent::bench
