// The trainer's sharpness measurements: the periodic λmax of diagnostics.sharpness and the
// λmax at the last finite parameters quoted when a run diverges (sharpness.h).
#include <fmt/core.h>

#include "descent/app/model_builder.h"
#include "descent/app/trainer.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/ops.h"
#include "trainer_impl.h"

namespace descent::app {

double estimate_sharpness(const SharpnessEstimator& estimator, const ExperimentConfig& config,
                          nn::Sequential& model, const Tensor& x, const Tensor& y) {
  const nn::NamedParameters named = model.named_parameters();
  SharpnessProblem problem{.loss =
                               [&]() {
                                 return penalized(compute_loss(config.loss, model(x), y),
                                                  config.penalties, named);
                               },
                           .params = model.parameters(),
                           .iterations = config.diagnostics.sharpness.iterations};
  const bool was_training = model.is_training();
  // Evaluation mode: no dropout mask is drawn and no running statistic moves, so measuring
  // leaves the run exactly as it was.
  model.eval();
  struct Restore {
    nn::Sequential& model;
    bool training;
    ~Restore() {
      model.train(training);
      model.zero_grad();
    }
  } restore{model, was_training};
  GradModeGuard grad_on(true);
  return estimator(problem);
}

std::string sharpness_at_divergence(const SharpnessEstimator& estimator,
                                    const ExperimentConfig& config, nn::Sequential& model,
                                    const Tensor& x, const Tensor& y,
                                    const std::vector<Tensor>& last_finite, double lr,
                                    int64_t step) {
  if (last_finite.empty()) return "no finite parameters were recorded for a λmax estimate";
  std::vector<Tensor> params = model.parameters();
  std::vector<Tensor> current;
  {
    NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      current.push_back(clone(params[i].detach()));
      params[i].copy_(last_finite[i]);
    }
  }
  std::string text;
  try {
    text = explain_sharpness(estimate_sharpness(estimator, config, model, x, y), lr, step);
  } catch (const Error& e) {
    text = fmt::format("the λmax estimate failed: {}", e.what());
  }
  NoGradGuard no_grad;  // the run continues (on_nonfinite = skip) from where it was
  for (size_t i = 0; i < params.size(); ++i) params[i].copy_(current[i]);
  return text;
}

void Trainer::set_sharpness_estimator(SharpnessEstimator estimator) {
  impl_->sharpness = std::move(estimator);
}

}  // namespace descent::app
