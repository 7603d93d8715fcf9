#include "descent/nn/sequential.h"

#include <string>

#include "descent/core/error.h"

namespace descent::nn {

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(size()), std::move(module));
}

std::shared_ptr<Module> Sequential::operator[](size_t i) const {
  if (i >= size())
    throw IndexError("Sequential: index " + std::to_string(i) + " is out of range for " +
                     std::to_string(size()) + " modules");
  return named_children()[i].second;
}

void Sequential::throw_wrong_type(size_t i) const {
  throw ValueError("Sequential::at: module " + std::to_string(i) + " is a " +
                   (*this)[i]->type_name() + ", not the requested type");
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& entry : named_children()) x = (*entry.second)(x);
  return x;
}

}  // namespace descent::nn
