// Shape primitives (reshape, permute, expand, slice and its adjoint, concat, contiguous) and
// the composites built on them. Reshape, permute, expand and slice return views.
#include <algorithm>
#include <numeric>

#include "descent/kernels/elementwise.h"
#include "descent/kernels/index.h"
#include "op_helpers.h"
#include "view_geometry.h"

namespace descent {
namespace {

std::vector<int64_t> inverse_permutation(const Shape& dims) {
  std::vector<int64_t> inv(dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    inv[static_cast<size_t>(dims[i])] = static_cast<int64_t>(i);
  return inv;
}

// The requested shape with a -1 entry replaced so that the element count matches.
Shape infer_shape(const Shape& requested, int64_t numel, const Shape& from) {
  Shape s = requested;
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == -1) {
      if (infer_at >= 0) throw ShapeError("reshape: more than one -1 in shape " + requested.str());
      infer_at = static_cast<int64_t>(i);
    } else if (s[i] < 0) {
      throw ShapeError("reshape: invalid size " + std::to_string(s[i]) + " in shape " +
                       requested.str());
    } else if (__builtin_mul_overflow(known, s[i], &known)) {
      throw ShapeError("reshape: shape " + requested.str() + " overflows");
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || numel % known != 0)
      throw ShapeError("reshape: cannot infer -1 in " + requested.str() + " for " +
                       std::to_string(numel) + " elements of shape " + from.str());
    s[static_cast<size_t>(infer_at)] = numel / known;
  } else if (known != numel) {
    throw ShapeError("reshape: shape " + requested.str() + " holds " + std::to_string(known) +
                     " elements, input of shape " + from.str() + " has " + std::to_string(numel));
  }
  return s;
}

}  // namespace

namespace autograd::defs {

const OpDef kReshape{"reshape", [](BackwardContext& c, const Tensor& g) -> GradList {
                       return {reshape(g, c.input_shape(0))};
                     }};
const OpDef kPermute{"permute", [](BackwardContext& c, const Tensor& g) -> GradList {
                       return {permute(g, inverse_permutation(c.attrs().dims))};
                     }};
// The adjoint of broadcasting is summing over the broadcast dimensions.
const OpDef kExpand{"expand", [](BackwardContext& c, const Tensor& g) -> GradList {
                      return {sum_to(g, c.input_shape(0))};
                    }};
// The adjoint of taking a slice is writing into a slice of zeros ...
const OpDef kSlice{"slice", [](BackwardContext& c, const Tensor& g) -> GradList {
                     const Attrs& a = c.attrs();
                     return {embed_slice(g, c.input_shape(0), a.dim, a.start, a.step)};
                   }};
// ... and the adjoint of that is taking the slice again.
const OpDef kEmbedSlice{"embed_slice", [](BackwardContext& c, const Tensor& g) -> GradList {
                          const Attrs& a = c.attrs();
                          const int64_t len = c.input_shape(0)[static_cast<size_t>(a.dim)];
                          return {slice(g, a.dim, a.start, a.start + len * a.step, a.step)};
                        }};
const OpDef kConcat{
    "concat", [](BackwardContext& c, const Tensor& g) -> GradList {
      GradList out;
      int64_t at = 0;
      for (size_t i = 0; i < c.num_inputs(); ++i) {
        const int64_t len = c.attrs().dims[i];
        out.push_back(c.needs(i) ? slice(g, c.attrs().dim, at, at + len) : Tensor());
        at += len;
      }
      return out;
    }};
const OpDef kContiguous{"contiguous",
                        [](BackwardContext&, const Tensor& g) -> GradList { return {g}; }};

}  // namespace autograd::defs

using namespace autograd::defs;

Tensor reshape(const Tensor& x, const Shape& requested) {
  autograd::require_defined(x, "reshape");
  const Shape shape = infer_shape(requested, x.numel(), x.shape());
  if (shape == x.shape()) return x;
  Tensor out;
  if (auto strides = autograd::view_strides(x.shape(), x.strides(), shape))
    out = Tensor::view_of(x, x.offset(), shape, *strides);
  else
    out = Tensor::view_of(kernels::contiguous(x), 0, shape, contiguous_strides(shape));
  if (autograd::should_record({&x})) autograd::record(kReshape, out, {&x});
  return out;
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  autograd::require_defined(x, "flatten");
  if (x.dim() == 0) return reshape(x, Shape{1});
  const int64_t s = normalize_axis(start_dim, x.dim(), "flatten");
  const int64_t e = normalize_axis(end_dim, x.dim(), "flatten");
  if (s > e)
    throw IndexError("flatten: start_dim " + std::to_string(start_dim) + " comes after end_dim " +
                     std::to_string(end_dim));
  Shape shape;
  int64_t merged = 1;
  for (int64_t i = 0; i < x.dim(); ++i) {
    if (i < s || i > e)
      shape.push_back(x.shape()[static_cast<size_t>(i)]);
    else
      merged *= x.shape()[static_cast<size_t>(i)];
    if (i == e) shape.push_back(merged);
  }
  return reshape(x, shape);
}

namespace {
// The view of x with axes reordered by `perm` (a checked permutation of [0, rank)), recorded.
Tensor permuted(const Tensor& x, const Shape& perm) {
  Shape shape, strides;
  for (int64_t a : perm) {
    shape.push_back(x.shape()[static_cast<size_t>(a)]);
    strides.push_back(x.strides()[static_cast<size_t>(a)]);
  }
  Tensor out = Tensor::view_of(x, x.offset(), std::move(shape), std::move(strides));
  if (autograd::should_record({&x})) autograd::record(kPermute, out, {&x}).attrs.dims = perm;
  return out;
}
}  // namespace

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  autograd::require_defined(x, "permute");
  if (static_cast<int64_t>(dims.size()) != x.dim())
    throw ShapeError("permute: " + std::to_string(dims.size()) +
                     " axes given for a tensor of shape " + x.shape().str());
  Shape perm;
  std::vector<bool> seen(dims.size(), false);
  for (int64_t d : dims) {
    const int64_t a = normalize_axis(d, x.dim(), "permute");
    if (seen[static_cast<size_t>(a)])
      throw IndexError("permute: axis " + std::to_string(d) + " repeated");
    seen[static_cast<size_t>(a)] = true;
    perm.push_back(a);
  }
  return permuted(x, perm);
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  autograd::require_defined(x, "transpose");
  // Built directly (no std::vector): matmul's backward transposes twice per product.
  const int64_t a = normalize_axis(dim0, x.dim(), "transpose");
  const int64_t b = normalize_axis(dim1, x.dim(), "transpose");
  Shape perm;
  for (int64_t i = 0; i < x.dim(); ++i) perm.push_back(i);
  if (x.dim() > 0) std::swap(perm[static_cast<size_t>(a)], perm[static_cast<size_t>(b)]);
  return permuted(x, perm);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  autograd::require_defined(x, "unsqueeze");
  Shape shape = x.shape();
  shape.insert(static_cast<size_t>(normalize_axis(dim, x.dim() + 1, "unsqueeze")), 1);
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  autograd::require_defined(x, "squeeze");
  const int64_t d = normalize_axis(dim, x.dim(), "squeeze");
  if (x.dim() == 0 || x.shape()[static_cast<size_t>(d)] != 1) return x;
  Shape shape = x.shape();
  shape.erase(static_cast<size_t>(d));
  return reshape(x, shape);
}

Tensor expand(const Tensor& x, const Shape& requested) {
  autograd::require_defined(x, "expand");
  if (requested.size() < x.shape().size())
    throw ShapeError("expand: target " + requested.str() + " has fewer dimensions than " +
                     x.shape().str());
  const size_t lead = requested.size() - x.shape().size();
  Shape shape = requested, strides = Shape::filled(requested.size(), 0);
  for (size_t i = 0; i < requested.size(); ++i) {
    if (i < lead) {
      if (requested[i] < 0) throw ShapeError("expand: invalid size in " + requested.str());
      continue;
    }
    const int64_t have = x.shape()[i - lead];
    if (requested[i] == -1 || requested[i] == have) {
      shape[i] = have;
      strides[i] = x.strides()[i - lead];
    } else if (have != 1 || requested[i] < 0) {
      throw ShapeError("expand: cannot expand shape " + x.shape().str() + " to " + requested.str());
    }
  }
  if (shape == x.shape()) return x;
  Tensor out = Tensor::view_of(x, x.offset(), shape, strides);
  if (autograd::should_record({&x})) autograd::record(kExpand, out, {&x});
  return out;
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  autograd::require_defined(x, "slice");
  if (step <= 0) throw ValueError("slice: step must be positive, got " + std::to_string(step));
  const int64_t d = normalize_axis(dim, x.dim(), "slice");
  if (x.dim() == 0) throw ShapeError("slice: cannot slice a 0-dimensional tensor");
  const int64_t n = x.shape()[static_cast<size_t>(d)];
  // Python semantics: negative positions count from the end, then clamp to [0, n].
  auto clamp_pos = [n](int64_t p) { return std::clamp<int64_t>(p < 0 ? p + n : p, 0, n); };
  start = clamp_pos(start);
  end = std::max(clamp_pos(end), start);
  const int64_t len = (end - start + step - 1) / step;
  Shape shape = x.shape(), strides = x.strides();
  shape[static_cast<size_t>(d)] = len;
  strides[static_cast<size_t>(d)] *= step;
  const int64_t offset =
      len > 0 ? x.offset() + start * x.strides()[static_cast<size_t>(d)] : x.offset();
  Tensor out = Tensor::view_of(x, offset, shape, strides);
  if (autograd::should_record({&x})) {
    autograd::Node& node = autograd::record(kSlice, out, {&x});
    node.attrs.dim = d;
    node.attrs.start = start;
    node.attrs.step = step;
  }
  return out;
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  autograd::require_defined(x, "select");
  const int64_t d = normalize_axis(dim, x.dim(), "select");
  const int64_t n = x.shape()[static_cast<size_t>(d)];
  if (index < -n || index >= n)
    throw IndexError("select: index " + std::to_string(index) + " out of range for dimension " +
                     std::to_string(d) + " of size " + std::to_string(n));
  const int64_t i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

Tensor embed_slice(const Tensor& x, const Shape& shape, int64_t dim, int64_t start, int64_t step) {
  autograd::require_defined(x, "embed_slice");
  Tensor out = kernels::embed_slice(x, shape, dim, start, step);
  if (autograd::should_record({&x})) {
    autograd::Node& node = autograd::record(kEmbedSlice, out, {&x});
    node.attrs.dim = dim;
    node.attrs.start = start;
    node.attrs.step = step;
  }
  return out;
}

Tensor concat(const std::vector<Tensor>& parts0, int64_t dim) {
  if (parts0.empty()) throw ValueError("concat: no tensors given");
  DType common = DType::Int64;
  for (size_t i = 0; i < parts0.size(); ++i) {
    autograd::require_defined(parts0[i], "concat");
    common = promote(common, parts0[i].dtype());
  }
  std::vector<Tensor> parts;
  for (const Tensor& p : parts0) parts.push_back(to(p, common));
  const int64_t d = normalize_axis(dim, parts[0].dim(), "concat");
  Tensor out = kernels::concat(parts, d);
  if (autograd::should_record(std::span<const Tensor>(parts))) {
    autograd::Node& node = autograd::record(kConcat, out, std::span<const Tensor>(parts));
    node.attrs.dim = d;
    for (const Tensor& p : parts) node.attrs.dims.push_back(p.shape()[static_cast<size_t>(d)]);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& parts, int64_t dim) {
  if (parts.empty()) throw ValueError("stack: no tensors given");
  for (size_t i = 0; i < parts.size(); ++i) {
    autograd::require_defined(parts[i], "stack");
    if (!(parts[i].shape() == parts[0].shape()))
      throw ShapeError("stack: tensor " + std::to_string(i) + " has shape " +
                       parts[i].shape().str() + ", tensor 0 has " + parts[0].shape().str());
  }
  const int64_t d = normalize_axis(dim, parts[0].dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (const Tensor& p : parts) expanded.push_back(unsqueeze(p, d));
  return concat(expanded, d);
}

namespace {
Tensor copy_primitive(const Tensor& x, const char* op) {
  autograd::require_defined(x, op);
  Tensor out = kernels::cast(x, x.dtype());
  if (autograd::should_record({&x})) autograd::record(kContiguous, out, {&x});
  return out;
}
}  // namespace

Tensor contiguous(const Tensor& x) {
  autograd::require_defined(x, "contiguous");
  return x.is_contiguous() ? x : copy_primitive(x, "contiguous");
}
Tensor clone(const Tensor& x) {
  return copy_primitive(x, "clone");
}

}  // namespace descent
