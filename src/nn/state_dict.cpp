#include "descent/nn/state_dict.h"

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"

namespace descent::nn {

StateDict::StateDict(std::initializer_list<Entry> entries) {
  for (const Entry& e : entries) insert(e.first, e.second);
}

void StateDict::insert(std::string key, Tensor value) {
  if (index_.count(key)) throw ValueError("StateDict: duplicate key '" + key + "'");
  index_.emplace(key, entries_.size());
  entries_.emplace_back(std::move(key), std::move(value));
}

void StateDict::set(const std::string& key, Tensor value) {
  auto it = index_.find(key);
  if (it == index_.end()) return insert(key, std::move(value));
  entries_[it->second].second = std::move(value);
}

bool StateDict::erase(std::string_view key) {
  auto it = index_.find(std::string(key));
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  return true;
}

const Tensor* StateDict::find(std::string_view key) const {
  auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

const Tensor& StateDict::at(std::string_view key) const {
  const Tensor* t = find(key);
  if (!t) throw ValueError("StateDict: no key '" + std::string(key) + "'");
  return *t;
}

std::vector<std::string> StateDict::keys() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.first);
  return out;
}

StateDict StateDict::clone() const {
  NoGradGuard no_grad;
  StateDict out;
  for (const Entry& e : entries_)
    out.insert(e.first, e.second.defined() ? descent::clone(e.second.detach()) : Tensor());
  return out;
}

}  // namespace descent::nn
