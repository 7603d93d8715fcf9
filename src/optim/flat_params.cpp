// Flat-vector views of a parameter list, for L-BFGS and Newton.
#include "flat_params.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "update_util.h"

namespace descent::optim::detail {

int64_t total_numel(const std::vector<Tensor>& params) {
  int64_t n = 0;
  for (const Tensor& p : params) n += p.numel();
  return n;
}

FlatVector gather_flat_grad(const std::vector<Tensor>& params, const std::string& optimizer) {
  FlatVector out;
  out.reserve(static_cast<size_t>(total_numel(params)));
  for (const Tensor& p : params) {
    const Tensor grad = p.grad();
    if (!grad.defined()) {
      out.insert(out.end(), static_cast<size_t>(p.numel()), 0.0);
      continue;
    }
    const Tensor g = dense_grad(p, grad, optimizer);
    dispatch_floating(g.dtype(), optimizer, [&](auto t) {
      using T = decltype(t);
      const T* data = g.data<T>();
      for (int64_t i = 0; i < g.numel(); ++i) out.push_back(static_cast<double>(data[i]));
    });
  }
  return out;
}

void add_to_params(const std::vector<Tensor>& params, double t, const FlatVector& v) {
  size_t offset = 0;
  for (const Tensor& p : params) {
    dispatch_floating(p.dtype(), "add_to_params", [&](auto tag) {
      using T = decltype(tag);
      T* data = p.data<T>();
      const T alpha = static_cast<T>(t);
      for (int64_t i = 0; i < p.numel(); ++i) {
        data[i] = std::fma(alpha, static_cast<T>(v[offset + static_cast<size_t>(i)]), data[i]);
      }
    });
    offset += static_cast<size_t>(p.numel());
  }
}

std::vector<Tensor> clone_params(const std::vector<Tensor>& params) {
  NoGradGuard no_grad;
  std::vector<Tensor> out;
  out.reserve(params.size());
  for (const Tensor& p : params) out.push_back(clone(p.detach()));
  return out;
}

void set_params(const std::vector<Tensor>& params, const std::vector<Tensor>& values) {
  NoGradGuard no_grad;
  for (size_t i = 0; i < params.size(); ++i) params[i].detach().copy_(values[i]);
}

double dot(const FlatVector& a, const FlatVector& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s = std::fma(a[i], b[i], s);
  return s;
}

double abs_max(const FlatVector& v) {
  double m = 0.0;
  for (double x : v) {
    if (std::isnan(x)) return x;
    m = std::max(m, std::abs(x));
  }
  return m;
}

double abs_sum(const FlatVector& v) {
  double s = 0.0;
  for (double x : v) s += std::abs(x);
  return s;
}

Tensor to_tensor(const FlatVector& v) {
  return from_vector(v, Shape{static_cast<int64_t>(v.size())}, DType::Float64);
}

FlatVector from_tensor(const Tensor& t, int64_t n, const std::string& what) {
  if (!t.defined() || t.dtype() != DType::Float64 || t.dim() != 1 || t.numel() != n) {
    throw ValueError(fmt::format(
        "{}: expected a float64 vector of {} elements{}", what, n,
        t.defined() ? ", got shape " + t.shape().str() + " " + std::string(dtype_name(t.dtype()))
                    : ", got an undefined tensor"));
  }
  return t.to_vector<double>();
}

}  // namespace descent::optim::detail
