// Fuzz target: experiment config parsing. Any bytes are read as JSON, then as a config, then
// resolved and parsed again; every rejection must be a descent::Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "descent/app/config.h"
#include "descent/app/json_text.h"
#include "descent/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The first line may hold --set assignments separated by ';' (to fuzz overrides too).
  const size_t newline = text.find('\n');
  const bool has_sets = text.starts_with("#set ") && newline != std::string::npos;
  const std::string body = has_sets ? text.substr(newline + 1) : text;
  try {
    // As read_json_file parses a config file.
    const nlohmann::json document = descent::app::parse_json_text<nlohmann::json>(body);
    descent::app::ExperimentConfig config = descent::app::parse_config(document);
    nlohmann::json resolved = descent::app::resolved_json(config);
    if (has_sets) {
      const std::string sets = text.substr(5, newline - 5);
      size_t start = 0;
      while (start <= sets.size()) {
        const size_t end = std::min(sets.find(';', start), sets.size());
        descent::app::apply_override(resolved, sets.substr(start, end - start));
        start = end + 1;
      }
    }
    config = descent::app::parse_config(resolved);
  } catch (const descent::Error&) {
  }
  return 0;
}
