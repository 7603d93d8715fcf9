// The schedule spec: parsing "name:key=value,..." and building the schedule it names.
#include "descent/optim/scheduler_spec.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "descent/core/error.h"
#include "descent/optim/one_cycle.h"
#include "descent/optim/schedulers.h"
#include "spec_text.h"

namespace descent::optim {

namespace {

constexpr std::string_view kKind = "scheduler spec";

// The parsed values of one spec, read by key with the type the schedule expects.
class Values {
 public:
  Values(std::string owner, const detail::KeyValues& kvs, std::optional<int64_t> total_steps)
      : owner_(std::move(owner)), total_steps_(total_steps) {
    for (const auto& [k, v] : kvs) values_[k] = v;
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  double real(const std::string& key, double fallback) const {
    return has(key) ? detail::parse_double(kKind, owner_, key, values_.at(key)) : fallback;
  }
  int64_t integer(const std::string& key, int64_t fallback) const {
    return has(key) ? detail::parse_int(kKind, owner_, key, values_.at(key)) : fallback;
  }
  bool boolean(const std::string& key, bool fallback) const {
    return has(key) ? detail::parse_bool(kKind, owner_, key, values_.at(key)) : fallback;
  }
  std::string word(const std::string& key, const std::string& fallback) const {
    return has(key) ? detail::lower(values_.at(key)) : fallback;
  }
  // "a/b/c"; `fallback` when absent.
  template <typename T>
  std::vector<T> list(const std::string& key, std::vector<T> fallback) const {
    if (!has(key)) return fallback;
    std::vector<T> out;
    std::string_view rest = values_.at(key);
    while (true) {
      const size_t slash = rest.find('/');
      const std::string_view item = detail::trim(rest.substr(0, slash));
      if constexpr (std::is_same_v<T, int64_t>) {
        out.push_back(detail::parse_int(kKind, owner_, key, item));
      } else {
        out.push_back(detail::parse_double(kKind, owner_, key, item));
      }
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    return out;
  }
  // A required integer that the run length can supply (cosine's T_max, onecycle's
  // total_steps).
  int64_t integer_or_total(const std::string& key) const {
    if (has(key)) return integer(key, 0);
    if (total_steps_) return *total_steps_;
    fail_required(key, " (or pass the run's total steps)");
  }
  [[noreturn]] void fail_required(const std::string& key, const std::string& hint = "") const {
    // Messages spell keys as PyTorch does (T_max), lookups use lower case (t_max).
    std::string shown = key;
    if (key == "t_max") shown = "T_max";
    if (key == "t_0") shown = "T_0";
    throw ValueError(fmt::format("{}: {} needs {}=...{}", kKind, owner_, shown, hint));
  }
  template <typename T>
  T required(const std::string& key, T (Values::*get)(const std::string&, T) const) const {
    if (!has(key)) fail_required(key);
    return (this->*get)(key, T{});
  }

 private:
  std::string owner_;
  std::optional<int64_t> total_steps_;
  std::map<std::string, std::string> values_;
};

using Built = std::pair<std::unique_ptr<LRScheduler>, std::unique_ptr<ReduceLROnPlateau>>;

struct Entry {
  const char* name;              // canonical spec name
  const char* class_name;        // PyTorch's class name (also accepted as the name)
  std::vector<OptionInfo> keys;  // default "" = required
  std::function<Built(const Values&, LrTarget&)> build;
};

template <typename S, typename O>
Built lr_scheduler(LrTarget& target, O options) {
  return {std::make_unique<S>(target, std::move(options)), nullptr};
}

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      {"none", "none", {}, [](const Values&, LrTarget&) { return Built{}; }},
      {"step",
       "StepLR",
       {{"step_size", "int", ""}, {"gamma", "float", "0.1"}},
       [](const Values& v, LrTarget& t) {
         return lr_scheduler<StepLR>(
             t, StepLROptions{.step_size = v.required("step_size", &Values::integer),
                              .gamma = v.real("gamma", 0.1)});
       }},
      {"multistep",
       "MultiStepLR",
       {{"milestones", "int/int/...", ""}, {"gamma", "float", "0.1"}},
       [](const Values& v, LrTarget& t) {
         if (!v.has("milestones")) v.fail_required("milestones", " (e.g. milestones=30/80)");
         return lr_scheduler<MultiStepLR>(
             t, MultiStepLROptions{.milestones = v.list<int64_t>("milestones", {}),
                                   .gamma = v.real("gamma", 0.1)});
       }},
      {"exponential",
       "ExponentialLR",
       {{"gamma", "float", ""}},
       [](const Values& v, LrTarget& t) {
         return lr_scheduler<ExponentialLR>(
             t, ExponentialLROptions{.gamma = v.required("gamma", &Values::real)});
       }},
      {"constant",
       "ConstantLR",
       {{"factor", "float", "0.333333"}, {"total_iters", "int", "5"}},
       [](const Values& v, LrTarget& t) {
         return lr_scheduler<ConstantLR>(
             t, ConstantLROptions{.factor = v.real("factor", 1.0 / 3),
                                  .total_iters = v.integer("total_iters", 5)});
       }},
      {"linear",
       "LinearLR",
       {{"start_factor", "float", "0.333333"},
        {"end_factor", "float", "1"},
        {"total_iters", "int", "5"}},
       [](const Values& v, LrTarget& t) {
         return lr_scheduler<LinearLR>(
             t, LinearLROptions{.start_factor = v.real("start_factor", 1.0 / 3),
                                .end_factor = v.real("end_factor", 1.0),
                                .total_iters = v.integer("total_iters", 5)});
       }},
      {"cosine",
       "CosineAnnealingLR",
       {{"T_max", "int", ""}, {"eta_min", "float", "0"}},
       [](const Values& v, LrTarget& t) {
         return lr_scheduler<CosineAnnealingLR>(
             t, CosineAnnealingLROptions{.T_max = v.integer_or_total("t_max"),
                                         .eta_min = v.real("eta_min", 0.0)});
       }},
      {"cosine_restarts",
       "CosineAnnealingWarmRestarts",
       {{"T_0", "int", ""}, {"T_mult", "int", "1"}, {"eta_min", "float", "0"}},
       [](const Values& v, LrTarget& t) {
         return lr_scheduler<CosineAnnealingWarmRestarts>(
             t, CosineAnnealingWarmRestartsOptions{.T_0 = v.required("t_0", &Values::integer),
                                                   .T_mult = v.integer("t_mult", 1),
                                                   .eta_min = v.real("eta_min", 0.0)});
       }},
      {"onecycle",
       "OneCycleLR",
       {{"max_lr", "float/float/...", ""},
        {"total_steps", "int", ""},
        {"epochs", "int", "0"},
        {"steps_per_epoch", "int", "0"},
        {"pct_start", "float", "0.3"},
        {"anneal_strategy", "string", "cos"},
        {"cycle_momentum", "bool", "true"},
        {"base_momentum", "float", "0.85"},
        {"max_momentum", "float", "0.95"},
        {"div_factor", "float", "25"},
        {"final_div_factor", "float", "10000"},
        {"three_phase", "bool", "false"}},
       [](const Values& v, LrTarget& t) {
         if (!v.has("max_lr")) v.fail_required("max_lr", " (the peak lr)");
         OneCycleLROptions o{.max_lr = v.list<double>("max_lr", {}),
                             .epochs = v.integer("epochs", 0),
                             .steps_per_epoch = v.integer("steps_per_epoch", 0),
                             .pct_start = v.real("pct_start", 0.3),
                             .anneal_strategy = v.word("anneal_strategy", "cos"),
                             .cycle_momentum = v.boolean("cycle_momentum", true),
                             .base_momentum = v.real("base_momentum", 0.85),
                             .max_momentum = v.real("max_momentum", 0.95),
                             .div_factor = v.real("div_factor", 25.0),
                             .final_div_factor = v.real("final_div_factor", 1e4),
                             .three_phase = v.boolean("three_phase", false)};
         // total_steps from the spec, else epochs × steps_per_epoch when both are given, else
         // the run length.
         if (v.has("total_steps") || !(v.has("epochs") && v.has("steps_per_epoch"))) {
           o.total_steps = v.integer_or_total("total_steps");
         }
         return lr_scheduler<OneCycleLR>(t, std::move(o));
       }},
      {"plateau",
       "ReduceLROnPlateau",
       {{"mode", "string", "min"},
        {"factor", "float", "0.1"},
        {"patience", "int", "10"},
        {"threshold", "float", "0.0001"},
        {"threshold_mode", "string", "rel"},
        {"cooldown", "int", "0"},
        {"min_lr", "float/float/...", "0"},
        {"eps", "float", "1e-08"}},
       [](const Values& v, LrTarget& t) {
         ReduceLROnPlateauOptions o{.mode = v.word("mode", "min"),
                                    .factor = v.real("factor", 0.1),
                                    .patience = v.integer("patience", 10),
                                    .threshold = v.real("threshold", 1e-4),
                                    .threshold_mode = v.word("threshold_mode", "rel"),
                                    .cooldown = v.integer("cooldown", 0),
                                    .min_lr = v.list<double>("min_lr", {0.0}),
                                    .eps = v.real("eps", 1e-8)};
         return Built{nullptr, std::make_unique<ReduceLROnPlateau>(t, std::move(o))};
       }},
  };
  return entries;
}

const Entry& find_entry(std::string_view name) {
  const std::string key = detail::lower(detail::trim(name));
  for (const Entry& e : registry()) {
    if (key == e.name || key == detail::lower(e.class_name)) return e;
  }
  throw ValueError(fmt::format("unknown scheduler '{}'; valid schedulers: {}", name,
                               fmt::join(scheduler_names(), ", ")));
}

// Checks the keys against the entry and rewrites them in PyTorch's spelling.
detail::KeyValues canonical_keys(const Entry& e, detail::KeyValues kvs) {
  for (auto& [key, value] : kvs) {
    bool found = false;
    for (const OptionInfo& info : e.keys) {
      if (detail::lower(info.key) == detail::lower(key)) {
        key = info.key;
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> valid;
      for (const OptionInfo& info : e.keys) valid.push_back(info.key);
      throw ValueError(
          fmt::format("{}: {} has no option '{}'; valid keys: {}", kKind, e.name, key,
                      valid.empty() ? "none" : fmt::format("{}", fmt::join(valid, ", "))));
    }
  }
  return kvs;
}

Built build(const Entry& e, const detail::KeyValues& kvs, LrTarget& target,
            std::optional<int64_t> total_steps) {
  detail::KeyValues lowered = kvs;
  for (auto& kv : lowered) kv.first = detail::lower(kv.first);
  return e.build(Values(e.name, lowered, total_steps), target);
}

}  // namespace

std::string SchedulerSpec::str() const {
  std::string out = name;
  for (size_t i = 0; i < options.size(); ++i) {
    out += (i == 0 ? ":" : ",");
    out += options[i].first + "=" + options[i].second;
  }
  return out;
}

SchedulerSpec parse_scheduler_spec(std::string_view text) {
  const std::string_view t = detail::trim(text);
  const size_t colon = t.find(':');
  const std::string_view name = detail::trim(t.substr(0, colon));
  if (name.empty()) {
    throw ValueError(fmt::format("scheduler spec '{}' has no scheduler name; valid schedulers: {}",
                                 text, fmt::join(scheduler_names(), ", ")));
  }
  const Entry& e = find_entry(name);
  SchedulerSpec spec{e.name, {}};
  if (colon != std::string_view::npos) {
    spec.options = canonical_keys(e, detail::parse_key_values(kKind, text, t.substr(colon + 1)));
  }
  // Validate values and ranges by building the schedule on a stand-in target (lr 0.1, with
  // momentum; as many groups as the longest per-group list), with a stand-in run length when
  // the spec leaves it open.
  size_t groups = 1;
  for (const auto& kv : spec.options) {
    groups = std::max(groups,
                      static_cast<size_t>(std::count(kv.second.begin(), kv.second.end(), '/')) + 1);
  }
  LrValues probe(std::vector<double>(groups, 0.1), std::vector<double>(groups, 0.9));
  build(e, spec.options, probe, int64_t{100});
  return spec;
}

Schedule::Schedule(std::string name, LrTarget& target, std::unique_ptr<LRScheduler> scheduler,
                   std::unique_ptr<ReduceLROnPlateau> plateau)
    : name_(std::move(name)),
      target_(target),
      scheduler_(std::move(scheduler)),
      plateau_(std::move(plateau)) {}

void Schedule::step(std::optional<double> metric) {
  if (scheduler_) {
    scheduler_->step();
  } else if (plateau_) {
    if (!metric) {
      throw ValueError("schedule plateau: step() needs the metric (e.g. the validation loss)");
    }
    plateau_->step(*metric);
  }
}

std::vector<double> Schedule::last_lr() const {
  if (scheduler_) return scheduler_->last_lr();
  if (plateau_) return plateau_->last_lr();
  std::vector<double> out;
  for (size_t g = 0; g < target_.num_groups(); ++g) out.push_back(target_.lr(g));
  return out;
}

nlohmann::json Schedule::state_dict() const {
  nlohmann::json out = scheduler_ ? scheduler_->state_dict()
                       : plateau_ ? plateau_->state_dict()
                                  : nlohmann::json::object();
  out["schedule"] = name_;
  return out;
}

void Schedule::load_state_dict(const nlohmann::json& state) {
  if (!state.is_object() || !state.contains("schedule") || state["schedule"] != name_) {
    throw ValueError(
        fmt::format("schedule {}: load_state_dict: the state was saved by schedule {}", name_,
                    state.is_object() && state.contains("schedule") ? state["schedule"].dump()
                                                                    : std::string("(unnamed)")));
  }
  nlohmann::json inner = state;
  inner.erase("schedule");
  if (scheduler_) scheduler_->load_state_dict(inner);
  if (plateau_) plateau_->load_state_dict(inner);
}

std::unique_ptr<Schedule> make_scheduler(const SchedulerSpec& spec, LrTarget& target,
                                         std::optional<int64_t> total_steps) {
  const Entry& e = find_entry(spec.name);
  Built built = build(e, canonical_keys(e, spec.options), target, total_steps);
  return std::make_unique<Schedule>(e.name, target, std::move(built.first),
                                    std::move(built.second));
}

std::unique_ptr<Schedule> make_scheduler(std::string_view spec, LrTarget& target,
                                         std::optional<int64_t> total_steps) {
  return make_scheduler(parse_scheduler_spec(spec), target, total_steps);
}

std::vector<std::string> scheduler_names() {
  std::vector<std::string> out;
  for (const Entry& e : registry()) out.emplace_back(e.name);
  return out;
}

std::vector<OptionInfo> scheduler_options(std::string_view name) {
  return find_entry(name).keys;
}

}  // namespace descent::optim
