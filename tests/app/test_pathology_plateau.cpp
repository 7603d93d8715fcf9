// The plateau experiment: a saturating initialization stalls sigmoid units from the start,
// and ReLU with He initialization reaches the loss in fewer steps (fixed seed).
#include <gtest/gtest.h>

#include <filesystem>

#include "descent/app/pathology_plateau.h"
#include "descent/core/error.h"
#include "descent/data/idx.h"

namespace descent::app {
namespace {

// The default experiment (Fashion-MNIST), shortened.
PlateauExperimentOptions quick() {
  PlateauExperimentOptions o;
  o.data.train_limit = 500;
  o.steps = 120;
  o.every = 40;
  return o;
}

TEST(PathologyPlateau, SaturatedSigmoidIsSlowerThanReluHe) {
  if (!std::filesystem::exists(data::kFashionMnistDir))
    GTEST_SKIP() << data::kFashionMnistDir << " is absent (apt-get install dataset-fashion-mnist)";
  const PlateauExperiment e = run_plateau_experiment(quick());
  ASSERT_EQ(e.cases.size(), 3u);
  const PlateauCase& bad = e.cases[0];
  const PlateauCase& relu = e.cases[2];
  EXPECT_EQ(bad.activation, "sigmoid");
  EXPECT_EQ(bad.init, "normal");
  EXPECT_EQ(relu.activation, "relu");
  EXPECT_EQ(relu.init, "he");
  // Most sigmoid outputs start in the flat tails.
  ASSERT_FALSE(bad.stalled.empty());
  EXPECT_GT(bad.stalled[0], 0.5);
  // A good initialization does not saturate.
  EXPECT_LT(e.cases[1].stalled[0], 0.1);
  // ReLU + He reaches the target; the saturated net later or never.
  ASSERT_GE(relu.steps_to_target, 0);
  if (bad.steps_to_target >= 0) {
    EXPECT_LT(relu.steps_to_target, bad.steps_to_target);
  }
  // The plateau: the saturated net's loss is still far above ReLU's at the end.
  EXPECT_GT(bad.final_loss, 10 * relu.final_loss);
  EXPECT_GT(bad.stalled.back(), 0.5);
  EXPECT_EQ(relu.step, (std::vector<int64_t>{0, 40, 80, 120}));
  EXPECT_EQ(relu.loss.size(), 4u);
  EXPECT_EQ(relu.final_loss, relu.loss.back());
}

// A synthetic set (no files needed): deterministic, and the poor init saturates at once.
PlateauExperimentOptions synthetic() {
  PlateauExperimentOptions o;
  o.data = DataConfig{};
  o.data.dataset = "circles";
  o.data.samples = 100;
  o.bad_init_std = 8.0;
  o.steps = 50;
  o.every = 25;
  return o;
}

TEST(PathologyPlateau, SameSeedSameNumbersOnASyntheticSet) {
  const PlateauExperiment a = run_plateau_experiment(synthetic());
  const PlateauExperiment b = run_plateau_experiment(synthetic());
  EXPECT_EQ(a.examples, 160);
  EXPECT_GT(a.cases[0].stalled[0], 0.5);
  for (size_t i = 0; i < a.cases.size(); ++i) {
    EXPECT_EQ(a.cases[i].loss, b.cases[i].loss);
    EXPECT_EQ(a.cases[i].stalled, b.cases[i].stalled);
  }
}

TEST(PathologyPlateau, BadOptionsAreClearErrors) {
  PlateauExperimentOptions o = synthetic();
  o.hidden = {};
  EXPECT_THROW(run_plateau_experiment(o), ValueError);
  o = synthetic();
  o.lr = 0.0;
  EXPECT_THROW(run_plateau_experiment(o), ValueError);
  o = synthetic();
  o.data.dataset = "linear-regression";
  EXPECT_THROW(run_plateau_experiment(o), ValueError);
}

}  // namespace
}  // namespace descent::app
