// The optimizer spec: parsing "name:key=value,..." and the registry of optimizers.
#include "descent/optim/spec.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "descent/core/error.h"
#include "descent/optim/adadelta.h"
#include "descent/optim/adagrad.h"
#include "descent/optim/adam.h"
#include "descent/optim/adamax.h"
#include "descent/optim/lbfgs.h"
#include "descent/optim/lookahead.h"
#include "descent/optim/nadam.h"
#include "descent/optim/newton.h"
#include "descent/optim/radam.h"
#include "descent/optim/rmsprop.h"
#include "descent/optim/sgd.h"
#include "spec_text.h"

namespace descent::optim {

namespace {

using detail::KeyValues;

using detail::lower;
using detail::trim;

double parse_double(const std::string& opt, const std::string& key, std::string_view v) {
  return detail::parse_double("optimizer spec", opt, key, v);
}
bool parse_bool(const std::string& opt, const std::string& key, std::string_view v) {
  return detail::parse_bool("optimizer spec", opt, key, v);
}
int64_t parse_int(const std::string& opt, const std::string& key, std::string_view v) {
  return detail::parse_int("optimizer spec", opt, key, v);
}

std::string format_value(double v) {
  return fmt::format("{}", v);
}
std::string format_value(bool v) {
  return v ? "true" : "false";
}
std::string format_value(int64_t v) {
  return std::to_string(v);
}
std::string format_value(const Betas& v) {
  return fmt::format("{}/{}", v[0], v[1]);
}

template <typename Options>
std::vector<OptionInfo> options_of() {
  std::vector<OptionInfo> out;
  const Options defaults{};
  for_each_field(defaults, [&](const char* name, const auto& v) {
    using T = std::decay_t<decltype(v)>;
    if constexpr (std::is_same_v<T, Betas>) {
      out.push_back({"betas", "float/float", format_value(v)});
      out.push_back({"beta1", "float", format_value(v[0])});
      out.push_back({"beta2", "float", format_value(v[1])});
    } else if constexpr (std::is_same_v<T, bool>) {
      out.push_back({name, "bool", format_value(v)});
    } else if constexpr (std::is_same_v<T, int64_t>) {
      out.push_back({name, "int", format_value(v)});
    } else if constexpr (std::is_same_v<T, std::string>) {
      out.push_back({name, "string", v});
    } else {
      out.push_back({name, "float", format_value(v)});
    }
  });
  return out;
}

// Applies key=value pairs to default options of type Options; `opt` names the optimizer in
// messages.
template <typename Options>
Options options_from(const std::string& opt, const KeyValues& kvs) {
  Options o{};
  for (const auto& kv : kvs) {
    // Plain references, not structured bindings: clang before 16 cannot capture those.
    const auto& key = kv.first;
    const auto& value = kv.second;
    bool found = false;
    for_each_field(o, [&](const char* name, auto& field) {
      using T = std::decay_t<decltype(field)>;
      if constexpr (std::is_same_v<T, Betas>) {
        if (key == "betas") {
          const size_t slash = value.find('/');
          if (slash == std::string::npos) {
            throw ValueError(fmt::format(
                "optimizer spec: {}: betas={} must be two numbers as beta1/beta2", opt, value));
          }
          field[0] = parse_double(opt, key, trim(std::string_view(value).substr(0, slash)));
          field[1] = parse_double(opt, key, trim(std::string_view(value).substr(slash + 1)));
          found = true;
        } else if (key == "beta1" || key == "beta2") {
          field[key == "beta1" ? 0 : 1] = parse_double(opt, key, value);
          found = true;
        }
      } else if (key == name) {
        found = true;
        if constexpr (std::is_same_v<T, bool>) {
          field = parse_bool(opt, key, value);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          field = parse_int(opt, key, value);
        } else if constexpr (std::is_same_v<T, std::string>) {
          field = lower(value);  // words such as line_search_fn; validate() checks them
        } else {
          field = parse_double(opt, key, value);
        }
      }
    });
    if (!found) {
      std::vector<std::string> keys;
      for (const OptionInfo& info : options_of<Options>()) keys.push_back(info.key);
      throw ValueError(fmt::format("optimizer spec: {} has no option '{}'; valid keys: {}", opt,
                                   key, fmt::join(keys, ", ")));
    }
  }
  return o;
}

struct Entry {
  const char* name;        // canonical spec name
  const char* class_name;  // PyTorch's class name (Optimizer::name())
  std::function<void(const KeyValues&)> validate;
  std::function<std::unique_ptr<Optimizer>(const KeyValues&, std::vector<Tensor>)> make;
  std::function<std::vector<OptionInfo>()> options;
};

template <typename Opt>
Entry entry(const char* name, const char* class_name) {
  using Options = typename Opt::OptionsType;
  return Entry{
      name, class_name,
      [class_name](const KeyValues& kvs) {
        options_from<Options>(class_name, kvs).validate(class_name);
      },
      [class_name](const KeyValues& kvs, std::vector<Tensor> params) -> std::unique_ptr<Optimizer> {
        return std::make_unique<Opt>(std::move(params), options_from<Options>(class_name, kvs));
      },
      [] { return options_of<Options>(); }};
}

const std::vector<Entry>& registry() {
  static const std::vector<Entry> entries = {
      entry<SGD>("sgd", "SGD"),
      entry<RMSprop>("rmsprop", "RMSprop"),
      entry<Adam>("adam", "Adam"),
      entry<AdamW>("adamw", "AdamW"),
      entry<Adagrad>("adagrad", "Adagrad"),
      entry<Adadelta>("adadelta", "Adadelta"),
      entry<Adamax>("adamax", "Adamax"),
      entry<NAdam>("nadam", "NAdam"),
      entry<RAdam>("radam", "RAdam"),
      entry<LBFGS>("lbfgs", "LBFGS"),
      entry<Newton>("newton", "Newton"),
  };
  return entries;
}

const Entry& find_entry(std::string_view name) {
  const std::string key = lower(trim(name));
  for (const Entry& e : registry()) {
    if (key == e.name) return e;
  }
  throw ValueError(fmt::format("unknown optimizer '{}'; valid optimizers: {}", name,
                               fmt::join(optimizer_names(), ", ")));
}

}  // namespace

std::string OptimizerSpec::str() const {
  std::string out = name;
  if (!inner.empty()) out += "(" + inner[0].str() + ")";
  for (size_t i = 0; i < options.size(); ++i) {
    out += (i == 0 ? ":" : ",");
    out += options[i].first + "=" + options[i].second;
  }
  return out;
}

namespace {

// Parses "key=value,key=value" (`rest`, after the ':') into spec.options; `text` is the whole
// spec, for messages. betas and beta1/beta2 name the same option.
void parse_key_values(std::string_view text, std::string_view rest, OptimizerSpec& spec) {
  spec.options = detail::parse_key_values("optimizer spec", text, rest);
  bool betas = false, beta_i = false;
  for (const auto& kv : spec.options) {
    betas |= kv.first == "betas";
    beta_i |= kv.first == "beta1" || kv.first == "beta2";
  }
  if (betas && beta_i) {
    throw ValueError(fmt::format(
        "optimizer spec '{}': a beta is given twice (as betas and as beta1/beta2)", text));
  }
}

constexpr const char* kLookaheadHelp = "lookahead(<inner spec>)[:k=5,alpha=0.5]";

// "lookahead(<inner>)[:options]": `t` is the trimmed text, `open` the position of '('.
OptimizerSpec parse_wrapper_spec(std::string_view text, std::string_view t, size_t open) {
  const std::string name = lower(trim(t.substr(0, open)));
  if (name != "lookahead") {
    find_entry(name);  // an unknown name lists the valid ones
    throw ValueError(
        fmt::format("optimizer spec '{}': '{}' takes no inner optimizer in "
                    "parentheses; only {} does",
                    text, name, kLookaheadHelp));
  }
  int depth = 0;
  size_t close = std::string_view::npos;
  for (size_t i = open; i < t.size(); ++i) {
    if (t[i] == '(') ++depth;
    if (t[i] == ')' && --depth == 0) {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) {
    throw ValueError(
        fmt::format("optimizer spec '{}': the '(' at byte {} is never closed "
                    "(expected {})",
                    text, open, kLookaheadHelp));
  }
  OptimizerSpec spec{"lookahead", {}, {}};
  spec.inner.push_back(parse_optimizer_spec(t.substr(open + 1, close - open - 1)));
  const std::string_view rest = trim(t.substr(close + 1));
  if (!rest.empty()) {
    if (rest.front() != ':') {
      throw ValueError(
          fmt::format("optimizer spec '{}': expected ':' or the end after the "
                      "inner optimizer, got '{}' (expected {})",
                      text, rest, kLookaheadHelp));
    }
    parse_key_values(text, rest.substr(1), spec);
  }
  options_from<LookaheadOptions>("Lookahead", spec.options).validate("Lookahead");
  return spec;
}

}  // namespace

OptimizerSpec parse_optimizer_spec(std::string_view text) {
  const std::string_view t = trim(text);
  const size_t colon = t.find(':');
  const size_t open = t.find('(');
  if (open != std::string_view::npos && (colon == std::string_view::npos || open < colon)) {
    return parse_wrapper_spec(text, t, open);
  }
  const std::string_view name = trim(t.substr(0, colon));
  if (name.empty()) {
    throw ValueError(fmt::format("optimizer spec '{}' has no optimizer name; valid optimizers: {}",
                                 text, fmt::join(optimizer_names(), ", ")));
  }
  if (lower(name) == "lookahead") {
    throw ValueError(
        fmt::format("optimizer spec '{}': lookahead needs an inner optimizer: {}, "
                    "e.g. lookahead(adam:lr=0.001):k=5",
                    text, kLookaheadHelp));
  }
  const Entry& e = find_entry(name);
  OptimizerSpec spec{e.name, {}, {}};
  if (colon != std::string_view::npos) parse_key_values(text, t.substr(colon + 1), spec);
  e.validate(spec.options);
  return spec;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, std::vector<Tensor> params) {
  if (spec.name == "lookahead") {
    if (spec.inner.size() != 1) {
      throw ValueError(
          fmt::format("optimizer spec: lookahead needs one inner optimizer ({})", kLookaheadHelp));
    }
    auto options = options_from<LookaheadOptions>("Lookahead", spec.options);
    return std::make_unique<Lookahead>(make_optimizer(spec.inner[0], std::move(params)), options);
  }
  return find_entry(spec.name).make(spec.options, std::move(params));
}

std::unique_ptr<Optimizer> make_optimizer(std::string_view spec, std::vector<Tensor> params) {
  return make_optimizer(parse_optimizer_spec(spec), std::move(params));
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> out;
  for (const Entry& e : registry()) out.emplace_back(e.name);
  out.emplace_back("lookahead(...)");
  return out;
}

std::vector<OptionInfo> optimizer_options(std::string_view name) {
  if (lower(trim(name)) == "lookahead") return options_of<LookaheadOptions>();
  return find_entry(name).options();
}

}  // namespace descent::optim
