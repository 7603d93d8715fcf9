#pragma once
// Dropout(p): inverted dropout while training (see nn::dropout in nn/functional.h), the identity
// in evaluation mode.
//
// The module keeps a reference to the Generator it was given (default: the process-wide
// default_generator()), so one seeded generator can drive a whole run reproducibly. That
// generator must outlive the module; set_generator() points it elsewhere.
#include "descent/core/rng.h"
#include "descent/nn/module.h"

namespace descent::nn {

class Dropout : public Module {
 public:
  // p in [0, 1] (ValueError otherwise).
  explicit Dropout(double p = 0.5, Generator& gen = default_generator());

  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;

  double p() const { return p_; }
  Generator& generator() const { return *gen_; }
  void set_generator(Generator& gen) { gen_ = &gen; }

 private:
  double p_;
  Generator* gen_;
};

}  // namespace descent::nn
