// Per-direction dynamics of GD / heavy ball / Nesterov on a quadratic: the 2×2 update matrix,
// its eigenvalues, the closed-form power and the regime; the step-size bounds. Equations in
// dynamics.h.
#include "descent/analysis/dynamics.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/core/error.h"

namespace descent::analysis {
namespace {

// Relative tolerance for regime boundaries (αλ = 1, αλ = 2, ρ = 1).
constexpr double kBoundaryTol = 1e-12;

// U_t(tr, det) = (r₁ᵗ − r₂ᵗ)/(r₁ − r₂) for the roots of z² − tr z + det, in closed form.
double chebyshev_u(double tr, double det, int64_t t) {
  if (t == 0) return 0.0;
  const double tm1 = static_cast<double>(t - 1);
  if (det == 0.0) return std::pow(tr, tm1);  // roots tr and 0 (pow(0, 0) = 1)
  if (det < 0.0) {
    // Real roots of opposite signs, |r₁ − r₂| = √(tr² − 4det) > 2√|det|: no cancellation.
    const double s = std::sqrt(tr * tr - 4.0 * det);
    const double r1 = 0.5 * (tr + std::copysign(s, tr));
    const double r2 = det / r1;
    return (std::pow(r1, static_cast<double>(t)) - std::pow(r2, static_cast<double>(t))) /
           (r1 - r2);
  }
  // det > 0: both roots have the same sign (or are a complex pair). Negating tr negates both
  // roots, and U_t(−tr) = (−1)^{t−1} U_t(tr).
  if (tr < 0.0) return (t % 2 == 1 ? 1.0 : -1.0) * chebyshev_u(-tr, det, t);
  const double rho = std::sqrt(det);
  const double c = tr / (2.0 * rho);
  if (c < 1.0) {
    // r = ρe^{±iφ}: U_t = ρ^{t−1} sin(tφ)/sin φ.
    const double phi = std::acos(c);
    if (phi == 0.0) return static_cast<double>(t) * std::pow(rho, tm1);
    return std::pow(rho, tm1) * std::sin(static_cast<double>(t) * phi) / std::sin(phi);
  }
  // r₁,₂ = ρe^{±ψ}: U_t = ρ^{t−1} sinh(tψ)/sinh ψ = r₁^{t−1} (1 − e^{−2tψ})/(1 − e^{−2ψ}),
  // written so that neither factor overflows alone and ψ → 0 (a double root) stays accurate.
  const double psi = std::acosh(c);
  if (psi == 0.0) return static_cast<double>(t) * std::pow(rho, tm1);
  const double r1 = rho * std::exp(psi);
  return std::pow(r1, tm1) * std::expm1(-2.0 * static_cast<double>(t) * psi) /
         std::expm1(-2.0 * psi);
}

// det M in its exact form (μ, or μ(1 − αλ) for Nesterov), free of the m00·m11 − m01·m10
// cancellation.
double update_det(double lambda, const StepRule& rule) {
  return rule.nesterov ? rule.momentum * (1.0 - rule.lr * lambda) : rule.momentum;
}

Regime classify(double lambda, std::complex<double> r1, std::complex<double> r2) {
  const double rho = std::abs(r1);
  if (rho > 1.0 + kBoundaryTol) return Regime::Divergence;
  const bool r1_real = std::abs(r1.imag()) <= kBoundaryTol * std::max(rho, 1.0);
  if (rho >= 1.0 - kBoundaryTol) {
    // ρ = 1 with the eigenvalue +1 happens only for αλ = 0: nothing moves.
    return (r1_real && r1.real() > 0.0) || lambda == 0.0 ? Regime::Stationary : Regime::Oscillation;
  }
  if (rho <= kBoundaryTol) return Regime::MonotoneDecay;  // e.g. αλ = 1: done in one step
  if (!r1_real || r1.real() < 0.0) return Regime::OscillatingDecay;
  // A negative r₂ of the same modulus makes the dominant part alternate too.
  if (r2.real() < 0.0 && std::abs(r2) >= rho * (1.0 - kBoundaryTol))
    return Regime::OscillatingDecay;
  return Regime::MonotoneDecay;
}

}  // namespace

void StepRule::validate() const {
  if (!std::isfinite(lr) || lr <= 0.0)
    throw ValueError(fmt::format("dynamics: lr must be a finite number > 0, got {}", lr));
  if (!std::isfinite(momentum) || momentum < 0.0) {
    throw ValueError(
        fmt::format("dynamics: momentum must be a finite number >= 0, got {}", momentum));
  }
  if (nesterov && momentum <= 0.0)
    throw ValueError("dynamics: Nesterov momentum requires momentum > 0");
}

std::string StepRule::optimizer_spec() const {
  // fmt's "{}" writes the shortest text that reads back as the same double.
  std::string spec = fmt::format("sgd:lr={}", lr);
  if (momentum != 0.0) spec += fmt::format(",momentum={}", momentum);
  if (nesterov) spec += ",nesterov=true";
  return spec;
}

std::string_view regime_name(Regime regime) {
  switch (regime) {
    case Regime::Stationary:
      return "stationary";
    case Regime::MonotoneDecay:
      return "monotone decay";
    case Regime::OscillatingDecay:
      return "oscillating decay";
    case Regime::Oscillation:
      return "oscillation";
    case Regime::Divergence:
      return "divergence";
  }
  return "unknown";
}

UpdateMatrix update_matrix(double lambda, const StepRule& rule) {
  const double a = rule.lr, mu = rule.momentum;
  if (rule.nesterov) return {1.0 - a * lambda * (1.0 + mu), -a * mu * mu, lambda, mu};
  return {1.0 - a * lambda, -a * mu, lambda, mu};
}

DirectionDynamics direction_dynamics(double lambda, const StepRule& rule) {
  rule.validate();
  DirectionDynamics d;
  d.lambda = lambda;
  d.step_product = rule.lr * lambda;
  const UpdateMatrix m = update_matrix(lambda, rule);
  const double tr = m.trace(), det = update_det(lambda, rule);
  const double disc = tr * tr - 4.0 * det;
  if (disc >= 0.0) {
    const double s = std::sqrt(disc);
    const double r1 = 0.5 * (tr + std::copysign(s, tr));
    d.r1 = r1;
    d.r2 = r1 != 0.0 ? det / r1 : 0.0;
  } else {
    const double im = 0.5 * std::sqrt(-disc);
    d.r1 = {0.5 * tr, im};
    d.r2 = {0.5 * tr, -im};
  }
  d.spectral_radius = std::abs(d.r1);
  d.regime = classify(lambda, d.r1, d.r2);
  return d;
}

double closed_form_factor(double lambda, const StepRule& rule, int64_t t) {
  rule.validate();
  if (t < 0) throw ValueError(fmt::format("dynamics: step count must be >= 0, got {}", t));
  // λ = 0: the gradient is zero and nothing moves (the formula would give 1 only to ~tε).
  if (t == 0 || lambda == 0.0) return 1.0;
  const UpdateMatrix m = update_matrix(lambda, rule);
  const double det = update_det(lambda, rule);
  // (Mᵗ)₀₀ = U_t M₀₀ − det U_{t−1}; v_0 = 0 so x_t = (Mᵗ)₀₀ x_0.
  return chebyshev_u(m.trace(), det, t) * m.m00 - det * chebyshev_u(m.trace(), det, t - 1);
}

DynamicsBounds dynamics_bounds(const std::vector<double>& eigenvalues, const StepRule& rule) {
  rule.validate();
  DynamicsBounds b;
  if (eigenvalues.empty()) return b;
  const double lmax = *std::max_element(eigenvalues.begin(), eigenvalues.end());
  if (!(lmax > 0.0)) return b;
  // Eigenvalues within rounding of zero (XᵀX of a rank-deficient X) are zero: directions that
  // never move and take no part in the rates.
  const double zero = 1e-12 * lmax;
  double lmin = lmax;
  for (double l : eigenvalues) {
    if (l < -zero) return b;  // indefinite: no minimum, no bounds
    if (l > zero) lmin = std::min(lmin, l);
  }
  const double mu = rule.momentum;
  b.defined = true;
  b.lambda_min = lmin;
  b.lambda_max = lmax;
  b.kappa = lmax / lmin;
  b.stable_lr_gd = 2.0 / lmax;
  if (mu == 0.0) {
    b.stable_lr = b.stable_lr_gd;
  } else if (mu >= 1.0) {
    b.stable_lr = 0.0;  // heavy ball: det M = μ ≥ 1; Nesterov: only a window bounded below
  } else {
    b.stable_lr =
        rule.nesterov ? 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * lmax) : 2.0 * (1.0 + mu) / lmax;
  }
  b.optimal_lr = 2.0 / (lmin + lmax);
  b.optimal_rate = (b.kappa - 1.0) / (b.kappa + 1.0);
  const double sk = std::sqrt(b.kappa);
  const double root_sum = std::sqrt(lmin) + std::sqrt(lmax);
  b.optimal_momentum_lr = (2.0 / root_sum) * (2.0 / root_sum);
  b.optimal_momentum_rate = (sk - 1.0) / (sk + 1.0);
  b.optimal_momentum = b.optimal_momentum_rate * b.optimal_momentum_rate;
  return b;
}

}  // namespace descent::analysis
