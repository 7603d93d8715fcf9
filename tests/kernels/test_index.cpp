// Indexing kernels against naive loops: index_select, index_add, gather, scatter_add, one_hot,
// concat and embed_slice on contiguous and strided inputs, empty sizes and every error path.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "descent/core/rng.h"
#include "descent/core/tensor.h"
#include "descent/kernels/index.h"
#include "kernel_test_util.h"

namespace descent::kernels {
namespace {

using test_util::for_each_index;
using test_util::get;
using test_util::Index;
using test_util::transposed;

Tensor ids(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return from_vector(std::span<const int64_t>(v), {n});
}

// Expects `f` to throw E with a message containing every one of `parts`.
template <typename E>
void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const E& e) {
    for (const std::string& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message \"" << e.what() << "\" lacks \"" << p << "\"";
  }
}

TEST(IndexSelect, EveryDimAndLayout) {
  Generator gen(31);
  const Tensor base = randn({3, 4, 5}, gen, DType::Float64);
  const Tensor perm = transposed(randn({5, 4, 3}, gen, DType::Float32), 0, 2);
  const Tensor ints = randint(-9, 9, {3, 4, 5}, gen);
  for (const Tensor& x : {base, perm, ints})
    for (int64_t dim = 0; dim < 3; ++dim) {
      const int64_t size = x.shape()[static_cast<size_t>(dim)];
      const Index sel = {size - 1, 0, size - 1, 1};  // duplicates and any order
      for (int64_t d : {dim, dim - 3}) {
        const Tensor y = kernels::index_select(x, d, ids(sel));
        Shape want_shape = x.shape();
        want_shape[static_cast<size_t>(dim)] = 4;
        ASSERT_EQ(y.shape(), want_shape);
        EXPECT_EQ(y.dtype(), x.dtype());
        for_each_index(y.shape(), [&](const Index& i) {
          Index src = i;
          src[static_cast<size_t>(dim)] = sel[static_cast<size_t>(i[static_cast<size_t>(dim)])];
          EXPECT_EQ(get(y, i), get(x, src));
        });
      }
    }
}

TEST(IndexSelect, EmptyIndexAndEmptyInput) {
  const Tensor x = ones({3, 4});
  EXPECT_EQ(kernels::index_select(x, 1, ids({})).shape(), (Shape{3, 0}));
  EXPECT_EQ(kernels::index_select(zeros({0, 4}), 1, ids({3, 0})).shape(), (Shape{0, 2}));
  // A 0-dimensional index selects one entry.
  const Tensor scalar_idx = from_vector(std::vector<int64_t>{2}, Shape{});
  EXPECT_EQ(kernels::index_select(arange(5.0, 10.0, 1.0), 0, scalar_idx).to_vector<float>(),
            (std::vector<float>{7}));
}

TEST(IndexSelect, Errors) {
  const Tensor x = zeros({3, 4});
  expect_error<IndexError>(
      [&] {
        kernels::index_select(x, 1, ids({0, 4}));
      },
      {"index_select", "4", "dimension 1", "size 4"});
  expect_error<IndexError>([&] { kernels::index_select(x, 0, ids({-1})); }, {"index_select", "-1"});
  EXPECT_THROW(kernels::index_select(x, 2, ids({0})), IndexError);
  EXPECT_THROW(kernels::index_select(x, -3, ids({0})), IndexError);
  EXPECT_THROW(kernels::index_select(scalar_tensor(1.0), 0, ids({0})), IndexError);
  EXPECT_THROW(kernels::index_select(x, 0, tensor({0, 1})), DTypeError);
  EXPECT_THROW(kernels::index_select(x, 0, zeros({1, 1}, DType::Int64)), ShapeError);
  EXPECT_THROW(kernels::index_select(zeros({0, 4}), 0, ids({0})), IndexError);
  EXPECT_THROW(kernels::index_select(x, 0, Tensor()), ValueError);
}

TEST(IndexAdd, DuplicatesAccumulateAndBaseIsUntouched) {
  Generator gen(32);
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    const Tensor base = dt == DType::Int64 ? randint(-5, 5, {4, 3}, gen) : randn({4, 3}, gen, dt);
    const Tensor src_c = dt == DType::Int64 ? randint(-5, 5, {3, 5}, gen) : randn({3, 5}, gen, dt);
    const Tensor src = transposed(src_c, 0, 1);  // [5, 3], non-contiguous
    const Index sel = {2, 0, 2, 3, 2};
    const std::vector<double> before = base.to_vector<double>();
    const Tensor y = kernels::index_add(base, 0, ids(sel), src);
    EXPECT_EQ(base.to_vector<double>(), before);
    std::vector<double> want = before;
    for (size_t r = 0; r < sel.size(); ++r)
      for (int64_t j = 0; j < 3; ++j)
        want[static_cast<size_t>(sel[r] * 3 + j)] += get(src, {static_cast<int64_t>(r), j});
    const std::vector<double> got = y.to_vector<double>();
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5);
  }
}

TEST(IndexAdd, AlongInnerDim) {
  const Tensor base = zeros({2, 3}, DType::Float64);
  const Tensor src = tensor({1, 2, 3, 4}, {2, 2}, DType::Float64);
  EXPECT_EQ(kernels::index_add(base, 1, ids({2, 2}), src).to_vector<double>(),
            (std::vector<double>{0, 0, 3, 0, 0, 7}));
  EXPECT_EQ(kernels::index_add(base, -1, ids({0, 1}), src).to_vector<double>(),
            (std::vector<double>{1, 2, 0, 3, 4, 0}));
  // Nothing to add.
  EXPECT_EQ(kernels::index_add(base, 1, ids({}), zeros({2, 0}, DType::Float64)).to_vector<double>(),
            std::vector<double>(6, 0.0));
}

TEST(IndexAdd, Errors) {
  const Tensor base = zeros({4, 3});
  EXPECT_THROW(kernels::index_add(base, 0, ids({0, 1}), zeros({3, 3})), ShapeError);
  EXPECT_THROW(kernels::index_add(base, 0, ids({0, 1}), zeros({2, 4})), ShapeError);
  EXPECT_THROW(kernels::index_add(base, 0, ids({0, 1}), zeros({2, 3}, DType::Float64)), DTypeError);
  EXPECT_THROW(kernels::index_add(base, 0, tensor({0, 1}), zeros({2, 3})), DTypeError);
  expect_error<IndexError>(
      [&] {
        kernels::index_add(base, 0, ids({0, 4}), zeros({2, 3}));
      },
      {"index_add", "4", "size 4"});
  EXPECT_THROW(kernels::index_add(base, 0, ids({-2, 0}), zeros({2, 3})), IndexError);
  EXPECT_THROW(kernels::index_add(base, 2, ids({0}), zeros({4, 1})), IndexError);
}

TEST(Gather, MatchesReferenceOnEveryDim) {
  Generator gen(33);
  const Tensor x = transposed(randn({6, 5, 4}, gen, DType::Float64), 0, 2);  // [4, 5, 6]
  for (int64_t dim = 0; dim < 3; ++dim) {
    // An index smaller than x in the other dimensions, larger along dim, non-contiguous.
    Shape ishape = {3, 2, 4};
    ishape[static_cast<size_t>(dim)] = 7;
    const Tensor raw =
        randint(0, x.shape()[static_cast<size_t>(dim)], {ishape[2], ishape[1], ishape[0]}, gen);
    const Tensor idx = transposed(raw, 0, 2);
    const Tensor y = kernels::gather(x, dim, idx);
    ASSERT_EQ(y.shape(), ishape);
    for_each_index(ishape, [&](const Index& i) {
      Index src = i;
      src[static_cast<size_t>(dim)] = static_cast<int64_t>(get(idx, i));
      EXPECT_EQ(get(y, i), get(x, src));
    });
  }
  EXPECT_EQ(kernels::gather(x, 1, zeros({4, 0, 6}, DType::Int64)).shape(), (Shape{4, 0, 6}));
}

TEST(Gather, Errors) {
  const Tensor x = zeros({3, 4});
  expect_error<IndexError>(
      [&] {
        kernels::gather(x, 1, from_vector(std::vector<int64_t>{0, 4}, {1, 2}));
      },
      {"gather", "4", "dimension 1", "size 4"});
  EXPECT_THROW(kernels::gather(x, 1, from_vector(std::vector<int64_t>{-1}, {1, 1})), IndexError);
  EXPECT_THROW(kernels::gather(x, 1, zeros({3}, DType::Int64)), ShapeError);
  EXPECT_THROW(kernels::gather(x, 1, zeros({4, 1}, DType::Int64)), ShapeError);
  EXPECT_THROW(kernels::gather(x, 1, zeros({3, 1})), DTypeError);
  EXPECT_THROW(kernels::gather(x, 2, zeros({3, 1}, DType::Int64)), IndexError);
  EXPECT_THROW(kernels::gather(zeros({3, 0}), 1, zeros({3, 1}, DType::Int64)), IndexError);
}

TEST(ScatterAdd, DuplicatesAccumulate) {
  Generator gen(34);
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    const Tensor base = dt == DType::Int64 ? randint(-5, 5, {3, 4}, gen) : randn({3, 4}, gen, dt);
    const std::vector<double> before = base.to_vector<double>();
    const Tensor idx = from_vector(std::vector<int64_t>{1, 1, 3, 0, 0, 0}, {2, 3});
    const Tensor src = dt == DType::Int64 ? randint(-5, 5, {2, 3}, gen) : randn({2, 3}, gen, dt);
    for (int64_t dim : {0, 1}) {
      const Tensor idx_d =
          dim == 0 ? from_vector(std::vector<int64_t>{1, 2, 0, 1, 1, 2}, {2, 3}) : idx;
      const Tensor y = kernels::scatter_add(base, dim, idx_d, src);
      EXPECT_EQ(base.to_vector<double>(), before);
      std::vector<double> want = before;
      for_each_index(src.shape(), [&](const Index& i) {
        Index to = i;
        to[static_cast<size_t>(dim)] = static_cast<int64_t>(get(idx_d, i));
        want[static_cast<size_t>(to[0] * 4 + to[1])] += get(src, i);
      });
      const std::vector<double> got = y.to_vector<double>();
      for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-5);
    }
  }
}

TEST(ScatterAdd, Errors) {
  const Tensor base = zeros({3, 4});
  const Tensor idx = zeros({2, 2}, DType::Int64);
  EXPECT_THROW(kernels::scatter_add(base, 1, idx, zeros({2, 3})), ShapeError);
  EXPECT_THROW(kernels::scatter_add(base, 1, zeros({4, 2}, DType::Int64), zeros({4, 2})),
               ShapeError);
  EXPECT_THROW(kernels::scatter_add(base, 1, zeros({2}, DType::Int64), zeros({2})), ShapeError);
  EXPECT_THROW(kernels::scatter_add(base, 1, idx, zeros({2, 2}, DType::Float64)), DTypeError);
  EXPECT_THROW(kernels::scatter_add(base, 1, zeros({2, 2}), zeros({2, 2})), DTypeError);
  expect_error<IndexError>(
      [&] {
        kernels::scatter_add(base, 1, from_vector(std::vector<int64_t>{9}, {1, 1}), zeros({1, 1}));
      },
      {"scatter_add", "9", "size 4"});
  EXPECT_THROW(
      kernels::scatter_add(base, 0, from_vector(std::vector<int64_t>{-1}, {1, 1}), zeros({1, 1})),
      IndexError);
  EXPECT_THROW(kernels::scatter_add(base, -3, idx, zeros({2, 2})), IndexError);
}

// gather's gradient: the scatter onto zeros equals scatter_add onto a zero base, exactly, and
// refuses what scatter_add refuses.
TEST(ScatterAdd, OntoZerosMatchesAZeroBase) {
  Generator gen(35);
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor idx = from_vector(std::vector<int64_t>{2, 2, 0, 1, 0, 0}, {3, 2});
    const Tensor src = randn({3, 2}, gen, dt);
    for (int64_t dim : {1, -1}) {
      const std::vector<double> want =
          kernels::scatter_add(zeros({3, 4}, dt), dim, idx, src).to_vector<double>();
      const Tensor got = kernels::scatter_add_to_zeros({3, 4}, dim, idx, src);
      EXPECT_EQ(got.shape(), (Shape{3, 4}));
      EXPECT_EQ(got.dtype(), dt);
      EXPECT_EQ(got.to_vector<double>(), want);
    }
  }
  const Tensor idx = zeros({2, 2}, DType::Int64);
  EXPECT_THROW(kernels::scatter_add_to_zeros({3, 4}, 1, idx, zeros({2, 3})), ShapeError);
  EXPECT_THROW(kernels::scatter_add_to_zeros({3, 4}, 1, zeros({2, 2}), zeros({2, 2})), DTypeError);
  EXPECT_THROW(kernels::scatter_add_to_zeros({3, 4}, 2, idx, zeros({2, 2})), IndexError);
  expect_error<IndexError>(
      [&] {
        kernels::scatter_add_to_zeros({3, 4}, 1, from_vector(std::vector<int64_t>{4}, {1, 1}),
                                      zeros({1, 1}));
      },
      {"scatter_add", "4", "size 4"});
  EXPECT_THROW(kernels::scatter_add_to_zeros({3, 4}, 1, idx, Tensor()), ValueError);
}

TEST(OneHot, ValuesShapesAndErrors) {
  const Tensor labels = from_vector(std::vector<int64_t>{2, 0, 1, 2}, {2, 2});
  const Tensor y = kernels::one_hot(labels, 3, DType::Float64);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(kernels::one_hot(transposed(labels, 0, 1), 3, DType::Float32).to_vector<float>(),
            (std::vector<float>{0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1}));
  EXPECT_EQ(kernels::one_hot(ids({}), 4, DType::Float32).shape(), (Shape{0, 4}));
  EXPECT_EQ(kernels::one_hot(ids({1}), 2, DType::Int64).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 1}));
  expect_error<IndexError>(
      [&] {
        kernels::one_hot(ids({0, 3}), 3, DType::Float32);
      },
      {"one_hot", "3", "3 classes"});
  EXPECT_THROW(kernels::one_hot(ids({-1}), 3, DType::Float32), IndexError);
  EXPECT_THROW(kernels::one_hot(ids({0}), 0, DType::Float32), ValueError);
  EXPECT_THROW(kernels::one_hot(tensor({0, 1}), 3, DType::Float32), DTypeError);
}

TEST(Concat, AlongEveryDim) {
  Generator gen(35);
  const Tensor a = randn({2, 3, 4}, gen, DType::Float64);
  const Tensor b = transposed(randn({4, 3, 2}, gen, DType::Float64), 0, 2);  // [2, 3, 4]
  const Tensor c = randn({2, 3, 4}, gen, DType::Float64);
  for (int64_t dim = 0; dim < 3; ++dim) {
    // Parts of different lengths along dim: a whole, b narrowed to 1 (a strided view), c.
    Shape nshape = b.shape();
    nshape[static_cast<size_t>(dim)] = 1;
    const Tensor b1 = Tensor::view_of(b, b.offset(), nshape, b.strides());
    const std::vector<Tensor> parts = {a, b1, c};
    for (int64_t d : {dim, dim - 3}) {
      const Tensor y = concat(parts, d);
      Shape want = a.shape();
      want[static_cast<size_t>(dim)] = a.shape()[static_cast<size_t>(dim)] * 2 + 1;
      ASSERT_EQ(y.shape(), want);
      for_each_index(y.shape(), [&](const Index& i) {
        Index j = i;
        int64_t& at = j[static_cast<size_t>(dim)];
        const int64_t la = a.shape()[static_cast<size_t>(dim)];
        const Tensor* part = &a;
        if (at >= la + 1) {
          at -= la + 1;
          part = &c;
        } else if (at >= la) {
          at -= la;
          part = &b1;
        }
        EXPECT_EQ(get(y, i), get(*part, j));
      });
    }
  }
}

TEST(Concat, EmptyPartsAndSinglePart) {
  const Tensor a = tensor({1, 2, 3, 4}, {2, 2});
  const std::vector<Tensor> with_empty = {zeros({2, 0}), a, zeros({2, 0})};
  EXPECT_EQ(concat(with_empty, 1).to_vector<float>(), a.to_vector<float>());
  const std::vector<Tensor> single = {a};
  const Tensor y = concat(single, 0);
  EXPECT_EQ(y.to_vector<float>(), a.to_vector<float>());
  EXPECT_FALSE(y.shares_storage(a));
  const std::vector<Tensor> empties = {zeros({0, 3}), zeros({0, 3})};
  EXPECT_EQ(concat(empties, 0).shape(), (Shape{0, 3}));
  const std::vector<Tensor> ints = {ones({1}, DType::Int64), zeros({2}, DType::Int64)};
  EXPECT_EQ(concat(ints, 0).to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 0}));
}

TEST(Concat, Errors) {
  EXPECT_THROW(concat(std::vector<Tensor>{}, 0), ValueError);
  const std::vector<Tensor> bad_size = {zeros({2, 3}), zeros({2, 3}), zeros({3, 3})};
  expect_error<ShapeError>([&] { concat(bad_size, 1); }, {"concat", "part 2", "[3, 3]"});
  const std::vector<Tensor> bad_rank = {zeros({2, 3}), zeros({2, 3, 1})};
  expect_error<ShapeError>([&] { concat(bad_rank, 0); }, {"part 1"});
  const std::vector<Tensor> bad_dtype = {zeros({2}), zeros({2}, DType::Float64)};
  expect_error<DTypeError>([&] { concat(bad_dtype, 0); }, {"part 1", "float64"});
  const std::vector<Tensor> ok = {zeros({2}), zeros({2})};
  EXPECT_THROW(concat(ok, 1), IndexError);
  EXPECT_THROW(concat(ok, -2), IndexError);
  const std::vector<Tensor> scalars = {scalar_tensor(1.0), scalar_tensor(2.0)};
  EXPECT_THROW(concat(scalars, 0), IndexError);
  const std::vector<Tensor> undefined = {zeros({2}), Tensor()};
  EXPECT_THROW(concat(undefined, 0), ValueError);
}

TEST(EmbedSlice, WritesTheStridedSliceAndZerosElsewhere) {
  Generator gen(36);
  const Tensor src = transposed(randn({3, 2}, gen, DType::Float64), 0, 1);  // [2, 3]
  for (const auto& start_step : {std::pair<int64_t, int64_t>{0, 1}, {1, 2}, {2, 3}}) {
    const int64_t start = start_step.first, step = start_step.second;
    const Shape shape = {2, start + 2 * step + 1 + 1};
    const Tensor y = kernels::embed_slice(src, shape, 1, start, step);
    ASSERT_EQ(y.shape(), shape);
    for_each_index(shape, [&](const Index& i) {
      const int64_t off = i[1] - start;
      const bool inside = off >= 0 && off % step == 0 && off / step < 3;
      EXPECT_EQ(get(y, i), inside ? get(src, {i[0], off / step}) : 0.0);
    });
  }
  // Along dim 0, negative dim, and an empty source.
  const Tensor rows = tensor({1, 2}, {1, 2});
  EXPECT_EQ(kernels::embed_slice(rows, {3, 2}, -2, 2, 5).to_vector<float>(),
            (std::vector<float>{0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(kernels::embed_slice(zeros({0, 2}), {3, 2}, 0, 3, 1).to_vector<float>(),
            std::vector<float>(6, 0.0f));
  EXPECT_EQ(kernels::embed_slice(ones({2, 0}), {2, 0}, 1, 0, 1).shape(), (Shape{2, 0}));
}

TEST(EmbedSlice, Errors) {
  const Tensor src = ones({2, 3});
  EXPECT_THROW(kernels::embed_slice(src, {2, 10}, 1, 0, 0), ValueError);
  EXPECT_THROW(kernels::embed_slice(src, {2, 10}, 1, 0, -1), ValueError);
  EXPECT_THROW(kernels::embed_slice(src, {2, 10}, 1, -1, 1), IndexError);
  expect_error<IndexError>(
      [&] {
        kernels::embed_slice(src, {2, 10}, 1, 5, 3);
      },
      {"embed_slice", "size 10"});                               // 5, 8, 11
  EXPECT_NO_THROW(kernels::embed_slice(src, {2, 10}, 1, 5, 2));  // 5, 7, 9
  EXPECT_THROW(kernels::embed_slice(src, {2, 10}, 1, 0, int64_t{1} << 62),
               IndexError);  // no overflow
  EXPECT_THROW(kernels::embed_slice(src, {3, 10}, 1, 0, 1), ShapeError);
  EXPECT_THROW(kernels::embed_slice(src, {2, 3, 1}, 1, 0, 1), ShapeError);
  EXPECT_THROW(kernels::embed_slice(src, {2, 10}, 2, 0, 1), IndexError);
  EXPECT_THROW(kernels::embed_slice(scalar_tensor(1.0), {}, 0, 0, 1), IndexError);
}

}  // namespace
}  // namespace descent::kernels
