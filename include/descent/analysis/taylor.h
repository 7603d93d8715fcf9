#pragma once
// Taylor polynomials of scalar functions by repeated automatic differentiation.
//
// The k-th derivative at x0 comes from k nested calls of grad(·, x, {.create_graph = true}) on
// a float64 scalar, so every coefficient is exact up to rounding (no finite differences):
//
//   T_n(x) = Σ_{k=0..n} c_k (x − x0)^k,   c_k = f^(k)(x0) / k!
//
// The lecture's example is sin around 0 with degrees 1, 3, ..., 13: each added odd term widens
// the interval where the polynomial follows the function, and far from x0 every polynomial
// leaves it (|T_n(x)| grows like |x|^n while |sin x| ≤ 1).
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "descent/core/tensor.h"

namespace descent::analysis {

struct ScalarFunction {
  std::string name;
  std::string formula;                         // for display
  std::function<Tensor(const Tensor&)> value;  // elementwise, differentiable to every order
  double domain_min = -std::numeric_limits<double>::infinity();  // open domain (log1p: x > −1)
};

// sin, cos, exp, log1p, tanh, sigmoid, in that order.
const std::vector<std::string>& scalar_function_names();
// ValueError listing the valid names for an unknown one.
ScalarFunction scalar_function_by_name(const std::string& name);

// c_0 .. c_max_degree of f around x0 (float64). ValueError for a negative degree or an x0
// outside the function's domain.
std::vector<double> taylor_coefficients(const ScalarFunction& f, double x0, int max_degree);

// T_degree(x) = Σ_{k ≤ degree} c_k (x − x0)^k by Horner's rule (uses the first degree+1
// coefficients; ValueError if there are fewer).
double taylor_polynomial(const std::vector<double>& coefficients, int degree, double x0, double x);

// f and each requested polynomial on an even grid over [lo, hi], with the largest absolute
// error of each degree over the grid.
struct TaylorTable {
  std::string function;
  double x0 = 0.0;
  std::vector<int> degrees;                          // as requested
  std::vector<double> coefficients = {};             // c_0 .. c_max(degrees)
  std::vector<double> x = {};                        // grid
  std::vector<double> f = {};                        // f(x)
  std::vector<std::vector<double>> polynomial = {};  // [degree index][point]
  std::vector<double> max_error = {};                // [degree index]: max_x |f(x) − T_n(x)|
};

// ValueError for no degrees, a negative degree, lo ≥ hi, a range reaching outside the domain,
// or fewer than 2 points.
TaylorTable taylor_table(const ScalarFunction& f, double x0, const std::vector<int>& degrees,
                         double lo, double hi, int points);

}  // namespace descent::analysis
