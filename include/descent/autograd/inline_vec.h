#pragma once
// InlineVec<T, N>: a vector that keeps its first N elements inline. Graph nodes have at most
// three inputs except concatenation, so edges and gradients rarely touch the heap.
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace descent {

template <typename T, size_t N>
class InlineVec {
 public:
  InlineVec() = default;
  InlineVec(std::initializer_list<T> values) {
    for (const T& v : values) push_back(v);
  }

  void push_back(T v) {
    if (size_ < N)
      inline_[size_] = std::move(v);
    else
      rest_.push_back(std::move(v));
    ++size_;
  }
  // Appends a default-valued element and returns it, to be filled in place (no temporary).
  T& emplace_back() {
    if (size_ < N) return inline_[size_++];
    ++size_;
    return rest_.emplace_back();
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return i < N ? inline_[i] : rest_[i - N]; }
  const T& operator[](size_t i) const { return i < N ? inline_[i] : rest_[i - N]; }
  void resize(size_t n) {
    while (size_ < n) push_back(T());
    while (size_ > n) {
      --size_;
      if (size_ < N)
        inline_[size_] = T();
      else
        rest_.pop_back();
    }
  }
  void clear() { resize(0); }

 private:
  // Default-initialized: elements are class types whose members have initializers, and
  // value-initialization ({}) would zero the whole array before running them.
  std::array<T, N> inline_;
  std::vector<T> rest_;
  size_t size_ = 0;
};

}  // namespace descent
