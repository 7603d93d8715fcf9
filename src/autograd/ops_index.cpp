// Indexing primitives. Each pair is adjoint: index_select ↔ index_add, gather ↔ scatter_add,
// so each rule is the other op and derivatives of every order follow.
#include "descent/kernels/index.h"
#include "op_helpers.h"

namespace descent {
namespace autograd::defs {

const OpDef kIndexSelect{"index_select", [](BackwardContext& c, const Tensor& g) -> GradList {
                           const Tensor base = zeros(c.input_shape(0), g.dtype());
                           return {index_add(base, c.attrs().dim, c.saved(0), g)};
                         }};
const OpDef kIndexAdd{"index_add", [](BackwardContext& c, const Tensor& g) -> GradList {
                        return {c.needs(0) ? g : Tensor(),
                                c.needs(1) ? index_select(g, c.attrs().dim, c.saved(0)) : Tensor()};
                      }};
const OpDef kGather{
    "gather", [](BackwardContext& c, const Tensor& g) -> GradList {
      // First order (grad mode off): straight onto zeros, no base to copy.
      if (!GradMode::is_enabled())
        return {kernels::scatter_add_to_zeros(c.input_shape(0), c.attrs().dim, c.saved(0), g)};
      const Tensor base = zeros(c.input_shape(0), g.dtype());
      return {scatter_add(base, c.attrs().dim, c.saved(0), g)};
    }};
const OpDef kScatterAdd{"scatter_add", [](BackwardContext& c, const Tensor& g) -> GradList {
                          return {c.needs(0) ? g : Tensor(),
                                  c.needs(1) ? gather(g, c.attrs().dim, c.saved(0)) : Tensor()};
                        }};

}  // namespace autograd::defs

using namespace autograd::defs;

namespace {
int64_t axis_of(const Tensor& x, int64_t dim, const char* op) {
  autograd::require_defined(x, op);
  return normalize_axis(dim, x.dim(), op);
}
}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t d = axis_of(x, dim, "index_select");
  autograd::require_defined(index, "index_select", "index");
  Tensor out = kernels::index_select(x, d, index);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(kIndexSelect, out, {&x});
    n.attrs.dim = d;
    n.save_input(index);
  }
  return out;
}

Tensor index_add(const Tensor& base0, int64_t dim, const Tensor& index, const Tensor& src0) {
  const autograd::Promoted operands(base0, src0, "index_add");
  const Tensor &base = operands.first(), &src = operands.second();
  const int64_t d = axis_of(base, dim, "index_add");
  autograd::require_defined(index, "index_add", "index");
  Tensor out = kernels::index_add(base, d, index, src);
  if (autograd::should_record({&base, &src})) {
    autograd::Node& n = autograd::record(kIndexAdd, out, {&base, &src});
    n.attrs.dim = d;
    n.save_input(index);
  }
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t d = axis_of(x, dim, "gather");
  autograd::require_defined(index, "gather", "index");
  Tensor out = kernels::gather(x, d, index);
  if (autograd::should_record({&x})) {
    autograd::Node& n = autograd::record(kGather, out, {&x});
    n.attrs.dim = d;
    n.save_input(index);
  }
  return out;
}

Tensor scatter_add(const Tensor& base0, int64_t dim, const Tensor& index, const Tensor& src0) {
  const autograd::Promoted operands(base0, src0, "scatter_add");
  const Tensor &base = operands.first(), &src = operands.second();
  const int64_t d = axis_of(base, dim, "scatter_add");
  autograd::require_defined(index, "scatter_add", "index");
  Tensor out = kernels::scatter_add(base, d, index, src);
  if (autograd::should_record({&base, &src})) {
    autograd::Node& n = autograd::record(kScatterAdd, out, {&base, &src});
    n.attrs.dim = d;
    n.save_input(index);
  }
  return out;
}

Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype) {
  autograd::require_defined(labels, "one_hot", "labels");
  return kernels::one_hot(labels, num_classes, dtype);
}

}  // namespace descent
