// Tensor storage, views, creation and the errors for bad shapes and dtypes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "descent/descent.h"

namespace descent {
namespace {

TEST(Tensor, CreationShapesAndValues) {
  Tensor z = zeros({2, 3});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::Float32);
  EXPECT_EQ(z.numel(), 6);
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(ones({2}, DType::Int64).to_vector<int64_t>(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(full({3}, 2.5, DType::Float64).to_vector<double>(),
            (std::vector<double>{2.5, 2.5, 2.5}));
  EXPECT_EQ(arange(4).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(arange(1.0, 2.0, 0.25, DType::Float64).to_vector<double>(),
            (std::vector<double>{1, 1.25, 1.5, 1.75}));
  EXPECT_EQ(linspace(0, 1, 5, DType::Float64).to_vector<double>(),
            (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(linspace(-1, 1, 1).numel(), 1);
  EXPECT_EQ(scalar_tensor(3.0).dim(), 0);
  EXPECT_DOUBLE_EQ(scalar_tensor(3.0).item(), 3.0);
  Tensor t = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64);
  EXPECT_DOUBLE_EQ(t.at({1, 2}), 6.0);
  EXPECT_EQ(zeros({0, 4}).numel(), 0);
}

TEST(Tensor, ViewsShareStorage) {
  Tensor t = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64);
  Tensor tt = transpose(t, 0, 1);
  EXPECT_TRUE(tt.shares_storage(t));
  EXPECT_FALSE(tt.is_contiguous());
  EXPECT_EQ(tt.to_vector<double>(), (std::vector<double>{1, 4, 2, 5, 3, 6}));
  Tensor row = select(t, 0, 1);
  EXPECT_EQ(row.to_vector<double>(), (std::vector<double>{4, 5, 6}));
  row.fill_(0.0);  // writes through the view
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{1, 2, 3, 0, 0, 0}));
  Tensor r = reshape(t, {3, 2});
  EXPECT_TRUE(r.shares_storage(t));
  Tensor flat = reshape(tt, {6});  // not expressible as a view: copies
  EXPECT_FALSE(flat.shares_storage(t));
  EXPECT_EQ(flat.to_vector<double>(), (std::vector<double>{1, 0, 2, 0, 3, 0}));
  Tensor e = expand(tensor({7}, DType::Float64), {2, 3});
  EXPECT_EQ(e.strides(), (Shape{0, 0}));
  EXPECT_EQ(e.to_vector<double>(), std::vector<double>(6, 7.0));
}

TEST(Tensor, SliceFollowsPythonRules) {
  Tensor t = arange(10);
  EXPECT_EQ(slice(t, 0, 2, 8, 3).to_vector<int64_t>(), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(slice(t, 0, -3, 100).to_vector<int64_t>(), (std::vector<int64_t>{7, 8, 9}));
  EXPECT_EQ(slice(t, 0, 5, 2).numel(), 0);
  EXPECT_THROW(slice(t, 0, 0, 5, 0), ValueError);
  EXPECT_THROW(slice(t, 1, 0, 5), IndexError);
}

TEST(Tensor, BroadcastingFollowsNumPy) {
  Tensor a = reshape(arange(0.0, 3.0, 1.0), {3, 1});
  Tensor b = arange(0.0, 4.0, 1.0);
  Tensor c = add(a, b);
  EXPECT_EQ(c.shape(), (Shape{3, 4}));
  EXPECT_DOUBLE_EQ(c.at({2, 3}), 5.0);
  try {
    add(zeros({2, 3}), zeros({4}));
    FAIL();
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("add"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[2, 3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[4]"), std::string::npos) << msg;
  }
}

TEST(Tensor, DTypePromotion) {
  Tensor i = arange(3);
  Tensor f = ones({3});
  EXPECT_EQ(add(i, f).dtype(), DType::Float32);
  EXPECT_EQ(add(f, ones({3}, DType::Float64)).dtype(), DType::Float64);
  EXPECT_EQ(mul(i, 2.0).dtype(), DType::Int64);
  EXPECT_EQ(mul(i, 0.5).dtype(), DType::Float32);
  EXPECT_EQ(to(f, DType::Int64).dtype(), DType::Int64);
}

TEST(Tensor, ErrorsNameTheOpAndShapes) {
  auto expect_msg = [](auto fn, const char* op, const char* shape) {
    try {
      fn();
      ADD_FAILURE() << op << " did not throw";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(op), std::string::npos) << msg;
      EXPECT_NE(msg.find(shape), std::string::npos) << msg;
    }
  };
  expect_msg([] { matmul(zeros({2, 3}), zeros({4, 5})); }, "matmul", "[2, 3]");
  expect_msg([] { reshape(zeros({2, 3}), {4}); }, "reshape", "[2, 3]");
  expect_msg([] { exp(arange(3)); }, "exp", "int64");
  expect_msg([] { log_softmax(arange(3), 0); }, "log_softmax", "int64");
  expect_msg([] { sum(zeros({2, 3}), {2}); }, "sum", "axis 2");
  expect_msg([] { permute(zeros({2, 3}), {0}); }, "permute", "[2, 3]");
  expect_msg([] { expand(zeros({2, 3}), {4, 3}); }, "expand", "[2, 3]");
  expect_msg([] { zeros({2, -1}); }, "tensor", "[2, -1]");
  expect_msg([] { zeros({2, 3}).item(); }, "item", "[2, 3]");
  expect_msg([] { gather(zeros({2, 3}), 1, tensor({5, 0}, {2, 1}, DType::Int64)); }, "gather", "5");
}

TEST(Tensor, HugeShapesAreRefusedNotAllocated) {
  const auto message = [](const Shape& shape, DType dtype) {
    try {
      Tensor::empty(shape, dtype);
    } catch (const ShapeError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({int64_t{1} << 40, int64_t{1} << 40}, DType::Float32),
            "tensor: element count of shape [1099511627776, 1099511627776] overflows int64");
  EXPECT_EQ(message({int64_t{1} << 62, 4}, DType::Float32),
            "tensor: element count of shape [4611686018427387904, 4] overflows int64");
  EXPECT_EQ(message({int64_t{1} << 61, 2}, DType::Float64),
            "tensor: byte size of shape [2305843009213693952, 2] overflows (8 bytes per element)");
  // A negative size is named even where the product would also overflow.
  EXPECT_EQ(message({int64_t{1} << 62, 4, -1}, DType::Float32),
            "tensor: negative dimension in shape [4611686018427387904, 4, -1]");
}

TEST(Tensor, StorageTheSystemRefusesIsAnErrorNamingTheShape) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's operator new aborts on a failed allocation instead of "
                  "throwing std::bad_alloc";
#endif
  // 2^62 bytes fit the size arithmetic but no address space, whatever the overcommit policy.
  try {
    Tensor::empty({int64_t{1} << 30, int64_t{1} << 30}, DType::Float32);
    FAIL() << "no error";
  } catch (const OutOfMemoryError& e) {
    EXPECT_EQ(std::string(e.what()),
              "tensor: out of memory for shape [1073741824, 1073741824] float32 "
              "(4611686018427387904 bytes, 4.29e+09 GiB)");
  }
  EXPECT_NO_THROW(Tensor::empty({4, 4}, DType::Float32));  // and nothing is left broken
}

TEST(Tensor, IntegerEdgeCasesAreDefined) {
  const Tensor big = full({2}, 9.2e18, DType::Int64);
  EXPECT_NO_THROW(add(big, big));  // wraps, no undefined behaviour
  EXPECT_THROW(div(arange(3), zeros({3}, DType::Int64)), ValueError);
  EXPECT_THROW(to(full({1}, 1e30, DType::Float64), DType::Int64), ValueError);
  EXPECT_THROW(to(full({1}, NAN, DType::Float64), DType::Int64), ValueError);
  EXPECT_EQ(clamp(arange(5), 1, INFINITY).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 1, 2, 3, 4}));
}

TEST(Tensor, InPlaceOpsAndVersions) {
  Tensor t = zeros({3}, DType::Float64);
  const uint64_t v0 = t.storage()->version();
  t.add_(ones({3}, DType::Float64), 2.0);
  t.mul_(tensor({1, 2, 3}, DType::Float64));
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{2, 4, 6}));
  EXPECT_GT(t.storage()->version(), v0);
  t.copy_(tensor({9}, DType::Float64));  // broadcast copy
  EXPECT_EQ(t.to_vector<double>(), (std::vector<double>{9, 9, 9}));
  Tensor e = expand(zeros({1}), {3});
  EXPECT_THROW(e.fill_(1.0), ValueError);
  EXPECT_THROW(t.add_(ones({4}, DType::Float64)), ShapeError);
}

TEST(Tensor, ComparisonsAndWhere) {
  Tensor a = tensor({1, 5, 3}, DType::Float64);
  Tensor b = tensor({2, 5, 1}, DType::Float64);
  EXPECT_EQ(lt(a, b).to_vector<double>(), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(eq(a, b).to_vector<double>(), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(ge(a, b).to_vector<double>(), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(where(gt(a, b), a, b).to_vector<double>(), (std::vector<double>{2, 5, 3}));
  EXPECT_EQ(argmax(tensor({1, 7, 7, 2}), 0).item(), 1.0);  // first occurrence
}

TEST(Tensor, OneHotAndIndexing) {
  Tensor oh = one_hot(tensor({2, 0}, DType::Int64), 3);
  EXPECT_EQ(oh.to_vector<float>(), (std::vector<float>{0, 0, 1, 1, 0, 0}));
  EXPECT_THROW(one_hot(tensor({3}, DType::Int64), 3), IndexError);
  Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(gather(x, 1, tensor({2, 0}, {2, 1}, DType::Int64)).to_vector<float>(),
            (std::vector<float>{3, 4}));
  EXPECT_EQ(index_select(x, 0, tensor({1, 1}, DType::Int64)).to_vector<float>(),
            (std::vector<float>{4, 5, 6, 4, 5, 6}));
  EXPECT_EQ(concat({x, x}, 0).shape(), (Shape{4, 3}));
  EXPECT_EQ(stack({x, x}, 1).shape(), (Shape{2, 2, 3}));
}

TEST(Tensor, LogSoftmaxIsStable) {
  Tensor x = tensor({1000, 0, -1000}, {1, 3}, DType::Float64);
  const auto y = log_softmax(x, 1).to_vector<double>();
  EXPECT_DOUBLE_EQ(y[0], 0.0);
  EXPECT_DOUBLE_EQ(y[1], -1000.0);
  Tensor f = tensor({88, 89, 90}, {1, 3});
  for (float v : log_softmax(f, 1).to_vector<float>()) EXPECT_TRUE(std::isfinite(v));
}

TEST(Tensor, Float32TranscendentalsAreAccurate) {
  Tensor x = linspace(-12, 12, 2001, DType::Float64);
  const auto xs = x.to_vector<double>();
  const auto th = tanh(to(x, DType::Float32)).to_vector<float>();
  const auto sg = sigmoid(to(x, DType::Float32)).to_vector<float>();
  const auto ex = exp(to(x, DType::Float32)).to_vector<float>();
  for (size_t i = 0; i < xs.size(); ++i) {
    const double xf = static_cast<float>(xs[i]);
    EXPECT_NEAR(th[i], std::tanh(xf), 3e-7) << xf;  // a few ulp (clamped to ±1 beyond 7.9)
    EXPECT_NEAR(sg[i], 1 / (1 + std::exp(-xf)), 2e-7 * (1 / (1 + std::exp(-xf))) + 1e-30) << xf;
    EXPECT_NEAR(ex[i], std::exp(xf), 2e-7 * std::exp(xf)) << xf;
  }
  EXPECT_TRUE(std::isnan(tanh(full({1}, NAN)).item()));
  EXPECT_FLOAT_EQ(static_cast<float>(tanh(full({1}, 1e-7)).item()), 1e-7f);
}

}  // namespace
}  // namespace descent

namespace descent {
namespace {

// Outputs beyond the streaming threshold take the non-temporal store path: same values,
// including a destination that starts off a 32-byte boundary.
TEST(Tensor, LargeElementwiseResultsAreExact) {
  const int64_t n = 5'000'017;  // 20 MB of float32, not a multiple of the vector width
  Tensor a = arange(0.0, static_cast<double>(n), 1.0);
  Tensor b = full({n}, 0.5);
  const auto sum = add(a, b).to_vector<float>();
  for (int64_t i = 0; i < n; i += 99991)
    EXPECT_EQ(sum[static_cast<size_t>(i)], static_cast<float>(i) + 0.5f);
  EXPECT_EQ(sum.back(), static_cast<float>(n - 1) + 0.5f);
  Tensor d = arange(0.0, static_cast<double>(n), 1.0, DType::Float64);
  Tensor view = slice(d, 0, 1, n);  // starts 8 bytes into its storage
  view.add_(full({n - 1}, 2.0, DType::Float64));
  EXPECT_EQ(d.at({0}), 0.0);
  EXPECT_EQ(d.at({1}), 3.0);
  EXPECT_EQ(d.at({n - 1}), static_cast<double>(n + 1));
  const auto e = exp(mul(a, 0.0)).to_vector<float>();
  EXPECT_EQ(e.front(), 1.0f);
  EXPECT_EQ(e.back(), 1.0f);
}

}  // namespace
}  // namespace descent
