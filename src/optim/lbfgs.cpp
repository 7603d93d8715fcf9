// L-BFGS: two-loop recursion over a limited history, fixed steps or a strong-Wolfe line
// search. The order of operations follows torch.optim.LBFGS (1.13).
#include "descent/optim/lbfgs.h"

#include <fmt/core.h>

#include <cmath>

#include "descent/core/error.h"
#include "descent/optim/strong_wolfe.h"
#include "flat_params.h"

namespace descent::optim {

using detail::FlatVector;

void LBFGSOptions::validate(const std::string& optimizer) const {
  require_non_negative(optimizer, "lr", lr);
  if (max_iter < 1) {
    throw_optimizer_error(optimizer, fmt::format("invalid max_iter {} (must be ≥ 1)", max_iter));
  }
  if (max_eval < 0) {
    throw_optimizer_error(
        optimizer,
        fmt::format("invalid max_eval {} (must be ≥ 1, or 0 for max_iter·5/4)", max_eval));
  }
  require_non_negative(optimizer, "tolerance_grad", tolerance_grad);
  require_non_negative(optimizer, "tolerance_change", tolerance_change);
  if (history_size < 1) {
    throw_optimizer_error(optimizer,
                          fmt::format("invalid history_size {} (must be ≥ 1)", history_size));
  }
  if (line_search_fn != "none" && line_search_fn != "strong_wolfe") {
    throw_optimizer_error(optimizer, fmt::format("invalid line_search_fn '{}' (valid: none, "
                                                 "strong_wolfe)",
                                                 line_search_fn));
  }
}

LBFGS::LBFGS(std::vector<Tensor> params, const LBFGSOptions& options)
    : Optimizer("LBFGS"), params_(std::move(params)), options_(options) {
  options_.validate(name());
  check_new_params(params_);
  if (params_.empty()) throw_optimizer_error(name(), "got an empty parameter list");
  numel_ = detail::total_numel(params_);
}

void LBFGS::step() {
  throw_optimizer_error(name(),
                        "step() needs a closure: L-BFGS evaluates the loss several times per "
                        "step; call step(closure) (see make_closure)");
}

double LBFGS::lr(size_t group) const {
  if (group != 0) throw IndexError(fmt::format("LBFGS has one parameter group, not {}", group + 1));
  return options_.lr;
}

void LBFGS::set_lr(size_t group, double lr) {
  if (group != 0) throw IndexError(fmt::format("LBFGS has one parameter group, not {}", group + 1));
  options_.lr = lr;
}

void LBFGS::update_history(const FlatVector& flat_grad) {
  LBFGSState& st = state_;
  const size_t n = flat_grad.size();
  FlatVector y(n), s(n);
  for (size_t i = 0; i < n; ++i) {
    y[i] = flat_grad[i] - st.prev_flat_grad[i];
    s[i] = st.d[i] * st.t;
  }
  const double ys = detail::dot(y, s);
  // Only pairs with positive curvature yᵀs keep the implied inverse Hessian positive definite.
  if (ys > 1e-10) {
    while (static_cast<int64_t>(st.old_dirs.size()) >= options_.history_size) {
      st.old_dirs.pop_front();
      st.old_stps.pop_front();
      st.ro.pop_front();
    }
    st.ro.push_back(1. / ys);
    st.H_diag = ys / detail::dot(y, y);
    st.old_dirs.push_back(std::move(y));
    st.old_stps.push_back(std::move(s));
  }
}

FlatVector LBFGS::direction(const FlatVector& flat_grad) {
  const LBFGSState& st = state_;
  const size_t n = flat_grad.size();
  const size_t m = st.old_dirs.size();
  std::vector<double> al(m);
  FlatVector q(n);
  for (size_t j = 0; j < n; ++j) q[j] = -flat_grad[j];
  for (size_t i = m; i-- > 0;) {
    al[i] = detail::dot(st.old_stps[i], q) * st.ro[i];
    const double alpha = -al[i];
    const FlatVector& y = st.old_dirs[i];
    for (size_t j = 0; j < n; ++j) q[j] = std::fma(alpha, y[j], q[j]);  // q.add_(y, alpha)
  }
  FlatVector r(n);
  for (size_t j = 0; j < n; ++j) r[j] = q[j] * st.H_diag;
  for (size_t i = 0; i < m; ++i) {
    const double be_i = detail::dot(st.old_dirs[i], r) * st.ro[i];
    const double alpha = al[i] - be_i;
    const FlatVector& s = st.old_stps[i];
    for (size_t j = 0; j < n; ++j) r[j] = std::fma(alpha, s[j], r[j]);
  }
  return r;
}

double LBFGS::step(const Closure& closure) {
  if (!closure) throw_optimizer_error(name(), "step(closure) got an empty closure");
  options_.validate(name());  // options may have been edited through options()
  const LBFGSOptions& o = options_;
  const int64_t max_eval = o.effective_max_eval();
  NoGradGuard no_grad;
  // The closure always runs with grad mode on (it calls backward()).
  auto evaluate = [&] { return detail::closure_loss(closure, name()); };
  LBFGSState& st = state_;

  const double orig_loss = evaluate();
  double loss = orig_loss;
  int64_t current_evals = 1;
  st.func_evals += 1;
  FlatVector flat_grad = detail::gather_flat_grad(params_, name());
  bool opt_cond = detail::abs_max(flat_grad) <= o.tolerance_grad;
  if (opt_cond) return orig_loss;  // already stationary

  int64_t n_iter = 0;
  while (n_iter < o.max_iter) {
    ++n_iter;
    ++st.n_iter;

    // Direction.
    if (st.n_iter == 1) {
      st.d.resize(flat_grad.size());
      for (size_t j = 0; j < flat_grad.size(); ++j) st.d[j] = -flat_grad[j];
      st.old_dirs.clear();
      st.old_stps.clear();
      st.ro.clear();
      st.H_diag = 1;
    } else {
      update_history(flat_grad);
      st.d = direction(flat_grad);
    }
    st.prev_flat_grad = flat_grad;
    st.prev_loss = loss;

    // Step length: the first iteration ever is scaled so that the first move is at most lr
    // in ℓ1 norm (no curvature is known yet).
    if (st.n_iter == 1) {
      const double inv = 1. / detail::abs_sum(flat_grad);
      st.t = (inv < 1. ? inv : 1.) * o.lr;
    } else {
      st.t = o.lr;
    }
    const double gtd = detail::dot(flat_grad, st.d);
    if (gtd > -o.tolerance_change) break;  // not a descent direction (to tolerance)

    int64_t ls_func_evals = 0;
    if (o.line_search_fn == "strong_wolfe") {
      const std::vector<Tensor> x_init = detail::clone_params(params_);
      const FlatVector& d = st.d;
      auto objective = [&](double t) {
        detail::add_to_params(params_, t, d);
        const double f = evaluate();
        LinePoint p{f, detail::gather_flat_grad(params_, name())};
        detail::set_params(params_, x_init);
        return p;
      };
      LineSearchResult r = strong_wolfe(objective, st.t, d, loss, flat_grad, gtd);
      loss = r.f;
      flat_grad = std::move(r.g);
      st.t = r.t;
      ls_func_evals = r.func_evals;
      detail::add_to_params(params_, st.t, st.d);
      opt_cond = detail::abs_max(flat_grad) <= o.tolerance_grad;
    } else {
      detail::add_to_params(params_, st.t, st.d);
      // The last iteration does not re-evaluate: with stochastic losses the value would not
      // be used (the next step starts with its own evaluation).
      if (n_iter != o.max_iter) {
        loss = evaluate();
        flat_grad = detail::gather_flat_grad(params_, name());
        opt_cond = detail::abs_max(flat_grad) <= o.tolerance_grad;
        ls_func_evals = 1;
      }
    }
    current_evals += ls_func_evals;
    st.func_evals += ls_func_evals;

    if (n_iter == o.max_iter) break;
    if (current_evals >= max_eval) break;
    if (opt_cond) break;
    double move = 0.0;  // max |t d|
    for (double v : st.d) move = std::max(move, std::abs(v * st.t));
    if (move <= o.tolerance_change) break;
    if (std::abs(loss - st.prev_loss) < o.tolerance_change) break;
  }
  return orig_loss;
}

// --- state dict ---

namespace {

constexpr const char* kScalarKeys[] = {"func_evals", "n_iter",       "t", "H_diag", "prev_loss",
                                       "ro",         "has_direction"};

}  // namespace

OptimizerState LBFGS::state_dict() const {
  OptimizerState out;
  out.optimizer = name();
  nlohmann::json group = nlohmann::json::object();
  for_each_field(options_, [&](const char* n, const auto& v) { group[n] = v; });
  group["num_params"] = params_.size();
  out.param_groups = nlohmann::json::array({group});
  const LBFGSState& st = state_;
  out.scalars = {
      {"func_evals", st.func_evals},   {"n_iter", st.n_iter},       {"t", st.t},
      {"H_diag", st.H_diag},           {"prev_loss", st.prev_loss}, {"ro", nlohmann::json(st.ro)},
      {"has_direction", !st.d.empty()}};
  if (!st.d.empty()) {
    out.tensors["d"] = detail::to_tensor(st.d);
    out.tensors["prev_flat_grad"] = detail::to_tensor(st.prev_flat_grad);
  }
  for (size_t i = 0; i < st.old_dirs.size(); ++i) {
    out.tensors[fmt::format("old_dirs.{}", i)] = detail::to_tensor(st.old_dirs[i]);
    out.tensors[fmt::format("old_stps.{}", i)] = detail::to_tensor(st.old_stps[i]);
  }
  return out;
}

void LBFGS::load_state_dict(const OptimizerState& saved) {
  const LBFGSOptions options = load_single_group_options<LBFGSOptions>(saved, params_.size());

  const nlohmann::json& sc = saved.scalars;
  for (const char* key : kScalarKeys) {
    if (!sc.is_object() || !sc.contains(key)) fail_state(std::string("lacks ") + key);
  }
  if (sc.size() != std::size(kScalarKeys)) fail_state("has unknown scalar entries");
  LBFGSState st;
  detail::field_from_json(sc["func_evals"], st.func_evals, "LBFGS state: func_evals");
  detail::field_from_json(sc["n_iter"], st.n_iter, "LBFGS state: n_iter");
  detail::field_from_json(sc["t"], st.t, "LBFGS state: t");
  detail::field_from_json(sc["H_diag"], st.H_diag, "LBFGS state: H_diag");
  detail::field_from_json(sc["prev_loss"], st.prev_loss, "LBFGS state: prev_loss");
  bool has_direction = false;
  detail::field_from_json(sc["has_direction"], has_direction, "LBFGS state: has_direction");
  if (!sc["ro"].is_array()) fail_state("has a non-array ro");
  for (const nlohmann::json& r : sc["ro"]) {
    double v = 0.0;
    detail::field_from_json(r, v, "LBFGS state: ro");
    st.ro.push_back(v);
  }
  auto vector_at = [&](const std::string& key) {
    auto it = saved.tensors.find(key);
    if (it == saved.tensors.end()) fail_state("lacks tensor " + key);
    return detail::from_tensor(it->second, numel_, "LBFGS: load_state_dict: " + key);
  };
  size_t used = 0;
  if (has_direction) {
    st.d = vector_at("d");
    st.prev_flat_grad = vector_at("prev_flat_grad");
    used += 2;
  }
  for (size_t i = 0; i < st.ro.size(); ++i) {
    st.old_dirs.push_back(vector_at(fmt::format("old_dirs.{}", i)));
    st.old_stps.push_back(vector_at(fmt::format("old_stps.{}", i)));
    used += 2;
  }
  if (used != saved.tensors.size()) fail_state("has tensors this optimizer does not have");
  options_ = options;
  state_ = std::move(st);
}

}  // namespace descent::optim
