// Damped Newton: exact Hessian by double backward, Cholesky solve with an identity shift for
// indefinite curvature, optional Levenberg–Marquardt damping.
#include "descent/optim/newton.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "descent/autograd/engine.h"
#include "descent/core/error.h"
#include "flat_params.h"

namespace descent::optim {

void NewtonOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  require_non_negative(optimizer, "damping", damping);
  if (!(damping_increase > 1.0)) {
    throw_optimizer_error(
        optimizer, fmt::format("invalid damping_increase {} (must be > 1)", damping_increase));
  }
  if (!(damping_decrease > 0.0 && damping_decrease <= 1.0)) {
    throw_optimizer_error(optimizer, fmt::format("invalid damping_decrease {} (must be in (0, 1])",
                                                 damping_decrease));
  }
  if (on_indefinite != "shift" && on_indefinite != "error") {
    throw_optimizer_error(
        optimizer, fmt::format("invalid on_indefinite '{}' (valid: shift, error)", on_indefinite));
  }
}

Newton::Newton(std::vector<Tensor> params, const NewtonOptions& options)
    : Optimizer("Newton"), params_(std::move(params)), options_(options) {
  options_.validate(name());
  check_new_params(params_);
  if (params_.empty()) throw_optimizer_error(name(), "got an empty parameter list");
  numel_ = detail::total_numel(params_);
  if (numel_ > kMaxParams) {
    throw_optimizer_error(
        name(), fmt::format("{} parameters exceed the limit of {}: the exact Hessian needs {} "
                            "backward passes and {}² entries per step (use lbfgs for large models)",
                            numel_, kMaxParams, numel_, numel_));
  }
}

void Newton::step() {
  throw_optimizer_error(name(),
                        "step() needs a closure that calls backward(create_graph = true): call "
                        "step(make_closure(opt, loss_fn))");
}

double Newton::lr(size_t group) const {
  if (group != 0)
    throw IndexError(fmt::format("Newton has one parameter group, not {}", group + 1));
  return options_.lr;
}

void Newton::set_lr(size_t group, double lr) {
  if (group != 0)
    throw IndexError(fmt::format("Newton has one parameter group, not {}", group + 1));
  options_.lr = lr;
}

std::vector<double> hessian_from_grads(const std::vector<Tensor>& grads,
                                       const std::vector<Tensor>& params) {
  const int64_t n = detail::total_numel(params);
  std::vector<double> h(static_cast<size_t>(n * n), 0.0);
  // Only gradients with a graph depend on θ; the others (a loss linear in that parameter)
  // contribute zero rows.
  std::vector<Tensor> outputs;
  std::vector<int64_t> offsets;  // flat offset of each output's parameter
  int64_t offset = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (grads[i].defined() && grads[i].requires_grad()) {
      outputs.push_back(grads[i]);
      offsets.push_back(offset);
    }
    offset += params[i].numel();
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    for (int64_t e = 0; e < outputs[k].numel(); ++e) {
      // Row j of H is ∂(g_j)/∂θ = the vector–Jacobian product of e_j with the gradient.
      std::vector<Tensor> seeds;
      for (size_t m = 0; m < outputs.size(); ++m) {
        std::vector<double> v(static_cast<size_t>(outputs[m].numel()), 0.0);
        if (m == k) v[static_cast<size_t>(e)] = 1.0;
        seeds.push_back(from_vector(v, outputs[m].shape(), outputs[m].dtype()));
      }
      const std::vector<Tensor> rows = grad(outputs, params,
                                            {.grad_outputs = seeds,
                                             .retain_graph = true,
                                             .create_graph = false,
                                             .allow_unused = true});
      const int64_t j = offsets[k] + e;
      int64_t col = 0;
      for (size_t i = 0; i < params.size(); ++i) {
        if (rows[i].defined()) {
          const Tensor r = contiguous(rows[i]);
          const std::vector<double> v = r.to_vector<double>();
          for (size_t c = 0; c < v.size(); ++c) h[static_cast<size_t>(j * n + col) + c] = v[c];
        }
        col += params[i].numel();
      }
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      const double s = 0.5 * (h[i * n + j] + h[j * n + i]);
      h[i * n + j] = h[j * n + i] = s;
    }
  }
  return h;
}

int64_t cholesky(std::vector<double>& a, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (int64_t k = 0; k < j; ++k) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0.0)) return j;  // also catches NaN
    const double ljj = std::sqrt(d);
    a[j * n + j] = ljj;
    for (int64_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (int64_t k = 0; k < j; ++k) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
  }
  return -1;
}

std::vector<double> cholesky_solve(const std::vector<double>& l, int64_t n, std::vector<double> b) {
  for (int64_t i = 0; i < n; ++i) {  // L y = b
    double s = b[i];
    for (int64_t k = 0; k < i; ++k) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (int64_t i = n; i-- > 0;) {  // Lᵀ x = y
    double s = b[i];
    for (int64_t k = i + 1; k < n; ++k) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
  return b;
}

namespace {

// Drops the graph behind every parameter's gradient (a gradient with a graph refers back to
// the parameters, which would keep the whole graph alive).
void detach_grads(const std::vector<Tensor>& params) {
  for (Tensor p : params) {  // a handle copy: set_grad changes the shared TensorImpl
    const Tensor g = p.grad();
    if (g.defined() && g.requires_grad()) p.set_grad(g.detach());
  }
}

}  // namespace

double Newton::step(const Closure& closure) {
  if (!closure) throw_optimizer_error(name(), "step(closure) got an empty closure");
  options_.validate(name());
  const NewtonOptions& o = options_;
  NewtonState& st = state_;
  if (!st.started || !o.adaptive) st.damping = o.damping;
  st.started = true;
  auto evaluate = [&] {
    ++st.func_evals;
    return detail::closure_loss(closure, name());
  };

  const double loss = evaluate();
  std::vector<Tensor> grads;
  bool any_graph = false;
  for (const Tensor& p : params_) {
    grads.push_back(p.grad());
    any_graph |= grads.back().defined() && grads.back().requires_grad();
  }
  if (!any_graph) {
    detach_grads(params_);
    throw_optimizer_error(name(),
                          "the closure's gradients have no graph: it must call "
                          "backward(create_graph = true) (make_closure does)");
  }
  const detail::FlatVector g = detail::gather_flat_grad(params_, name());
  std::vector<double> h = hessian_from_grads(grads, params_);
  grads.clear();
  detach_grads(params_);
  ++st.n_iter;

  // Factor H + (λ + τ) I, raising τ until it is positive definite (see the header).
  const int64_t n = numel_;
  double max_abs_diag = 0.0, min_diag = INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    max_abs_diag = std::max(max_abs_diag, std::abs(h[i * n + i]));
    min_diag = std::min(min_diag, h[i * n + i] + st.damping);
  }
  const double beta = 1e-3 * std::max(1.0, max_abs_diag);
  double tau = 0.0;
  std::vector<double> l;
  for (int attempt = 0;; ++attempt) {
    l = h;
    for (int64_t i = 0; i < n; ++i) l[i * n + i] += st.damping + tau;
    const int64_t pivot = cholesky(l, n);
    if (pivot < 0) break;
    if (o.on_indefinite == "error") {
      throw_optimizer_error(
          name(), fmt::format("H + λI (λ = {}) is not positive definite (Cholesky pivot {} of {} "
                              "is not positive); raise damping or use on_indefinite=shift",
                              st.damping, pivot, n));
    }
    if (!std::isfinite(max_abs_diag) || attempt > 200) {
      throw_optimizer_error(name(), "the Hessian is not finite; cannot take a Newton step");
    }
    tau = attempt == 0 ? (min_diag > 0.0 ? beta : beta - min_diag) : std::max(2 * tau, beta);
  }
  st.shift = tau;
  detail::FlatVector minus_g(g.size());
  for (size_t i = 0; i < g.size(); ++i) minus_g[i] = -g[i];
  const detail::FlatVector delta = cholesky_solve(l, n, std::move(minus_g));

  std::vector<Tensor> before;
  if (o.adaptive) before = detail::clone_params(params_);
  {
    NoGradGuard no_grad;
    detail::add_to_params(params_, o.lr, delta);
  }
  if (o.adaptive) {
    const double trial = evaluate();
    detach_grads(params_);
    if (std::isfinite(trial) && trial < loss) {
      st.damping *= o.damping_decrease;
    } else {
      detail::set_params(params_, before);
      ++st.rejected;
      st.damping = st.damping > 0.0 ? st.damping * o.damping_increase : beta;
    }
  }
  return loss;
}

OptimizerState Newton::state_dict() const {
  OptimizerState out;
  out.optimizer = name();
  nlohmann::json group = nlohmann::json::object();
  for_each_field(options_, [&](const char* n, const auto& v) { group[n] = v; });
  group["num_params"] = params_.size();
  out.param_groups = nlohmann::json::array({group});
  const NewtonState& st = state_;
  out.scalars = {{"n_iter", st.n_iter},   {"func_evals", st.func_evals}, {"rejected", st.rejected},
                 {"damping", st.damping}, {"shift", st.shift},           {"started", st.started}};
  return out;
}

void Newton::load_state_dict(const OptimizerState& saved) {
  const NewtonOptions options = load_single_group_options<NewtonOptions>(saved, params_.size());
  const nlohmann::json& sc = saved.scalars;
  NewtonState st;
  const std::pair<const char*, int64_t*> ints[] = {
      {"n_iter", &st.n_iter}, {"func_evals", &st.func_evals}, {"rejected", &st.rejected}};
  const std::pair<const char*, double*> reals[] = {{"damping", &st.damping}, {"shift", &st.shift}};
  if (!sc.is_object() || sc.size() != 6 || !sc.contains("started")) {
    fail_state("must have the scalars n_iter, func_evals, rejected, damping, shift, started");
  }
  for (const auto& [key, ptr] : ints) {
    if (!sc.contains(key)) fail_state(std::string("lacks ") + key);
    detail::field_from_json(sc[key], *ptr, std::string("Newton state: ") + key);
  }
  for (const auto& [key, ptr] : reals) {
    if (!sc.contains(key)) fail_state(std::string("lacks ") + key);
    detail::field_from_json(sc[key], *ptr, std::string("Newton state: ") + key);
  }
  detail::field_from_json(sc["started"], st.started, "Newton state: started");
  if (!saved.tensors.empty()) fail_state("has tensors; Newton keeps none");
  options_ = options;
  state_ = st;
}

}  // namespace descent::optim
