#pragma once
// JSON view of a closed-form dynamics report (analysis/dynamics.h), shared by
// `descent dynamics --json` and the web lab's /api/dynamics:
//
//   {"quadratic": "<description>", "optimizer": "sgd:lr=...", "steps": T,
//    "directions": [{"lambda", "lr_lambda", "eigenvalues": [{"re", "im"}, {"re", "im"}],
//                    "spectral_radius", "regime", "x0", "closed_form_final", "iterated_final"}],
//    "bounds": {...} or null (when A has a negative eigenvalue or no positive one),
//    "max_deviation": ...}
//
// With `trajectories`, two more keys hold every step (eigenbasis coordinates x_t = Qᵀθ_t):
//    "closed": [[x_0 per direction], ...],  "iterated": [[...], ...]   (T + 1 rows each)
#include <nlohmann/json.hpp>
#include <string>

#include "descent/analysis/dynamics.h"

namespace descent::app {

nlohmann::ordered_json dynamics_report_json(const analysis::DynamicsReport& report,
                                            const std::string& description,
                                            bool trajectories = false);

}  // namespace descent::app
