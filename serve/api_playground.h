#pragma once
// The pieces of /api/playground shared by the JSON endpoints (api.h) and the event stream
// (routes.cpp).
#include <descent/app/playground.h>

#include "serve/api.h"

namespace descent::serve {

// The body as playground options, every option optional (app/playground.h has the defaults),
// the whole experiment config validated; ValueError naming the field.
app::PlaygroundOptions playground_options(const nlohmann::json& body);

// {"x", "y", "label", "test", "view": [x_min, x_max, y_min, y_max], "classes"}.
Json playground_data_json(const app::PlaygroundData& data);

// {"step", "losses", "accuracy", "test_loss", "test_accuracy", "classes" (grid × grid, row j
// = y ascending), "saturation": {layer: fraction}, "dead": {layer: fraction}, "sharpness" (λmax
// or null), "lr"}.
Json playground_frame_json(const app::PlaygroundFrame& frame);

}  // namespace descent::serve
