#pragma once
// JSON views of the linear classifier (app/linear_classifier.h), shared by `descent linear --json`
// and the web lab's /api/linear endpoints so both speak the same format:
//
//   {"loss_function": "svm", "reg": 0.1, "margin": 1,
//    "params": {"W": [[w00, w01], ...], "b": [...]},
//    "rows": [{"x": [x0, x1], "y": label, "scores": [...], "loss": L_i}, ...],
//    "data_loss": ..., "reg_loss": ..., "total_loss": ...,
//    "grad": {"W": [...], "b": [...]},      ∂total/∂W and ∂total/∂b at "params"
//    "history": [...]}                       total loss after each step taken
#include <nlohmann/json.hpp>
#include <vector>

#include "descent/app/linear_classifier.h"

namespace descent::app {

// {"W": [[w00, w01], ...], "b": [...]}
nlohmann::ordered_json linear_model_json(const LinearModel& model);

// The whole report above for `run.model` (and its evaluation) on `points`.
nlohmann::ordered_json linear_report_json(const std::vector<Point>& points,
                                          const LinearObjective& objective,
                                          const LinearDescent& run);

}  // namespace descent::app
