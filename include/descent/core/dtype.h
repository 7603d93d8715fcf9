#pragma once
// Element types of a Tensor and the promotion rule between them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "descent/core/error.h"

namespace descent {

enum class DType : uint8_t { Float32, Float64, Int64 };

constexpr size_t dtype_size(DType t) {
  return t == DType::Float32 ? 4 : 8;
}

constexpr std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int64:
      return "int64";
  }
  return "?";
}

constexpr bool is_floating(DType t) {
  return t != DType::Int64;
}

// The common type of two operands, as in PyTorch for tensors of equal standing:
// int64 < float32 < float64.
constexpr DType promote(DType a, DType b) {
  auto rank = [](DType t) { return t == DType::Int64 ? 0 : t == DType::Float32 ? 1 : 2; };
  return rank(a) >= rank(b) ? a : b;
}

template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::Int64;
}

// Calls fn(T{}) with T the C++ type of `t`. The one place a dtype becomes a type.
template <typename Fn>
decltype(auto) dispatch(DType t, Fn&& fn) {
  switch (t) {
    case DType::Float32:
      return fn(float{});
    case DType::Float64:
      return fn(double{});
    case DType::Int64:
      return fn(int64_t{});
  }
  throw DTypeError("dispatch: unknown dtype");
}

// As dispatch, for operations defined only on floating types; `op` names the caller.
template <typename Fn>
decltype(auto) dispatch_floating(DType t, std::string_view op, Fn&& fn) {
  switch (t) {
    case DType::Float32:
      return fn(float{});
    case DType::Float64:
      return fn(double{});
    case DType::Int64:
      break;
  }
  throw DTypeError(std::string(op) + ": expected a floating tensor (float32 or float64), got " +
                   std::string(dtype_name(t)));
}

}  // namespace descent
