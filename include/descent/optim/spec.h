#pragma once
// The textual optimizer spec: the one way the CLI, configs and the web API name an optimizer.
//
//   name[:key=value[,key=value...]]       e.g.  sgd:lr=0.01,momentum=0.9,nesterov=true
//
// - name: sgd, rmsprop, adam, adamw, adagrad, adadelta, adamax, nadam, radam, lbfgs, newton
//   (case-insensitive; PyTorch's class names work too).
// - keys are PyTorch's option names (lr, momentum, weight_decay, amsgrad, ...). Betas are given
//   either as `betas=0.9/0.999` or as `beta1=0.9` and/or `beta2=0.999`.
// - numbers use C++'s from_chars syntax (0.001, 1e-3, inf is refused); booleans are
//   true/false/1/0. Spaces around tokens are ignored.
// - a wrapper names its inner optimizer's whole spec in parentheses, then its own options:
//     lookahead(<inner spec>)[:k=5,alpha=0.5]     e.g.  lookahead(adam:lr=0.01,beta2=0.99):k=6
//   The parentheses make the nesting unambiguous (the inner spec has its own ':' and ','),
//   and wrappers nest: lookahead(lookahead(sgd:lr=0.1):k=3):k=2.
// - string options are single words (lbfgs:line_search_fn=strong_wolfe).
// Unknown names, unknown keys, repeated keys and bad values are ValueErrors that list what is
// valid; option ranges are checked at parse time, with the optimizer's own messages.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "descent/core/tensor.h"
#include "descent/optim/optimizer.h"

namespace descent::optim {

struct OptimizerSpec {
  std::string name;  // canonical: "sgd", "adam", ..., "lookahead"
  // key=value pairs in the order given, keys as written (beta1/beta2/betas kept as given).
  std::vector<std::pair<std::string, std::string>> options;
  // A wrapper's inner optimizer (exactly one for lookahead; empty otherwise).
  std::vector<OptimizerSpec> inner = {};

  // The canonical text, "name:key=value,..." (just "name" without options;
  // "lookahead(<inner>):k=..." for a wrapper).
  std::string str() const;
};

// Parses and validates a spec (everything but the parameters).
OptimizerSpec parse_optimizer_spec(std::string_view text);

// Builds the optimizer a spec names over `params` (one parameter group).
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSpec& spec, std::vector<Tensor> params);
std::unique_ptr<Optimizer> make_optimizer(std::string_view spec, std::vector<Tensor> params);

// The canonical optimizer names, in a fixed order; wrappers last, written "lookahead(...)".
std::vector<std::string> optimizer_names();

// One option key of an optimizer, for help texts and the web UI.
struct OptionInfo {
  std::string key;            // "lr", "beta1", "betas", ...
  std::string type;           // "float", "bool", "int", "string" or "float/float"
  std::string default_value;  // as it would be written in a spec
};

// The keys an optimizer accepts, with their defaults ("lookahead": the wrapper's own keys).
// Unknown names are ValueErrors.
std::vector<OptionInfo> optimizer_options(std::string_view name);

}  // namespace descent::optim
