// JSON views of the linear classifier; see linear_classifier_json.h for the format.
#include "descent/app/linear_classifier_json.h"

#include <string>

namespace descent::app {

nlohmann::ordered_json linear_model_json(const LinearModel& model) {
  nlohmann::ordered_json w = nlohmann::ordered_json::array();
  for (const auto& row : model.W) w.push_back({row[0], row[1]});
  return {{"W", w}, {"b", model.b}};
}

nlohmann::ordered_json linear_report_json(const std::vector<Point>& points,
                                          const LinearObjective& objective,
                                          const LinearDescent& run) {
  const LinearEvaluation& e = run.evaluation;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (size_t i = 0; i < points.size(); ++i) {
    rows.push_back({{"x", {points[i].x0, points[i].x1}},
                    {"y", points[i].label},
                    {"scores", e.scores[i]},
                    {"loss", e.losses[i]}});
  }
  return {{"loss_function", std::string(linear_loss_name(objective.loss))},
          {"reg", objective.reg},
          {"margin", objective.margin},
          {"params", linear_model_json(run.model)},
          {"rows", rows},
          {"data_loss", e.data_loss},
          {"reg_loss", e.reg_loss},
          {"total_loss", e.total_loss},
          {"grad", linear_model_json(e.grad)},
          {"history", run.history}};
}

}  // namespace descent::app
