#pragma once
// Internal helpers shared by the optimizer spec (spec.cpp) and the schedule spec
// (scheduler_spec.cpp): trimming, case folding, typed values and the key=value list, with
// messages that start with `kind` ("optimizer spec", "scheduler spec").
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace descent::optim::detail {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

std::string_view trim(std::string_view s);
std::string lower(std::string_view s);

// Each throws ValueError "<kind>: <owner>: <key>=<value> is not ...".
double parse_double(std::string_view kind, std::string_view owner, std::string_view key,
                    std::string_view v);
bool parse_bool(std::string_view kind, std::string_view owner, std::string_view key,
                std::string_view v);
int64_t parse_int(std::string_view kind, std::string_view owner, std::string_view key,
                  std::string_view v);

// "key=value,key=value" (the text after the ':'); keys are lower-cased, values trimmed. An
// empty `rest` gives no pairs; an empty item, an item without '=' or a repeated key is a
// ValueError quoting the whole spec `text`.
KeyValues parse_key_values(std::string_view kind, std::string_view text, std::string_view rest);

}  // namespace descent::optim::detail
