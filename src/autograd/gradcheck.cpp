#include "descent/autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "descent/core/rng.h"

namespace descent {
namespace {

// Storage offset of the linear (row-major) element j of a view.
int64_t element_offset(const Tensor& t, int64_t j) {
  int64_t off = t.offset();
  for (size_t d = t.shape().size(); d-- > 0;) {
    off += (j % t.shape()[d]) * t.strides()[d];
    j /= t.shape()[d];
  }
  return off;
}

double& element(const Tensor& t, int64_t j) {
  return static_cast<double*>(t.storage()->data())[element_offset(t, j)];
}

std::vector<double> values_of(const Tensor& t) {
  if (!t.defined()) return {};
  return t.to_vector<double>();
}

void require_float64(const std::vector<Tensor>& inputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad() && inputs[i].dtype() != DType::Float64)
      throw DTypeError("gradcheck: input " + std::to_string(i) + " must be float64, got " +
                       std::string(dtype_name(inputs[i].dtype())));
}

}  // namespace

GradcheckResult gradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& o) {
  require_float64(inputs);
  GradcheckResult result;
  const Tensor out0 = fn(inputs);
  const int64_t n_out = out0.numel();

  std::vector<Tensor> diff_inputs;
  std::vector<size_t> diff_index;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) {
      diff_inputs.push_back(inputs[i]);
      diff_index.push_back(i);
    }

  // Analytical Jacobian, row k = gradient of output element k.
  std::vector<std::vector<std::vector<double>>> analytical(diff_inputs.size());
  for (size_t i = 0; i < diff_inputs.size(); ++i)
    analytical[i].assign(static_cast<size_t>(n_out),
                         std::vector<double>(static_cast<size_t>(diff_inputs[i].numel()), 0.0));
  if (out0.requires_grad()) {
    for (int64_t k = 0; k < n_out; ++k) {
      Tensor seed = zeros(out0.shape(), out0.dtype());
      static_cast<double*>(seed.raw_data())[k] = 1.0;
      const std::vector<Tensor> grads =
          grad({out0}, diff_inputs,
               {.grad_outputs = {seed}, .retain_graph = true, .allow_unused = true});
      for (size_t i = 0; i < diff_inputs.size(); ++i)
        if (grads[i].defined()) analytical[i][static_cast<size_t>(k)] = values_of(grads[i]);
    }
  }

  // Numerical Jacobian by central differences, column j = d output / d input element j.
  for (size_t i = 0; i < diff_inputs.size(); ++i) {
    const Tensor& x = diff_inputs[i];
    for (int64_t j = 0; j < x.numel(); ++j) {
      double& xj = element(x, j);
      const double saved = xj;
      std::vector<double> plus, minus;
      // Evaluated with grad mode as the caller has it: fn may itself differentiate.
      xj = saved + o.eps;
      plus = values_of(fn(inputs));
      xj = saved - o.eps;
      minus = values_of(fn(inputs));
      xj = saved;
      for (int64_t k = 0; k < n_out; ++k) {
        const double numerical =
            (plus[static_cast<size_t>(k)] - minus[static_cast<size_t>(k)]) / (2 * o.eps);
        const double a = analytical[i][static_cast<size_t>(k)][static_cast<size_t>(j)];
        const double err = std::fabs(a - numerical);
        result.max_abs_error = std::max(result.max_abs_error, err);
        if (!(err <= o.atol + o.rtol * std::fabs(numerical)) && result.ok) {
          std::ostringstream os;
          os << "gradcheck: input " << diff_index[i] << " (shape " << x.shape().str()
             << "), element " << j << ", output element " << k << ": analytical " << a
             << " vs numerical " << numerical;
          result.ok = false;
          result.message = os.str();
        }
      }
    }
  }
  return result;
}

GradcheckResult gradgradcheck(const DifferentiableFn& fn, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& o) {
  require_float64(inputs);
  Tensor out0;
  {
    NoGradGuard ng;
    out0 = fn(inputs);
  }
  Generator gen(1234);
  Tensor v = randn(out0.shape(), gen, DType::Float64);
  v.set_requires_grad(true);

  std::vector<size_t> diff_index;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) diff_index.push_back(i);

  // g(inputs, v) = ∂⟨v, fn(inputs)⟩/∂inputs, flattened and concatenated; its Jacobian holds
  // the second derivatives (and, with respect to v, the first derivatives again).
  auto first_derivative = [&](const std::vector<Tensor>& args) -> Tensor {
    std::vector<Tensor> xs(args.begin(), args.end() - 1);
    const Tensor& vv = args.back();
    const Tensor y = fn(xs);
    std::vector<Tensor> wrt;
    for (size_t i : diff_index) wrt.push_back(xs[i]);
    std::vector<Tensor> parts;
    if (!y.requires_grad()) {
      for (const Tensor& w : wrt) parts.push_back(reshape(zeros_like(w), Shape{-1}));
      return mul(concat(parts), 0.0);
    }
    const std::vector<Tensor> grads =
        grad({y}, wrt, {.grad_outputs = {vv}, .create_graph = true, .allow_unused = true});
    for (size_t i = 0; i < wrt.size(); ++i)
      parts.push_back(reshape(grads[i].defined() ? grads[i] : zeros_like(wrt[i]), Shape{-1}));
    return concat(parts);
  };
  std::vector<Tensor> args = inputs;
  args.push_back(v);
  return gradcheck(first_derivative, args, o);
}

}  // namespace descent
