// `descent landscape` end to end on a tiny run trained in the test: the 1-D interpolation from
// the initial weights to the final checkpoint, and a 2-D slice, cross-checked with `descent eval`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../app/app_test_util.h"
#include "cli_test_util.h"
#include "descent/app/run.h"

namespace {

namespace fs = std::filesystem;
using descent::app::testing::ScratchDir;
using descent::cli_test::run_cli;
using ::testing::HasSubstr;

// Trains a small spiral classifier with BatchNorm and dropout into dir/runs/spiral/v0.
fs::path train_tiny_run(const fs::path& dir) {
  const fs::path config = dir / "spiral.json";
  std::ofstream(config) << R"({"name": "spiral", "runs_dir": ")" << (dir / "runs").string() << R"(",
    "data": {"dataset": "spiral", "samples": 90, "classes": 3},
    "model": [{"type": "linear", "out": 12}, "batchnorm", "tanh", {"type": "dropout", "p": 0.1},
              "linear"],
    "optimizer": "adam:lr=0.05", "epochs": 3, "batch_size": 16, "seed": 4})";
  const auto r = run_cli("train " + config.string() + " --progress none", true);
  EXPECT_EQ(r.status, 0) << r.out;
  return dir / "runs" / "spiral" / "v0";
}

double eval_loss(const fs::path& checkpoint) {
  const auto r = run_cli("eval " + checkpoint.string() + " --split test --json");
  EXPECT_EQ(r.status, 0) << r.out;
  return nlohmann::json::parse(r.out)["loss"].get<double>();
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(CliLandscape, InterpolatesFromInitialToFinalWeights) {
  ScratchDir scratch;
  const fs::path run = train_tiny_run(scratch.path());
  const fs::path initial = run / "checkpoints" / descent::app::kInitialCheckpointName;
  ASSERT_TRUE(fs::exists(initial));
  const auto finals = descent::app::list_checkpoints(run);
  ASSERT_FALSE(finals.empty());
  const fs::path final_ckpt = finals.back();

  const auto r = run_cli("landscape " + initial.string() + " --to " + final_ckpt.string() +
                             " --split test --samples 0 --grid 5 --json",
                         true);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(j["kind"], "interpolation");
  const auto alpha = j["alpha"].get<std::vector<double>>();
  const auto loss = j["loss"].get<std::vector<double>>();
  ASSERT_EQ(alpha.size(), loss.size());
  const auto at = [&](double a) {
    return loss[static_cast<size_t>(std::find(alpha.begin(), alpha.end(), a) - alpha.begin())];
  };
  ASSERT_NE(std::find(alpha.begin(), alpha.end(), 0.0), alpha.end());
  ASSERT_NE(std::find(alpha.begin(), alpha.end(), 1.0), alpha.end());
  // The end points are exactly the models of the two checkpoints (eval mode, same data).
  EXPECT_EQ(at(0.0), eval_loss(initial));
  EXPECT_EQ(at(1.0), eval_loss(final_ckpt));
  EXPECT_LT(at(1.0), at(0.0));  // training lowered the loss
  // Default output directory: <run>/analysis.
  const fs::path out = run / "analysis";
  for (const char* f : {"landscape.csv", "landscape.json", "landscape.html"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  std::ifstream csv(out / "landscape.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "alpha,loss,accuracy");
  EXPECT_EQ(read_json(out / "landscape.json")["loss"], j["loss"]);
}

TEST(CliLandscape, TwoDimensionalSliceIsCentredOnTheCheckpoint) {
  ScratchDir scratch;
  const fs::path run = train_tiny_run(scratch.path());
  const fs::path ckpt = descent::app::list_checkpoints(run).back();
  const fs::path out = scratch.path() / "slice";
  const std::string args = "landscape " + ckpt.string() + " --split test --samples 0 --grid 5 " +
                           "--range 0.5 --seed 3 --out " + out.string();
  const auto r = run_cli(args, true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("5x5 grid"));
  const auto j = read_json(out / "landscape.json");
  EXPECT_EQ(j["kind"], "slice");
  EXPECT_EQ(j["a"].size(), 5u);
  ASSERT_EQ(j["loss"].size(), 25u);
  EXPECT_EQ(j["a"][2].get<double>(), 0.0);
  EXPECT_EQ(j["loss"][12].get<double>(), eval_loss(ckpt));
  std::ifstream html_in(out / "landscape.html");
  const std::string html((std::istreambuf_iterator<char>(html_in)), {});
  EXPECT_THAT(html, HasSubstr("class=\"heatmap\""));
  EXPECT_THAT(html, HasSubstr("</html>"));
  std::ifstream csv(out / "landscape.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "a,b,loss,accuracy");
  // The same seed gives the same slice.
  ASSERT_EQ(run_cli(args).status, 0);
  EXPECT_EQ(read_json(out / "landscape.json")["loss"], j["loss"]);
}

// Along the top Hessian eigenvector v1 (a unit vector), L(θ0 ± h v1) ≈ L0 ± h g·v1 + λ1 h²/2,
// so the slice's second difference at the centre is λ1; along v2 it is λ2. A float64 run keeps
// the rounding error of the difference (~ε L0 / h²) far below the tolerance.
TEST(CliLandscape, HessianDirectionsCurveByTheirEigenvalues) {
  ScratchDir scratch;
  const fs::path config = scratch.path() / "moons.json";
  std::ofstream(config) << R"({"name": "moons", "runs_dir": ")"
                        << (scratch.path() / "runs").string() << R"(", "dtype": "float64",
    "data": {"dataset": "moons", "samples": 40},
    "model": [{"type": "linear", "out": 6}, "batchnorm", "tanh", "linear"],
    "optimizer": "adam:lr=0.05", "epochs": 2, "batch_size": 16, "seed": 2})";
  ASSERT_EQ(run_cli("train " + config.string() + " --progress none").status, 0);
  const fs::path ckpt =
      descent::app::list_checkpoints(scratch.path() / "runs" / "moons" / "v0").back();
  const double h = 1e-3;
  const auto r = run_cli("landscape " + ckpt.string() + " --directions hessian --samples 0 " +
                             "--grid 3 --range " + std::to_string(h) + " --out " +
                             (scratch.path() / "hess").string() + " --json",
                         true);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(j["kind"], "slice");
  const auto lambda = j["eigenvalues"].get<std::vector<double>>();
  ASSERT_EQ(lambda.size(), 2u);
  EXPECT_GE(lambda[0], lambda[1]);
  EXPECT_GT(lambda[0], 0.0);
  const auto loss = j["loss"].get<std::vector<double>>();  // index j·3 + i for (a[i], b[j])
  ASSERT_EQ(loss.size(), 9u);
  const double step = j["a"][2].get<double>();
  const double along_d1 = (loss[3] - 2 * loss[4] + loss[5]) / (step * step);
  const double along_d2 = (loss[1] - 2 * loss[4] + loss[7]) / (step * step);
  EXPECT_NEAR(along_d1, lambda[0], 1e-3 * lambda[0]);
  EXPECT_NEAR(along_d2, lambda[1], 1e-3 * lambda[0]);
  std::ifstream html_in(scratch.path() / "hess" / "landscape.html");
  const std::string html((std::istreambuf_iterator<char>(html_in)), {});
  EXPECT_THAT(html, HasSubstr("top two unit eigenvectors"));
  // The text form names the directions and prints λ1.
  const auto text = run_cli("landscape " + ckpt.string() + " --directions hessian --grid 3 --out " +
                            (scratch.path() / "hess").string());
  EXPECT_THAT(text.out, HasSubstr("hessian directions"));
  EXPECT_THAT(text.out, HasSubstr("lambda1 = "));
  // Directions belong to a 2-D slice.
  const auto bad = run_cli(
      "landscape " + ckpt.string() + " --to " + ckpt.string() + " --directions hessian", true);
  EXPECT_NE(bad.status, 0);
  EXPECT_THAT(bad.out, HasSubstr("--directions"));
}

TEST(CliLandscape, BadInputIsAClearError) {
  ScratchDir scratch;
  auto r = run_cli("landscape /nonexistent.ckpt", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("/nonexistent.ckpt"));
  const fs::path run = train_tiny_run(scratch.path());
  const fs::path ckpt = descent::app::list_checkpoints(run).back();
  r = run_cli("landscape " + ckpt.string() + " --grid 1", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--grid"));
  r = run_cli("landscape " + ckpt.string() + " --range -1", true);
  EXPECT_NE(r.status, 0);
}

}  // namespace
