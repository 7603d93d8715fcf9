// The network playground: training lowers the loss on simple data, frames arrive when promised,
// cancelling stops the run, and bad options are errors naming the option.
#include <descent/app/playground.h>
#include <descent/core/error.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace descent::app {
namespace {

std::string error_of(const PlaygroundOptions& o) {
  try {
    validate(o);
  } catch (const ValueError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Playground, TrainingOnMoonsLowersTheLossAndDrawsTheBoundary) {
  const PlaygroundOptions o{.dataset = "moons",
                            .samples = 60,
                            .noise = 0.1,
                            .widths = {16},
                            .activation = "tanh",
                            .optimizer = "sgd:lr=0.5",
                            .steps = 150,
                            .report_every = 50,
                            .grid = 20};
  const PlaygroundResult r = run_playground(o);
  EXPECT_EQ(r.status, "completed");
  // Frames at steps 0, 50, 100, 150.
  ASSERT_EQ(r.frames.size(), 4u);
  for (size_t k = 0; k < r.frames.size(); ++k) {
    EXPECT_EQ(r.frames[k].step, static_cast<int64_t>(50 * k));
    EXPECT_EQ(r.frames[k].classes.size(), 400u);
  }
  EXPECT_EQ(r.frames[1].losses.size(), 50u);
  EXPECT_LT(r.frames.back().test_loss, 0.5 * r.frames.front().test_loss);
  EXPECT_LT(r.frames.back().losses.back(), r.frames.front().losses.front());
  EXPECT_GT(r.frames.back().test_accuracy, 0.85);
  // Sharpness is measured on every reported step after the first, against lr = 0.5.
  EXPECT_TRUE(std::isnan(r.frames[0].sharpness));
  EXPECT_GT(r.frames[2].sharpness, 0.0);
  EXPECT_DOUBLE_EQ(r.frames[2].lr, 0.5);
  // One tanh layer: its saturated fraction is reported.
  ASSERT_EQ(r.frames[1].saturation.size(), 1u);
  EXPECT_GE(r.frames[1].saturation[0].second, 0.0);
  EXPECT_LE(r.frames[1].saturation[0].second, 1.0);
  // The boundary: the predicted class of the grid cell nearest each point is mostly its label.
  const PlaygroundData& d = r.data;
  int agree = 0;
  for (size_t p = 0; p < d.x.size(); ++p) {
    const auto cell = [&](double v, double lo, double hi) {
      return static_cast<int64_t>(std::lround((v - lo) / (hi - lo) * (o.grid - 1)));
    };
    const int64_t i = cell(d.x[p], d.view[0], d.view[1]), j = cell(d.y[p], d.view[2], d.view[3]);
    agree += r.last.classes[static_cast<size_t>(j * o.grid + i)] == d.label[p];
  }
  EXPECT_GT(agree, static_cast<int>(0.8 * static_cast<double>(d.x.size())));
}

TEST(Playground, ReluLayersReportDeadUnitsAndShiftScaleKeepsTheDataCoordinates) {
  const PlaygroundOptions o{.dataset = "blobs",
                            .classes = 3,
                            .samples = 30,
                            .widths = {8, 8},
                            .batchnorm = true,
                            .shift = 5.0,
                            .scale = 3.0,
                            .standardize = false,
                            .optimizer = "adam:lr=0.01",
                            .steps = 20,
                            .report_every = 10,
                            .grid = 8};
  const PlaygroundResult r = run_playground(o);
  ASSERT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.frames[1].dead.size(), 2u);
  EXPECT_EQ(r.data.classes, 3);
  EXPECT_EQ(r.data.x.size(), 90u);
  PlaygroundOptions plain = o;
  plain.shift = 0.0;
  plain.scale = 1.0;
  // The points are drawn in the original coordinates, whatever the network sees.
  EXPECT_EQ(run_playground(plain).data.x, r.data.x);
}

TEST(Playground, ReturningFalseCancels) {
  int frames = 0;
  const PlaygroundResult r = run_playground({.dataset = "xor", .steps = 100, .report_every = 5},
                                            [&](const PlaygroundFrame&) { return ++frames < 2; });
  EXPECT_EQ(r.status, "cancelled");
  EXPECT_EQ(frames, 2);
  EXPECT_EQ(r.last.step, 5);
}

TEST(Playground, BadOptionsNameTheOption) {
  EXPECT_NE(error_of({.dataset = "mnist"}).find("dataset"), std::string::npos);
  EXPECT_NE(error_of({.widths = {4, 0}}).find("widths[1]"), std::string::npos);
  EXPECT_NE(error_of({.widths = {4, 1000}}).find("widths[1]"), std::string::npos);
  EXPECT_NE(error_of({.widths = {1, 1, 1, 1, 1, 1, 1}}).find("widths"), std::string::npos);
  EXPECT_NE(error_of({.samples = 10000}).find("samples"), std::string::npos);
  EXPECT_NE(error_of({.scale = 0.0}).find("scale"), std::string::npos);
  EXPECT_NE(error_of({.l2 = -1.0}).find("l2"), std::string::npos);
  EXPECT_NE(error_of({.steps = 100000}).find("steps"), std::string::npos);
  EXPECT_NE(error_of({.activation = "cosh"}).find("activation"), std::string::npos);
  EXPECT_EQ(error_of({}), "(no error)");
  EXPECT_THROW(playground_config({.optimizer = "nosuch:lr=1"}), ValueError);
  EXPECT_THROW(playground_config({.init = "bogus"}), ValueError);
}

}  // namespace
}  // namespace descent::app
