// Fuzz target: the web lab's JSON API (serve/api.h) as the server calls it. Byte 0 picks the
// POST route, the rest is the request body. The server answers a ValueError with 400 and a
// NotFound with 404; those are the expected outcomes for bad input. Anything else is a bug: a
// crash, a sanitizer report, or any other exception (the server would answer it with 500).
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "descent/core/error.h"
#include "serve/api.h"
#include "serve/request.h"

namespace {

using Route = descent::serve::Json (*)(const nlohmann::json&);

// The POST routes of serve/routes.cpp, in the order of the selector byte.
constexpr Route kRoutes[] = {
    descent::serve::api_linear_evaluate, descent::serve::api_linear_step,
    descent::serve::api_problem_grid,    descent::serve::api_race,
    descent::serve::api_dynamics,        descent::serve::api_dynamics_regimes,
    descent::serve::api_taylor,          descent::serve::api_taylor_local,
    descent::serve::api_playground,      descent::serve::api_playground_regularization,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Route route = kRoutes[data[0] % std::size(kRoutes)];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const descent::serve::Json answer = route(descent::serve::parse_body(body));
    (void)answer.dump();  // the server sends it: it must serialize
  } catch (const descent::ValueError&) {
  } catch (const descent::serve::NotFound&) {
  }
  return 0;
}
