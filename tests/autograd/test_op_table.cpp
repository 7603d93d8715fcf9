// Walks the whole op table: every primitive has sample cases (broadcasting, size-1 and empty
// dimensions, non-contiguous views) and each is gradchecked to first and second order. A
// primitive added to the table without cases here fails OpTable.EveryOpHasCases.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>

#include "descent/autograd/op_table.h"
#include "descent/descent.h"

namespace descent {
namespace {

struct Case {
  std::string label;
  std::function<std::vector<Tensor>()> inputs;
  DifferentiableFn fn;
  GradcheckOptions options = {};
  bool second_order = true;
};

Generator& gen() {
  static Generator g(7);
  return g;
}

Tensor leaf(Tensor t) {
  t.set_requires_grad(true);
  return t;
}
// N(0, 1) float64 leaf.
Tensor rnd(const Shape& s) {
  return leaf(randn(s, gen(), DType::Float64));
}
// Uniform in [0.5, 2): safe for log, sqrt, division, fractional powers.
Tensor pos(const Shape& s) {
  return leaf(add(mul(rand(s, gen(), DType::Float64), 1.5), 0.5));
}
// |values| in [0.3, 1.3) with random signs: away from the kinks of abs, relu, clamp at 0.
Tensor away(const Shape& s) {
  const Tensor mag = add(rand(s, gen(), DType::Float64), 0.3);
  const Tensor sgn =
      sub(mul(gt(rand(s, gen(), DType::Float64), scalar_tensor(0.5, DType::Float64)), 2.0),
          scalar_tensor(1.0, DType::Float64));
  return leaf(mul(mag, sgn));
}
// A non-contiguous leaf of shape [r, c] (the transpose of a contiguous [c, r]).
Tensor strided(int64_t r, int64_t c) {
  return leaf(transpose(randn({c, r}, gen(), DType::Float64), 0, 1));
}
// A non-contiguous leaf vector of n elements (every other element of a contiguous 2n).
Tensor every_other(int64_t n) {
  return leaf(slice(randn({2 * n}, gen(), DType::Float64), 0, 0, 2 * n, 2));
}
Tensor idx(std::initializer_list<int64_t> v, const Shape& s) {
  return from_vector(std::span<const int64_t>(v.begin(), v.size()), s);
}

using Fn1 = std::function<Tensor(const Tensor&)>;
using Fn2 = std::function<Tensor(const Tensor&, const Tensor&)>;

Case unary(std::string label, std::function<Tensor()> make, Fn1 f) {
  return {std::move(label), [make] { return std::vector<Tensor>{make()}; },
          [f](const std::vector<Tensor>& v) { return f(v[0]); }};
}
Case binary(std::string label, std::function<Tensor()> ma, std::function<Tensor()> mb, Fn2 f) {
  return {std::move(label),
          [ma, mb] {
            return std::vector<Tensor>{ma(), mb()};
          },
          [f](const std::vector<Tensor>& v) { return f(v[0], v[1]); }};
}

// Standard shapes for a broadcasting binary op: same shape, broadcast row, both sides
// broadcast, non-contiguous, empty, and 0-d with matrix.
std::vector<Case> broadcasting_cases(Fn2 f, std::function<Tensor(const Shape&)> make_b = rnd) {
  auto mb = [make_b](Shape s) { return [make_b, s] { return make_b(s); }; };
  return {
      binary(
          "same [3,4]",
          [] {
            return rnd({3, 4});
          },
          mb({3, 4}), f),
      binary(
          "row broadcast [3,4]x[4]",
          [] {
            return rnd({3, 4});
          },
          mb({4}), f),
      binary(
          "both broadcast [2,1,3]x[1,4,1]",
          [] {
            return rnd({2, 1, 3});
          },
          mb({1, 4, 1}), f),
      binary(
          "non-contiguous [3,4]", [] { return strided(3, 4); }, mb({3, 4}), f),
      binary(
          "empty [0,3]x[3]",
          [] {
            return rnd({0, 3});
          },
          mb({3}), f),
      binary(
          "0-d with [2,2]", [] { return rnd({}); }, mb({2, 2}), f),
  };
}

std::vector<Case> unary_cases(Fn1 f, std::function<Tensor(const Shape&)> make = rnd) {
  return {
      unary(
          "[3,4]",
          [make] {
            return make({3, 4});
          },
          f),
      unary(
          "size-1 [1,5]",
          [make] {
            return make({1, 5});
          },
          f),
      unary(
          "non-contiguous",
          [make] {
            return transpose(make({4, 3}).detach(), 0, 1).detach().set_requires_grad(true);
          },
          f),
      unary(
          "empty [0]", [make] { return make({0}); }, f),
  };
}

std::map<std::string, std::vector<Case>> all_cases() {
  std::map<std::string, std::vector<Case>> c;
  c["add"] = broadcasting_cases([](const Tensor& a, const Tensor& b) { return add(a, b); });
  c["sub"] = broadcasting_cases([](const Tensor& a, const Tensor& b) { return sub(a, b); });
  c["mul"] = broadcasting_cases([](const Tensor& a, const Tensor& b) { return mul(a, b); });
  c["div"] = broadcasting_cases([](const Tensor& a, const Tensor& b) { return div(a, b); }, pos);
  c["pow"] = {
      binary(
          "[3,4]^[4]",
          [] {
            return pos({3, 4});
          },
          [] { return pos({4}); }, [](const Tensor& a, const Tensor& b) { return pow(a, b); }),
      binary(
          "[2,1]^[1,3]",
          [] {
            return pos({2, 1});
          },
          [] {
            return pos({1, 3});
          },
          [](const Tensor& a, const Tensor& b) { return pow(a, b); })};
  c["maximum"] = broadcasting_cases([](const Tensor& a, const Tensor& b) { return maximum(a, b); });
  c["minimum"] = broadcasting_cases([](const Tensor& a, const Tensor& b) { return minimum(a, b); });
  c["add_scalar"] = unary_cases([](const Tensor& x) { return add(x, 2.5); });
  c["mul_scalar"] = unary_cases([](const Tensor& x) { return mul(x, -3.0); });
  c["rsub_scalar"] = unary_cases([](const Tensor& x) { return rsub(x, 2.0); });
  c["pow_scalar"] = unary_cases([](const Tensor& x) { return pow(x, 2.5); }, pos);
  c["pow_scalar"].push_back(unary(
      "cube of any sign",
      [] {
        return rnd({3, 3});
      },
      [](const Tensor& x) { return pow(x, 3.0); }));
  c["pow_scalar"].push_back(unary(
      "square", [] { return rnd({4}); }, [](const Tensor& x) { return pow(x, 2.0); }));
  c["pow_scalar"].push_back(unary(
      "power 0", [] { return rnd({4}); }, [](const Tensor& x) { return pow(x, 0.0); }));
  c["neg"] = unary_cases([](const Tensor& x) { return neg(x); });
  c["exp"] = unary_cases([](const Tensor& x) { return exp(x); });
  c["log"] = unary_cases([](const Tensor& x) { return log(x); }, pos);
  c["sqrt"] = unary_cases([](const Tensor& x) { return sqrt(x); }, pos);
  c["abs"] = unary_cases([](const Tensor& x) { return abs(x); }, away);
  c["tanh"] = unary_cases([](const Tensor& x) { return tanh(x); });
  c["sigmoid"] = unary_cases([](const Tensor& x) { return sigmoid(x); });
  c["relu"] = unary_cases([](const Tensor& x) { return relu(x); }, away);
  c["leaky_relu"] = unary_cases([](const Tensor& x) { return leaky_relu(x, 0.1); }, away);
  c["clamp"] = unary_cases([](const Tensor& x) { return clamp(x, -0.2, 0.25); }, away);
  c["clamp"].push_back(unary(
      "min only", [] { return away({5}); }, [](const Tensor& x) { return clamp_min(x, 0.1); }));
  c["where"] = {{"cond broadcast",
                 [] {
                   return std::vector<Tensor>{rnd({3, 4}), rnd({4})};
                 },
                 [](const std::vector<Tensor>& v) {
                   const Tensor cond = tensor({1, 0, 0, 1}, DType::Float64);
                   return where(cond, v[0], v[1]);
                 }},
                {"int condition, empty",
                 [] {
                   return std::vector<Tensor>{rnd({0, 2}), rnd({0, 2})};
                 },
                 [](const std::vector<Tensor>& v) {
                   return where(zeros({0, 2}, DType::Int64), v[0], v[1]);
                 }}};
  c["cast"] = {{"float64 -> float32 -> float64",
                [] {
                  return std::vector<Tensor>{rnd({3, 2})};
                },
                [](const std::vector<Tensor>& v) {
                  return to(mul(to(v[0], DType::Float32), 2.0), DType::Float64);
                },
                {.eps = 1e-2, .atol = 1e-4, .rtol = 1e-3}}};
  c["sum"] = unary_cases([](const Tensor& x) { return sum(x); });
  c["sum"].push_back(unary(
      "axis 1 keepdim",
      [] {
        return rnd({2, 3, 4});
      },
      [](const Tensor& x) { return sum(x, {1}, true); }));
  c["sum"].push_back(unary(
      "axes {0,2}",
      [] {
        return rnd({2, 3, 4});
      },
      [](const Tensor& x) {
        return sum(x, {0, -1});
      }));
  c["mean"] = unary_cases([](const Tensor& x) { return mean(x); });
  c["mean"].push_back(unary(
      "strided, axis 0", [] { return strided(3, 5); },
      [](const Tensor& x) { return mean(x, {0}); }));
  c["mean"].push_back(unary(
      "axes {0,2} keepdim",
      [] {
        return rnd({2, 3, 4});
      },
      [](const Tensor& x) {
        return mean(x, {0, -1}, true);
      }));
  c["max"] = {unary(
                  "all",
                  [] {
                    return rnd({3, 4});
                  },
                  [](const Tensor& x) { return max(x); }),
              unary(
                  "axis 1",
                  [] {
                    return rnd({3, 4});
                  },
                  [](const Tensor& x) { return max(x, {1}); }),
              unary(
                  "axis 0 keepdim strided", [] { return strided(4, 3); },
                  [](const Tensor& x) { return max(x, {0}, true); })};
  c["min"] = {unary(
                  "all",
                  [] {
                    return rnd({3, 4});
                  },
                  [](const Tensor& x) { return min(x); }),
              unary(
                  "axes {0,2}",
                  [] {
                    return rnd({2, 3, 2});
                  },
                  [](const Tensor& x) {
                    return min(x, {0, 2});
                  })};
  Fn2 mm = [](const Tensor& a, const Tensor& b) { return matmul(a, b); };
  c["matmul"] = {
      binary(
          "[3,4]@[4,5]",
          [] {
            return rnd({3, 4});
          },
          [] {
            return rnd({4, 5});
          },
          mm),
      binary(
          "batched broadcast [2,3,4]@[4,2]",
          [] {
            return rnd({2, 3, 4});
          },
          [] {
            return rnd({4, 2});
          },
          mm),
      binary(
          "batch broadcast [2,1,2,3]@[3,3,2]",
          [] {
            return rnd({2, 1, 2, 3});
          },
          [] {
            return rnd({3, 3, 2});
          },
          mm),
      binary(
          "transposed operands", [] { return strided(3, 4); }, [] { return strided(4, 2); }, mm),
      binary(
          "vector @ matrix", [] { return rnd({4}); },
          [] {
            return rnd({4, 3});
          },
          mm),
      binary(
          "matrix @ vector",
          [] {
            return rnd({2, 4});
          },
          [] { return rnd({4}); }, mm),
      binary(
          "empty inner",
          [] {
            return rnd({2, 0});
          },
          [] {
            return rnd({0, 3});
          },
          mm)};
  c["linear"] = {{"batch with bias",
                  [] {
                    return std::vector<Tensor>{rnd({4, 3}), rnd({2, 3}), rnd({2})};
                  },
                  [](const std::vector<Tensor>& v) { return linear(v[0], v[1], v[2]); }},
                 {"3-D input, strided weight, no bias",
                  [] {
                    return std::vector<Tensor>{rnd({2, 3, 4}), strided(5, 4)};
                  },
                  [](const std::vector<Tensor>& v) { return linear(v[0], v[1]); }},
                 {"1-D input",
                  [] {
                    return std::vector<Tensor>{rnd({3}), rnd({2, 3}), rnd({2})};
                  },
                  [](const std::vector<Tensor>& v) { return linear(v[0], v[1], v[2]); }}};
  c["reshape"] = {unary(
                      "[3,4]->[2,6]",
                      [] {
                        return rnd({3, 4});
                      },
                      [](const Tensor& x) {
                        return reshape(x, {2, -1});
                      }),
                  unary(
                      "strided -> flat", [] { return strided(3, 4); },
                      [](const Tensor& x) { return reshape(x, {12}); }),
                  unary(
                      "unsqueeze/squeeze", [] { return rnd({3}); },
                      [](const Tensor& x) { return squeeze(unsqueeze(x, 0), 0); })};
  c["permute"] = {unary(
                      "{2,0,1}",
                      [] {
                        return rnd({2, 3, 4});
                      },
                      [](const Tensor& x) {
                        return permute(x, {2, 0, 1});
                      }),
                  unary(
                      "transpose strided", [] { return strided(2, 3); },
                      [](const Tensor& x) { return transpose(x, 0, 1); })};
  c["expand"] = {
      unary(
          "[3,1]->[2,3,4]",
          [] {
            return rnd({3, 1});
          },
          [](const Tensor& x) {
            return expand(x, {2, 3, 4});
          }),
      unary(
          "[1]->[0]", [] { return rnd({1}); }, [](const Tensor& x) { return expand(x, {0}); })};
  c["slice"] = {
      unary(
          "1:5:2",
          [] {
            return rnd({5, 4});
          },
          [](const Tensor& x) { return slice(x, 0, 1, 5, 2); }),
      unary(
          "negative start, dim -1",
          [] {
            return rnd({3, 5});
          },
          [](const Tensor& x) { return slice(x, -1, -3, 5); }),
      unary(
          "select", [] { return strided(3, 4); }, [](const Tensor& x) { return select(x, 1, -1); }),
      unary(
          "empty slice", [] { return rnd({4}); },
          [](const Tensor& x) { return slice(x, 0, 3, 3); })};
  c["embed_slice"] = {unary(
      "into [5,4] at 1::2",
      [] {
        return rnd({2, 4});
      },
      [](const Tensor& x) {
        return embed_slice(x, {5, 4}, 0, 1, 2);
      })};
  c["concat"] = {{"three parts along 1 (one empty)",
                  [] {
                    return std::vector<Tensor>{rnd({2, 3}), rnd({2, 0}), strided(2, 2)};
                  },
                  [](const std::vector<Tensor>& v) {
                    return concat({v[0], v[1], v[2]}, 1);
                  }},
                 {"stack",
                  [] {
                    return std::vector<Tensor>{rnd({3}), rnd({3})};
                  },
                  [](const std::vector<Tensor>& v) {
                    return stack({v[0], v[1]}, 1);
                  }}};
  c["contiguous"] = {
      unary(
          "strided", [] { return strided(3, 2); }, [](const Tensor& x) { return contiguous(x); }),
      unary(
          "clone",
          [] {
            return rnd({2, 2});
          },
          [](const Tensor& x) { return clone(x); })};
  c["index_select"] = {unary(
                           "dim 0 with repeats",
                           [] {
                             return rnd({5, 3});
                           },
                           [](const Tensor& x) {
                             return index_select(x, 0, idx({4, 0, 4}, {3}));
                           }),
                       unary(
                           "dim 1 strided", [] { return strided(3, 4); },
                           [](const Tensor& x) {
                             return index_select(x, 1, idx({1, 3}, {2}));
                           })};
  c["index_add"] = {binary(
      "dim 0 with repeats",
      [] {
        return rnd({5, 3});
      },
      [] {
        return rnd({3, 3});
      },
      [](const Tensor& b, const Tensor& s) {
        return index_add(b, 0, idx({4, 0, 4}, {3}), s);
      })};
  c["gather"] = {unary(
                     "labels along 1",
                     [] {
                       return rnd({4, 5});
                     },
                     [](const Tensor& x) {
                       return gather(x, 1, idx({0, 4, 2, 2, 1, 1, 3, 0}, {4, 2}));
                     }),
                 unary(
                     "dim 0 strided", [] { return strided(3, 2); },
                     [](const Tensor& x) {
                       return gather(x, 0, idx({2, 0}, {1, 2}));
                     })};
  c["scatter_add"] = {binary(
      "along 1 with repeats",
      [] {
        return rnd({4, 5});
      },
      [] {
        return rnd({4, 2});
      },
      [](const Tensor& b, const Tensor& s) {
        return scatter_add(b, 1, idx({0, 4, 2, 2, 1, 1, 3, 0}, {4, 2}), s);
      })};
  c["log_softmax"] = {unary(
                          "dim 1",
                          [] {
                            return rnd({3, 5});
                          },
                          [](const Tensor& x) { return log_softmax(x, 1); }),
                      unary(
                          "dim 0 strided", [] { return strided(4, 3); },
                          [](const Tensor& x) { return log_softmax(x, 0); }),
                      unary(
                          "softmax",
                          [] {
                            return rnd({2, 4});
                          },
                          [](const Tensor& x) { return softmax(x, -1); }),
                      unary(
                          "logsumexp",
                          [] {
                            return rnd({2, 4});
                          },
                          [](const Tensor& x) { return logsumexp(x, 1); })};
  const auto bn = [](const std::vector<Tensor>& v) {
    return batch_normalize(v[0], v.size() > 1 ? v[1] : Tensor(), v.size() > 2 ? v[2] : Tensor(),
                           1e-5);
  };
  c["batch_norm"] = {
      {"[6,3] with weight and bias",
       [] {
         return std::vector<Tensor>{rnd({6, 3}), rnd({3}), rnd({3})};
       },
       bn},
      {"[3,2,4] with weight and bias",
       [] {
         return std::vector<Tensor>{rnd({3, 2, 4}), rnd({2}), rnd({2})};
       },
       bn},
      {"strided [5,3], no weight or bias", [] { return std::vector<Tensor>{strided(5, 3)}; }, bn},
      {"[6,3], strided weight and bias",
       [] {
         return std::vector<Tensor>{rnd({6, 3}), every_other(3), every_other(3)};
       },
       bn},
      {"size-1 trailing axis [4,3,1], weight only",
       [] {
         return std::vector<Tensor>{rnd({4, 3, 1}), rnd({3})};
       },
       bn},
      {"no channels [4,0]",
       [] {
         return std::vector<Tensor>{rnd({4, 0}), rnd({0}), rnd({0})};
       },
       bn}};
  const auto ln = [](int64_t k) {
    return [k](const std::vector<Tensor>& v) {
      return layer_normalize(v[0], k, v.size() > 1 ? v[1] : Tensor(),
                             v.size() > 2 ? v[2] : Tensor(), 1e-5);
    };
  };
  c["layer_norm"] = {{"[4,6] with weight and bias",
                      [] {
                        return std::vector<Tensor>{rnd({4, 6}), rnd({6}), rnd({6})};
                      },
                      ln(1)},
                     {"[4,6], strided weight and bias",
                      [] {
                        return std::vector<Tensor>{rnd({4, 6}), every_other(6), every_other(6)};
                      },
                      ln(1)},
                     {"[2,3,4] over the last two, weight only",
                      [] {
                        return std::vector<Tensor>{rnd({2, 3, 4}), rnd({3, 4})};
                      },
                      ln(2)},
                     {"strided [3,5], no weight or bias",
                      [] { return std::vector<Tensor>{strided(3, 5)}; }, ln(1)},
                     {"rows of one [3,1], with weight and bias",
                      [] {
                        return std::vector<Tensor>{rnd({3, 1}), rnd({1}), rnd({1})};
                      },
                      ln(1)},
                     {"no rows [0,4]",
                      [] {
                        return std::vector<Tensor>{rnd({0, 4}), rnd({4}), rnd({4})};
                      },
                      ln(1)}};
  return c;
}

TEST(OpTable, EveryOpHasCases) {
  const auto cases = all_cases();
  std::set<std::string> table;
  for (const autograd::OpDef* op : autograd::op_table()) {
    table.insert(op->name);
    EXPECT_TRUE(cases.count(op->name)) << "primitive '" << op->name << "' has no gradcheck cases";
  }
  for (const auto& [name, list] : cases) {
    EXPECT_TRUE(table.count(name)) << "cases for '" << name << "', which is not in the op table";
    EXPECT_FALSE(list.empty()) << name;
  }
}

class OpGradcheck : public ::testing::TestWithParam<std::string> {};

TEST_P(OpGradcheck, FirstAndSecondOrder) {
  const auto cases = all_cases();
  const auto it = cases.find(GetParam());
  ASSERT_NE(it, cases.end());
  for (const Case& c : it->second) {
    SCOPED_TRACE(GetParam() + ": " + c.label);
    const std::vector<Tensor> inputs = c.inputs();
    const GradcheckResult first = gradcheck(c.fn, inputs, c.options);
    EXPECT_TRUE(first.ok) << first.message;
    if (c.second_order) {
      const GradcheckResult second = gradgradcheck(c.fn, inputs, c.options);
      EXPECT_TRUE(second.ok) << second.message;
    }
  }
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const autograd::OpDef* op : autograd::op_table()) names.push_back(op->name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(AllPrimitives, OpGradcheck, ::testing::ValuesIn(op_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace descent
