#pragma once
// Shape: the sizes (or strides) of a tensor, a small vector of int64 kept inline for up to
// kInline dimensions so that making a tensor does not allocate for its metadata.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace descent {

class Shape {
 public:
  static constexpr size_t kInline = 6;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.size()); }
  explicit Shape(std::span<const int64_t> dims) { assign(dims.data(), dims.size()); }
  explicit Shape(const std::vector<int64_t>& dims) { assign(dims.data(), dims.size()); }
  // n dimensions, each equal to `fill`.
  static Shape filled(size_t n, int64_t fill) {
    Shape s;
    s.resize(n, fill);
    return s;
  }

  Shape(const Shape& o) {
    if (o.heap_)
      assign(o.data(), o.size_);
    else
      copy_inline(o);
  }
  Shape(Shape&& o) noexcept { steal(o); }
  Shape& operator=(const Shape& o) {
    if (this == &o) return *this;
    if (o.heap_ || heap_)
      assign(o.data(), o.size_);
    else
      copy_inline(o);
    return *this;
  }
  Shape& operator=(Shape&& o) noexcept {
    if (this != &o) steal(o);
    return *this;
  }
  ~Shape() = default;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return heap_ ? heap_.get() : inline_; }
  const int64_t* data() const { return heap_ ? heap_.get() : inline_; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t back() const { return data()[size_ - 1]; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }
  int64_t* begin() { return data(); }
  int64_t* end() { return data() + size_; }
  operator std::span<const int64_t>() const { return {data(), size_}; }
  std::vector<int64_t> vec() const { return {begin(), end()}; }

  void resize(size_t n, int64_t fill = 0) {
    if (n > capacity()) grow(n);
    for (size_t i = size_; i < n; ++i) data()[i] = fill;
    size_ = n;
  }
  void push_back(int64_t v) {
    resize(size_ + 1);
    data()[size_ - 1] = v;
  }
  void insert(size_t pos, int64_t v) {
    resize(size_ + 1);
    int64_t* d = data();
    for (size_t i = size_ - 1; i > pos; --i) d[i] = d[i - 1];
    d[pos] = v;
  }
  void erase(size_t pos) {
    int64_t* d = data();
    for (size_t i = pos; i + 1 < size_; ++i) d[i] = d[i + 1];
    --size_;
  }

  // Product of the sizes: the element count of a tensor of this shape (1 for rank 0).
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : *this) n *= d;
    return n;
  }

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.size_ != b.size_) return false;
    // A plain loop: shapes have a handful of entries, where a call to memcmp costs more.
    const int64_t *x = a.data(), *y = b.data();
    for (size_t i = 0; i < a.size_; ++i)
      if (x[i] != y[i]) return false;
    return true;
  }

  // "[2, 3]": the form every error message uses.
  std::string str() const {
    std::string s = "[";
    for (size_t i = 0; i < size_; ++i) s += (i ? ", " : "") + std::to_string(data()[i]);
    return s + "]";
  }

 private:
  size_t capacity() const { return heap_ ? heap_cap_ : kInline; }
  void grow(size_t n) {
    auto fresh = std::make_unique<int64_t[]>(n);
    std::copy(begin(), end(), fresh.get());
    heap_ = std::move(fresh);
    heap_cap_ = n;
  }
  void assign(const int64_t* src, size_t n) {
    if (n > capacity()) grow(n);
    std::copy(src, src + n, data());
    size_ = n;
  }
  void steal(Shape& o) {
    if (o.heap_) {
      heap_ = std::move(o.heap_);
      heap_cap_ = o.heap_cap_;
      size_ = o.size_;
    } else {
      heap_.reset();
      copy_inline(o);
    }
    o.size_ = 0;
  }
  // Copies the whole inline array (a fixed 48 bytes: a few vector moves, where a copy of
  // size_ entries becomes a call to memmove). Shapes are copied several times per op. memcpy
  // with a constant size, because std::copy may still become a memmove call when the compiler
  // cannot rule out that the arrays overlap (a moved-from Shape).
  void copy_inline(const Shape& o) {
    std::memcpy(inline_, o.inline_, sizeof(inline_));
    size_ = o.size_;
  }

  size_t size_ = 0;
  int64_t inline_[kInline] = {};
  std::unique_ptr<int64_t[]> heap_;
  size_t heap_cap_ = 0;
};

// Row-major (C-order) strides of a contiguous tensor of shape `s`.
inline Shape contiguous_strides(const Shape& s) {
  Shape st = Shape::filled(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * std::max<int64_t>(s[i], 1);
  return st;
}

}  // namespace descent
