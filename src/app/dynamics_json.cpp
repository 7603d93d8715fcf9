// JSON view of a dynamics report; see dynamics_json.h for the format.
#include "descent/app/dynamics_json.h"

#include <complex>

namespace descent::app {

nlohmann::ordered_json dynamics_report_json(const analysis::DynamicsReport& r,
                                            const std::string& desc, bool trajectories) {
  nlohmann::ordered_json dirs = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.directions.size(); ++i) {
    const analysis::DirectionDynamics& d = r.directions[i];
    dirs.push_back(
        {{"lambda", d.lambda},
         {"lr_lambda", d.step_product},
         {"eigenvalues",
          {{{"re", d.r1.real()}, {"im", d.r1.imag()}}, {{"re", d.r2.real()}, {"im", d.r2.imag()}}}},
         {"spectral_radius", d.spectral_radius},
         {"regime", std::string(analysis::regime_name(d.regime))},
         {"x0", r.closed.front()[i]},
         {"closed_form_final", r.closed.back()[i]},
         {"iterated_final", r.iterated.back()[i]}});
  }
  nlohmann::ordered_json bounds = nullptr;
  if (r.bounds.defined) {
    const analysis::DynamicsBounds& b = r.bounds;
    bounds = {{"lambda_min", b.lambda_min},
              {"lambda_max", b.lambda_max},
              {"kappa", b.kappa},
              {"stable_lr_gd", b.stable_lr_gd},
              {"stable_lr", b.stable_lr},
              {"optimal_lr", b.optimal_lr},
              {"optimal_rate", b.optimal_rate},
              {"optimal_momentum_lr", b.optimal_momentum_lr},
              {"optimal_momentum", b.optimal_momentum},
              {"optimal_momentum_rate", b.optimal_momentum_rate}};
  }
  nlohmann::ordered_json out = {{"quadratic", desc}, {"optimizer", r.rule.optimizer_spec()},
                                {"steps", r.steps},  {"directions", dirs},
                                {"bounds", bounds},  {"max_deviation", r.max_deviation}};
  if (trajectories) {
    out["closed"] = r.closed;
    out["iterated"] = r.iterated;
  }
  return out;
}

}  // namespace descent::app
