#pragma once
// StateDict: the named tensors of a module (parameters and buffers), in registration order,
// as PyTorch's OrderedDict. Module::state_dict() fills one; Module::load_state_dict() reads one.
//
// The tensors a module puts here are detached *views* of its parameters and buffers (as
// PyTorch's state_dict() without keep_vars): they share storage, so training the module changes
// them. Call clone() for a snapshot that later steps cannot touch (a "best so far" checkpoint).
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::nn {

class StateDict {
 public:
  using Entry = std::pair<std::string, Tensor>;

  StateDict() = default;
  StateDict(std::initializer_list<Entry> entries);

  // Appends a key; a key that is already present is a ValueError.
  void insert(std::string key, Tensor value);
  // Replaces the value of an existing key, or appends a new one.
  void set(const std::string& key, Tensor value);
  // Removes a key; returns whether it was present.
  bool erase(std::string_view key);

  bool contains(std::string_view key) const { return index_.count(std::string(key)) > 0; }
  // The value of a key; a missing key is a ValueError naming it.
  const Tensor& at(std::string_view key) const;
  // The value of a key, or nullptr.
  const Tensor* find(std::string_view key) const;

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<std::string> keys() const;
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

  // A deep copy: every tensor cloned into fresh storage, detached.
  StateDict clone() const;

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;  // key -> position in entries_
};

}  // namespace descent::nn
