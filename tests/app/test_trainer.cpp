// The training loop: learning, determinism, bitwise resume, the divergence guard, early stopping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "app_test_util.h"
#include "descent/app/config.h"
#include "descent/app/experiment_data.h"
#include "descent/app/trainer.h"
#include "descent/autograd/ops.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using testing::expect_same_state;
using ::testing::HasSubstr;

ExperimentConfig spiral_config(json extra = json::object()) {
  json j = {{"data", {{"dataset", "spiral"}, {"samples", 60}, {"classes", 3}, {"noise", 0.1}}},
            {"model",
             {{{"type", "linear"}, {"out", 32}},
              "tanh",
              {{"type", "dropout"}, {"p", 0.1}},
              {{"type", "batchnorm"}},
              "linear"}},
            {"optimizer", "adam:lr=0.02"},
            {"epochs", 4},
            {"batch_size", 16},
            {"seed", 7}};
  j.update(extra);
  return parse_config(j);
}

// Gradient descent with a step far beyond 2/λmax on least squares: |θ| grows geometrically
// until the loss overflows.
ExperimentConfig diverging_config(const std::string& on_nonfinite) {
  return parse_config({{"data", {{"dataset", "linear-regression"}, {"samples", 64}}},
                       {"model", {"linear"}},
                       {"loss", "mse"},
                       {"optimizer", "sgd:lr=1000"},
                       {"epochs", 20},
                       {"batch_size", 16},
                       {"on_nonfinite", on_nonfinite}});
}

using testing::data_for;

TEST(Trainer, LearnsTheSpiral) {
  const ExperimentConfig c = spiral_config({{"epochs", 30}});
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  const double before = trainer.evaluate(data.train).at("loss");
  const RunSummary s = trainer.run();
  EXPECT_EQ(s.status, RunStatus::Completed);
  EXPECT_EQ(s.epochs, 30);
  EXPECT_EQ(s.steps, 30 * ((144 + 15) / 16));  // 180 examples, 20% held out
  EXPECT_LT(s.final_metrics.at("train.loss"), 0.5 * before);
  EXPECT_GT(s.final_metrics.at("test.accuracy"), 0.8);
}

TEST(Trainer, SameConfigSameStartAndSameRun) {
  const ExperimentConfig c = spiral_config();
  const data::Split data = data_for(c);
  Trainer a(c, data), b(c, data);
  expect_same_state(a.model(), b.model());
  ExperimentConfig other = c;
  other.optimizer = "sgd:lr=0.1,momentum=0.9";
  Trainer d(other, data);  // a different optimizer starts from the same weights
  expect_same_state(a.model(), d.model());
  a.run();
  b.run();
  expect_same_state(a.model(), b.model());
}

TEST(Trainer, ResumeFromAMidEpochCheckpointIsBitwiseIdentical) {
  const ExperimentConfig c =
      spiral_config({{"schedule", {{"spec", "cosine"}, {"interval", "step"}}},
                     {"checkpoint", {{"every_steps", 5}, {"every_epochs", 0}}}});
  const data::Split data = data_for(c);
  Trainer full(c, data);
  std::vector<Checkpoint> saved;
  full.set_checkpoint_sink([&](int64_t step, bool) {
    if (step == 15) saved.push_back(full.checkpoint());  // batch 6 of epoch 1 (9 per epoch)
  });
  full.run();
  ASSERT_EQ(saved.size(), 1u);

  Trainer resumed(c, data);
  resumed.restore(saved[0]);
  EXPECT_EQ(resumed.step(), 15);
  const RunSummary s = resumed.run();
  EXPECT_EQ(s.steps, full.step());
  expect_same_state(full.model(), resumed.model());
}

TEST(Trainer, NonFiniteLossStopsWithADiagnosisAndKeepsParametersFinite) {
  const ExperimentConfig c = diverging_config("stop");
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  const RunSummary s = trainer.run();
  ASSERT_EQ(s.status, RunStatus::Diverged);
  EXPECT_THAT(s.message, HasSubstr("training diverged at step"));
  EXPECT_THAT(s.message, HasSubstr("(epoch "));
  EXPECT_THAT(s.message, HasSubstr("last finite loss"));
  EXPECT_THAT(s.message, HasSubstr("lr 1000"));
  EXPECT_THAT(s.message, HasSubstr("largest gradient: 0."));
  for (const Tensor& p : trainer.model().parameters()) {
    EXPECT_TRUE(std::isfinite(sum(p).item()));
  }
}

TEST(Trainer, NonFiniteStepsCanBeSkippedOrRaised) {
  ExperimentConfig c = diverging_config("skip");
  const data::Split data = data_for(c);
  Trainer skipping(c, data);
  std::vector<std::string> messages;
  struct Collect : TrainingObserver {
    std::vector<std::string>* out;
    void on_message(const std::string& m) override { out->push_back(m); }
  } collect;
  collect.out = &messages;
  skipping.add_observer(&collect);
  const RunSummary s = skipping.run();
  EXPECT_EQ(s.status, RunStatus::Completed);
  ASSERT_FALSE(messages.empty());
  EXPECT_THAT(messages.back(), HasSubstr("non-finite steps were skipped"));

  c.on_nonfinite = "raise";
  Trainer raising(c, data);
  EXPECT_THROW(raising.run(), DivergenceError);
}

TEST(Trainer, EarlyStoppingAfterPatienceEvaluationsWithoutImprovement) {
  const ExperimentConfig c =
      spiral_config({{"optimizer", "sgd:lr=0"},
                     {"epochs", 10},
                     {"model", {"linear"}},
                     {"early_stopping", {{"metric", "test.loss"}, {"patience", 2}}}});
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  const RunSummary s = trainer.run();
  EXPECT_EQ(s.status, RunStatus::EarlyStopped);
  EXPECT_EQ(s.epochs, 3);  // epoch 1 sets the best, 2 and 3 do not improve
  EXPECT_THAT(s.message, HasSubstr("test.loss did not improve"));
}

TEST(Trainer, PenaltiesAddToTheLoss) {
  const ExperimentConfig plain = spiral_config({{"optimizer", "sgd:lr=0"}, {"epochs", 1}});
  ExperimentConfig penalized = plain;
  penalized.penalties = {{.type = "l2", .weight = 10.0}};
  const data::Split data = data_for(plain);
  Trainer a(plain, data), b(penalized, data);
  EXPECT_GT(b.run().final_metrics.at("train.loss"), a.run().final_metrics.at("train.loss") + 0.1);
}

TEST(Trainer, RegressionHasNoAccuracy) {
  const ExperimentConfig c =
      parse_config({{"data", {{"dataset", "linear-regression"}, {"samples", 100}, {"features", 3}}},
                    {"model", {"linear"}},
                    {"loss", "mse"},
                    {"optimizer", "sgd:lr=0.05"},
                    {"epochs", 20},
                    {"batch_size", 20}});
  const data::Split data = data_for(c);
  Trainer trainer(c, data);
  const RunSummary s = trainer.run();
  EXPECT_EQ(s.final_metrics.count("test.accuracy"), 0u);
  EXPECT_LT(s.final_metrics.at("test.loss"), 0.1);
}

}  // namespace
}  // namespace descent::app
