// /api/info: what the pages offer (loss names, 2-D problems), so the browser lists nothing of
// its own.
#include <descent/analysis/problems.h>
#include <descent/app/linear_classifier.h>

#include <string>

#include "serve/api.h"

namespace descent::serve {

Json api_info() {
  Json losses = Json::array();
  for (app::LinearLoss loss : {app::LinearLoss::Svm, app::LinearLoss::OneVsAll,
                               app::LinearLoss::Structured, app::LinearLoss::Softmax}) {
    losses.push_back({{"name", std::string(app::linear_loss_name(loss))},
                      {"title", std::string(app::linear_loss_title(loss))}});
  }
  Json problems = Json::array();
  for (const std::string& name : analysis::problem_names())
    problems.push_back(problem_json(analysis::problem_by_name(name)));
  return {{"name", "descent"}, {"losses", losses}, {"problems", problems}};
}

}  // namespace descent::serve
