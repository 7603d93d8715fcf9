#pragma once
// How module reprs print numbers: the shortest form that reads back to the same double, with a
// ".0" on integral values, as Python prints floats ("0.01", "20.0", "1e-05").
#include <charconv>
#include <string>

namespace descent::nn::detail {

inline std::string repr_number(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);  // shortest round trip
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

}  // namespace descent::nn::detail
