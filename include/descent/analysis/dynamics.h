#pragma once
// Closed-form dynamics of gradient descent (plain, heavy-ball or Nesterov momentum) on the
// quadratic L(θ) = ½ θᵀAθ, A = QΛQᵀ symmetric (A = XᵀX for a design matrix X).
//
// In the eigenbasis, x = Qᵀθ, every coordinate evolves on its own with λ = λ_i, g = λx:
//
//   plain GD    x ← (1 − αλ) x                         x_t = (1 − αλ)ᵗ x_0
//   heavy ball  v ← μv + λx,  x ← x − αv               (PyTorch's SGD; v_0 = 0, which is the
//   Nesterov    v ← μv + λx,  x ← x − α(λx + μv)        same as its buffer starting at g_0)
//
// so (x, v)_{t+1} = M (x, v)_t once the new velocity is substituted into the x update:
//
//   heavy ball  x' = (1 − αλ) x − αμ v,             v' = λx + μv
//               M = [[1 − αλ, −αμ], [λ, μ]],         tr M = 1 + μ − αλ,        det M = μ
//   Nesterov    x' = (1 − αλ(1 + μ)) x − αμ² v,      v' = λx + μv
//               M = [[1 − αλ(1+μ), −αμ²], [λ, μ]],   tr M = (1 + μ)(1 − αλ),   det M = μ(1 − αλ)
//
// Closed form (Cayley–Hamilton): Mᵗ = U_t M − det(M) U_{t−1} I with U_0 = 0, U_1 = 1 and
// U_{t+1} = tr(M) U_t − det(M) U_{t−1}, i.e. U_t = (r₁ᵗ − r₂ᵗ)/(r₁ − r₂) for the eigenvalues
// r₁,₂ of M. It is evaluated without the recursion and without cancellation near r₁ = r₂:
//   complex pair r = ρe^{±iφ}:  U_t = ρ^{t−1} sin(tφ)/sin φ
//   real, same sign, r₁ = ρe^{ψ} ≥ r₂ = ρe^{−ψ} > 0:  U_t = r₁^{t−1} expm1(−2tψ)/expm1(−2ψ)
//   (negative pairs by U_t(−tr) = (−1)^{t−1} U_t(tr)), real of opposite signs or det = 0 directly.
// Then x_t = (U_t M₀₀ − det(M) U_{t−1}) x_0 since v_0 = 0.
//
// Regimes (of each direction), from the eigenvalues of M, with ρ(M) its spectral radius:
//   plain GD: 0 < αλ ≤ 1 monotone decay, 1 < αλ < 2 oscillating decay, αλ = 2 oscillation,
//             αλ > 2 (or λ < 0) divergence, λ = 0 stationary.
//   general:  ρ > 1 divergence; ρ = 1: stationary when the dominant eigenvalue is +1 (λ = 0),
//             else oscillation; ρ < 1: monotone decay when the dominant eigenvalue is real and
//             ≥ 0 (no sign changes in the long run), else oscillating decay.
// Boundaries are judged with a relative tolerance of 1e-12 (αλ = 0.02·100 counts as 2).
//
// Bounds, with λmin the smallest positive and λmax the largest eigenvalue, κ = λmax/λmin:
//   stable lr          GD α < 2/λmax;  heavy ball α < 2(1 + μ)/λmax;  Nesterov α < 2(1 + μ)/((1 +
//   2μ)λmax)
//                      (the Schur–Cohn conditions |det M| < 1, |tr M| < 1 + det M)
//   optimal GD step    α* = 2/(λmin + λmax),  rate (κ − 1)/(κ + 1)
//   optimal heavy ball α* = (2/(√λmin + √λmax))²,  μ* = ((√κ − 1)/(√κ + 1))²,  rate (√κ − 1)/(√κ +
//   1)
// "rate" is the worst per-step contraction ρ(M) over the directions.
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "descent/analysis/symmetric_eigen.h"

namespace descent::analysis {

// Step size α, momentum μ ≥ 0 and Nesterov (needs μ > 0), as optim::SGD takes them.
struct StepRule {
  double lr = 0.0;
  double momentum = 0.0;
  bool nesterov = false;

  // ValueError unless lr is finite and > 0, momentum finite and ≥ 0, and μ > 0 with nesterov.
  void validate() const;
  // The optimizer spec for descent's SGD, e.g. "sgd:lr=0.015,momentum=0.9,nesterov=true".
  std::string optimizer_spec() const;
};

enum class Regime { Stationary, MonotoneDecay, OscillatingDecay, Oscillation, Divergence };

// "stationary", "monotone decay", "oscillating decay", "oscillation", "divergence".
std::string_view regime_name(Regime regime);

// M acting on (x, v) for one eigenvalue (row-major [[m00, m01], [m10, m11]]).
struct UpdateMatrix {
  double m00 = 0.0, m01 = 0.0, m10 = 0.0, m11 = 0.0;
  double trace() const { return m00 + m11; }
  double det() const { return m00 * m11 - m01 * m10; }
};
UpdateMatrix update_matrix(double lambda, const StepRule& rule);

struct DirectionDynamics {
  double lambda = 0.0;
  double step_product = 0.0;     // αλ
  std::complex<double> r1, r2;   // eigenvalues of M, |r1| ≥ |r2| (r2 = 0 for plain GD)
  double spectral_radius = 0.0;  // |r1|
  Regime regime = Regime::Stationary;
};
DirectionDynamics direction_dynamics(double lambda, const StepRule& rule);

// x_t / x_0 for one eigen-direction from the closed form above (t ≥ 0; v_0 = 0).
double closed_form_factor(double lambda, const StepRule& rule, int64_t t);

struct DynamicsBounds {
  bool defined = false;     // false when λmax ≤ 0 or some eigenvalue is negative
  double lambda_min = 0.0;  // smallest positive eigenvalue
  double lambda_max = 0.0;
  double kappa = 0.0;
  double stable_lr_gd = 0.0;           // 2/λmax
  double stable_lr = 0.0;              // the bound for the rule's own momentum and Nesterov setting
  double optimal_lr = 0.0;             // 2/(λmin + λmax)
  double optimal_rate = 0.0;           // (κ − 1)/(κ + 1)
  double optimal_momentum_lr = 0.0;    // (2/(√λmin + √λmax))²
  double optimal_momentum = 0.0;       // ((√κ − 1)/(√κ + 1))²
  double optimal_momentum_rate = 0.0;  // (√κ − 1)/(√κ + 1)
};
DynamicsBounds dynamics_bounds(const std::vector<double>& eigenvalues, const StepRule& rule);

// The quadratic's matrix and its eigen-decomposition.
struct Quadratic {
  int64_t n = 0;
  std::vector<double> a;  // n×n row-major
  SymmetricEigen eigen;
};
// A = diag(eigenvalues) (Q = I). ValueError for an empty list or non-finite values.
Quadratic quadratic_from_eigenvalues(const std::vector<double>& eigenvalues);
// A given n×n row-major (symmetric; see symmetric_eigen for the errors).
Quadratic quadratic_from_matrix(const std::vector<double>& a, int64_t n);
// A = XᵀX for X rows×cols row-major (rows, cols > 0).
Quadratic quadratic_from_design(const std::vector<double>& x, int64_t rows, int64_t cols);

// A rectangular table of numbers from a headerless CSV: fields separated by ',', spaces/tabs
// around fields and a trailing '\r' ignored, empty lines skipped, every row as wide as the first.
// Errors are FormatErrors "source:line: what" (or "source: what" for an empty table).
struct NumericTable {
  int64_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
};
NumericTable parse_numeric_csv(std::string_view text, std::string_view source);
NumericTable read_numeric_csv(const std::string& path);  // IOError when unreadable

// θ_0 … θ_steps (original coordinates) from a real run of descent's optim::SGD (made by
// make_optimizer from rule.optimizer_spec()) on L = ½θᵀAθ built from autograd ops in float64.
std::vector<std::vector<double>> iterate_quadratic(const Quadratic& q, const StepRule& rule,
                                                   const std::vector<double>& start, int64_t steps);

struct DynamicsReport {
  StepRule rule;
  int64_t steps = 0;
  std::vector<double> start;                  // θ_0
  std::vector<DirectionDynamics> directions;  // one per eigenvalue, ascending λ
  DynamicsBounds bounds;
  std::vector<std::vector<double>> closed;    // [t][i]: x_t = (Qᵀθ_t)_i from the closed form
  std::vector<std::vector<double>> iterated;  // [t][i]: Qᵀθ_t of the optimizer run
  // max over t of ‖closed_t − iterated_t‖_∞ / max(‖x_0‖_∞, ‖iterated_t‖_∞, tiny): relative, so
  // that diverging runs compare too.
  double max_deviation = 0.0;
};

// Everything above for one quadratic and rule; `start` empty means θ_0 = (1, …, 1).
// ValueError for a start of the wrong length, steps < 0 or > 1e6, or an invalid rule.
DynamicsReport analyze_dynamics(const Quadratic& q, const StepRule& rule, int64_t steps,
                                const std::vector<double>& start = {});

}  // namespace descent::analysis
