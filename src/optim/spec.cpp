// The optimizer spec: parsing "name:key=value,..." and the registry of optimizers.
#include "descent/optim/spec.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>

#include "descent/core/error.h"
#include "descent/optim/adadelta.h"
#include "descent/optim/adagrad.h"
#include "descent/optim/adam.h"
#include "descent/optim/adamax.h"
#include "descent/optim/nadam.h"
#include "descent/optim/radam.h"
#include "descent/optim/rmsprop.h"
#include "descent/optim/sgd.h"

namespace descent::optim {

namespace {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double parse_double(const std::string& opt, const std::string& key, std::string_view v) {
  double out = 0.0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(out)) {
    throw ValueError(fmt::format("optimizer spec: {}: {}={} is not a finite number", opt, key, v));
  }
  return out;
}

bool parse_bool(const std::string& opt, const std::string& key, std::string_view v) {
  const std::string s = lower(v);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  throw ValueError(
      fmt::format("optimizer spec: {}: {}={} is not a boolean (true/false/1/0)", opt, key, v));
}

[[maybe_unused]] int64_t parse_int(const std::string& opt, const std::string& key,
                                   std::string_view v) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) {
    throw ValueError(fmt::format("optimizer spec: {}: {}={} is not an integer", opt, key, v));
  }
  return out;
}

std::string format_value(double v) {
  return fmt::format("{}", v);
}
std::string format_value(bool v) {
  return v ? "true" : "false";
}
[[maybe_unused]] std::string format_value(int64_t v) {
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
  for (size_t i = 0; i < options.size(); ++i) {
    out += (i == 0 ? ":" : ",");
    out += options[i].first + "=" + options[i].second;
  }
  return out;
}

OptimizerSpec parse_optimizer_spec(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string_view name = trim(text.substr(0, colon));
  if (name.empty()) {
    throw ValueError(fmt::format("optimizer spec '{}' has no optimizer name; valid optimizers: {}",
                                 text, fmt::join(optimizer_names(), ", ")));
  }
  const Entry& e = find_entry(name);
  OptimizerSpec spec{e.name, {}};
  if (colon != std::string_view::npos) {
    std::string_view rest = text.substr(colon + 1);
    while (true) {
      const size_t comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty() || comma != std::string_view::npos || !spec.options.empty()) {
        const size_t eq = item.find('=');
        if (item.empty() || eq == std::string_view::npos) {
          throw ValueError(
              fmt::format("optimizer spec '{}': expected key=value, got '{}'", text, item));
        }
        std::string key = lower(trim(item.substr(0, eq)));
        std::string value(trim(item.substr(eq + 1)));
        for (const auto& [k, v] : spec.options) {
          const bool clash = k == key || (k == "betas" && (key == "beta1" || key == "beta2")) ||
                             (key == "betas" && (k == "beta1" || k == "beta2"));
          if (clash) {
            throw ValueError(fmt::format("optimizer spec '{}': '{}' is given twice", text, key));
          }
        }
        spec.options.emplace_back(std::move(key), std::move(value));
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  e.validate(spec.options);
  return spec;
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, std::vector<Tensor> params) {
  return find_entry(spec.name).make(spec.options, std::move(params));
}

std::unique_ptr<Optimizer> make_optimizer(std::string_view spec, std::vector<Tensor> params) {
  return make_optimizer(parse_optimizer_spec(spec), std::move(params));
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> out;
  for (const Entry& e : registry()) out.emplace_back(e.name);
  return out;
}

std::vector<OptionInfo> optimizer_options(std::string_view name) {
  return find_entry(name).options();
}

}  // namespace descent::optim
