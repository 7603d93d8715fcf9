#pragma once
// Helpers shared by the optimizer tests.
#include <functional>
#include <initializer_list>
#include <string>

#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::optim::optim_test {

// A leaf parameter holding `values`, with requires_grad set.
inline Tensor param(std::initializer_list<double> values, DType dtype = DType::Float64) {
  Tensor p = tensor(values, dtype);
  p.set_requires_grad();
  return p;
}

// The message of the E that f throws, or "no error" (an exception of another type escapes).
template <typename E = Error>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace descent::optim::optim_test
