// Reductions: sum and max/min over axes (primitives), mean, argmax/argmin and sum_to.
#include <algorithm>
#include <cmath>

#include "descent/kernels/elementwise.h"
#include "descent/kernels/reduce.h"
#include "op_helpers.h"

namespace descent {
namespace {

// Axes normalized to [0, rank), sorted, checked for duplicates; empty means every axis.
std::vector<int64_t> reduction_axes(std::vector<int64_t> dims, int64_t rank, const char* op) {
  if (dims.empty()) {
    for (int64_t i = 0; i < rank; ++i) dims.push_back(i);
    return dims;
  }
  for (int64_t& d : dims) d = normalize_axis(d, rank, op);
  std::sort(dims.begin(), dims.end());
  if (std::adjacent_find(dims.begin(), dims.end()) != dims.end())
    throw IndexError(std::string(op) + ": an axis is listed twice");
  if (rank == 0) dims.clear();  // axis 0 / -1 of a scalar names the scalar itself
  return dims;
}

// The shape of the reduced result with reduced axes kept as size 1.
Shape kept_shape(const Shape& in, const Shape& axes) {
  Shape s = in;
  for (int64_t a : axes) s[static_cast<size_t>(a)] = 1;
  return s;
}

// The output gradient viewed with the reduced axes kept, then broadcast to the input.
Tensor expand_back(const Tensor& g, const Shape& input_shape, const Shape& axes) {
  return expand(reshape(g, kept_shape(input_shape, axes)), input_shape);
}

}  // namespace

namespace autograd::defs {

// Every input element receives the gradient of the sum it belongs to.
const OpDef kSum{"sum", [](BackwardContext& c, const Tensor& g) -> GradList {
                   return {expand_back(g, c.input_shape(0), c.attrs().dims)};
                 }};

// mean = s · sum with s = 1/n (n the count of elements averaged): each element gets s · g.
const OpDef kMean{"mean", [](BackwardContext& c, const Tensor& g) -> GradList {
                    const double s = c.attrs().scalar;
                    if (g.numel() == 1 && !GradMode::is_enabled()) {
                      // A whole tensor's mean, first order (a loss): every element gets the one
                      // value s · g, each rounded as the product below would, without the views and
                      // strided loop.
                      Tensor out = full(c.input_shape(0), g.item(), g.dtype());
                      kernels::unary_scalar_inplace(kernels::UnaryScalar::Mul, out, s);
                      return {out};
                    }
                    return {mul(expand_back(g, c.input_shape(0), c.attrs().dims), s)};
                  }};

// The gradient of a maximum goes to the elements equal to it, shared evenly among ties.
GradList extremum_reduce_backward(BackwardContext& c, const Tensor& g) {
  const Shape& in_shape = c.input_shape(0);
  const Shape& axes = c.attrs().dims;
  const Tensor x = c.saved(0).detach(), y = c.saved(1).detach();
  const Tensor winners = eq(x, expand_back(y, in_shape, axes));
  const Tensor count = sum(winners, axes.vec(), true);
  return {mul(div(expand_back(g, in_shape, axes), count), winners)};
}
const OpDef kMax{"max", extremum_reduce_backward};
const OpDef kMin{"min", extremum_reduce_backward};

}  // namespace autograd::defs

using namespace autograd::defs;

namespace {
Tensor reduce_primitive(const autograd::OpDef& def, kernels::Reduce k, const Tensor& x,
                        std::vector<int64_t> dims, bool keepdim, bool save) {
  autograd::require_defined(x, def.name);
  const std::vector<int64_t> axes = reduction_axes(std::move(dims), x.dim(), def.name);
  Tensor out = kernels::reduce(k, x, axes, keepdim);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(def, out, {&x});
    n.attrs.dims = Shape(axes);
    n.attrs.flag = keepdim;
    if (save) {
      n.save_input(x);
      n.save_output(out);
    }
  }
  return out;
}
}  // namespace

Tensor sum(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  return reduce_primitive(kSum, kernels::Reduce::Sum, x, std::move(dims), keepdim, false);
}
Tensor sum(const Tensor& x) {
  return sum(x, {}, false);
}

Tensor mean(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  autograd::require_floating(x, "mean");
  const std::vector<int64_t> axes = reduction_axes(std::move(dims), x.dim(), "mean");
  int64_t count = 1;
  for (int64_t a : axes) count *= x.shape()[static_cast<size_t>(a)];
  // mean = sum · (1/n), rounded as a sum followed by a product; n = 0 gives NaN as in PyTorch.
  // One op rather than sum then mul: a loss's mean makes one tensor and one node, not two.
  const double scale = count == 0 ? NAN : 1.0 / static_cast<double>(count);
  Tensor out = kernels::reduce(kernels::Reduce::Sum, x, axes, keepdim);
  kernels::unary_scalar_inplace(kernels::UnaryScalar::Mul, out, scale);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(kMean, out, {&x});
    n.attrs.dims = Shape(axes);
    n.attrs.flag = keepdim;
    n.attrs.scalar = scale;
  }
  return out;
}
Tensor mean(const Tensor& x) {
  return mean(x, {}, false);
}

Tensor max(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  return reduce_primitive(kMax, kernels::Reduce::Max, x, std::move(dims), keepdim, true);
}
Tensor max(const Tensor& x) {
  return max(x, {}, false);
}
Tensor min(const Tensor& x, std::vector<int64_t> dims, bool keepdim) {
  return reduce_primitive(kMin, kernels::Reduce::Min, x, std::move(dims), keepdim, true);
}
Tensor min(const Tensor& x) {
  return min(x, {}, false);
}

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  autograd::require_defined(x, "argmax");
  return kernels::argmax(x, normalize_axis(dim, x.dim(), "argmax"), keepdim);
}
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) {
  autograd::require_defined(x, "argmin");
  return kernels::argmin(x, normalize_axis(dim, x.dim(), "argmin"), keepdim);
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  if (shape.size() > g.shape().size())
    throw ShapeError("sum_to: cannot reduce shape " + g.shape().str() + " to larger rank " +
                     shape.str());
  const size_t lead = g.shape().size() - shape.size();
  Shape axes;
  for (size_t i = 0; i < g.shape().size(); ++i) {
    if (i < lead) {
      axes.push_back(static_cast<int64_t>(i));
    } else if (shape[i - lead] == 1 && g.shape()[i] != 1) {
      axes.push_back(static_cast<int64_t>(i));
    } else if (shape[i - lead] != g.shape()[i]) {
      throw ShapeError("sum_to: shape " + g.shape().str() + " does not broadcast from " +
                       shape.str());
    }
  }
  if (!GradMode::is_enabled() && !axes.empty()) {
    // Nothing will differentiate the result (a first-order backward pass, where every binary
    // op's rule un-broadcasts through here): the reduction alone, without the differentiable
    // sum and reshape around it. Reducing only leading axes gives `shape` directly.
    const bool only_leading = axes.back() < static_cast<int64_t>(lead);
    const Tensor r = kernels::reduce(kernels::Reduce::Sum, g, axes, !only_leading);
    return only_leading ? r : Tensor::view_of(r, r.offset(), shape, contiguous_strides(shape));
  }
  if (axes.empty()) return reshape(g, shape);
  return reshape(sum(g, axes.vec(), true), shape);
}

}  // namespace descent
