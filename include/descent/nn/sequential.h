#pragma once
// Sequential: modules applied one after another, as torch.nn.Sequential. Its children are named
// "0", "1", ... so parameter names read "0.weight", "2.bias", as in PyTorch.
//
//   auto net = nn::Sequential(nn::Linear(2, 16, true, gen), nn::ReLU(), nn::Linear(16, 1, true,
//   gen)); auto net2 = std::make_shared<nn::Sequential>();
//   net2->push_back(std::make_shared<nn::Tanh>());
//
// The constructor accepts shared pointers (the module is shared, not copied) and module values
// (moved into a new shared pointer).
#include <concepts>
#include <memory>
#include <type_traits>

#include "descent/nn/module.h"

namespace descent::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  template <typename... Ms>
  requires(sizeof...(Ms) > 0) explicit Sequential(Ms&&... modules) {
    (push_back(as_shared(std::forward<Ms>(modules))), ...);
  }

  // Appends a module under the name str(size()).
  void push_back(std::shared_ptr<Module> module);
  template <typename M>
  requires std::derived_from<std::remove_cvref_t<M>, Module>
  void push_back(M&& module) {
    push_back(std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module)));
  }

  size_t size() const { return named_children().size(); }
  bool empty() const { return size() == 0; }
  // The i-th module; IndexError when out of range.
  std::shared_ptr<Module> operator[](size_t i) const;
  // The i-th module as its concrete type; ValueError when it is not an M.
  template <typename M>
  std::shared_ptr<M> at(size_t i) const {
    auto m = std::dynamic_pointer_cast<M>((*this)[i]);
    if (!m) throw_wrong_type(i);
    return m;
  }

  // x ↦ m_{n-1}(… m_1(m_0(x))); the identity when empty.
  Tensor forward(const Tensor& input) override;
  std::string type_name() const override { return "Sequential"; }

 private:
  [[noreturn]] void throw_wrong_type(size_t i) const;
  template <typename M>
  static std::shared_ptr<Module> as_shared(M&& m) {
    using Raw = std::remove_cvref_t<M>;
    if constexpr (std::derived_from<Raw, Module>) {
      return std::make_shared<Raw>(std::forward<M>(m));
    } else {
      return std::shared_ptr<Module>(std::forward<M>(m));  // a shared_ptr to some module
    }
  }
};

}  // namespace descent::nn
