// `descent hessian` end to end on a checkpoint trained in the test, against the full Hessian
// of the same loss formed and diagonalized here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../app/app_test_util.h"
#include "cli_test_util.h"
#include "descent/analysis/hessian.h"
#include "descent/analysis/symmetric_eigen.h"
#include "descent/app/checkpoint_model.h"
#include "descent/app/model_builder.h"
#include "descent/app/run.h"
#include "descent/autograd/ops.h"

namespace {

namespace fs = std::filesystem;
using descent::app::testing::ScratchDir;
using descent::cli_test::run_cli;
using ::testing::HasSubstr;

// Trains a float32 spiral MLP (2-8-3, 51 parameters) and returns its last checkpoint.
fs::path train_tiny(const fs::path& dir) {
  const fs::path config = dir / "tiny.json";
  std::ofstream(config) << R"({"name": "tiny", "runs_dir": ")" << (dir / "runs").string() << R"(",
    "data": {"dataset": "spiral", "samples": 40, "classes": 3},
    "model": [{"type": "linear", "out": 8}, "tanh", "linear"],
    "optimizer": "adam:lr=0.02", "epochs": 2, "batch_size": 16, "seed": 5})";
  const auto r = run_cli("train " + config.string() + " --progress none", true);
  EXPECT_EQ(r.status, 0) << r.out;
  const auto files = descent::app::list_checkpoints(dir / "runs" / "tiny" / "v0");
  return files.empty() ? fs::path() : files.back();
}

TEST(CliHessian, MatchesTheFullHessianOfTheCheckpointLoss) {
  ScratchDir scratch;
  const fs::path ckpt = train_tiny(scratch.path());
  ASSERT_FALSE(ckpt.empty());
  const auto r = run_cli("hessian " + ckpt.string() +
                         " --samples 50 --top 3 --bottom 2 --steps 51 --trace --probes 40"
                         " --density --blocks --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["parameters"], 51);
  EXPECT_EQ(j["samples"], 50);

  // Reference: the same loss (eval mode, first 50 training examples), full Hessian, Jacobi.
  descent::app::CheckpointModel loaded(ckpt, "");
  auto& model = loaded.model();
  model.eval();
  const auto& train = loaded.data().train;
  const descent::Tensor x = descent::slice(train.inputs, 0, 0, 50);
  const descent::Tensor y = descent::slice(train.targets, 0, 0, 50);
  auto loss = [&] { return descent::app::compute_loss(loaded.config().loss, model(x), y); };
  const auto h = descent::analysis::full_hessian(model.parameters(), loss);
  const auto exact = descent::analysis::symmetric_eigen(h, 51).values;
  // Products are float32 (the run's dtype): agreement to float32 rounding of ‖H‖ ≈ 1.
  EXPECT_NEAR(j["loss"].get<double>(), loss().item(), 1e-6);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(j["top"][i].get<double>(), exact[50 - i], 1e-5);
  for (int i = 0; i < 2; ++i) EXPECT_NEAR(j["bottom"][i].get<double>(), exact[i], 1e-5);
  double trace = 0.0;
  for (int i = 0; i < 51; ++i) trace += h[i * 51 + i];
  EXPECT_LT(std::abs(j["trace"]["estimate"].get<double>() - trace),
            4 * j["trace"]["std_error"].get<double>());
  double wsum = 0.0;
  for (const auto& w : j["density"]["weights"]) wsum += w.get<double>();
  EXPECT_NEAR(wsum, 1.0, 1e-9);
  ASSERT_EQ(j["blocks"].size(), 2u);
  EXPECT_EQ(j["blocks"][0]["name"], "0");
  EXPECT_EQ(j["blocks"][0]["parameters"], 24);
  // Block "2" (the output layer, θ[24:51]): its top eigenvalue from the full Hessian's block.
  std::vector<double> block(27 * 27);
  for (int a = 0; a < 27; ++a) {
    for (int b = 0; b < 27; ++b) block[a * 27 + b] = h[(24 + a) * 51 + 24 + b];
  }
  const double block_top = descent::analysis::symmetric_eigen(block, 27).values.back();
  EXPECT_NEAR(j["blocks"][1]["top_eigenvalue"].get<double>(), block_top, 1e-5);
}

TEST(CliHessian, PrintsAReadableSummary) {
  ScratchDir scratch;
  const fs::path ckpt = train_tiny(scratch.path());
  ASSERT_FALSE(ckpt.empty());
  const auto r = run_cli("hessian " + ckpt.string() + " --trace --density --blocks", true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("51 parameters"));
  // All of the training split, which has fewer than the default 1000 examples.
  const descent::app::CheckpointModel loaded(ckpt, "");
  EXPECT_LT(loaded.data().train.size(), 1000);
  EXPECT_THAT(r.out,
              HasSubstr("on " + std::to_string(loaded.data().train.size()) + " training examples"));
  EXPECT_THAT(r.out, HasSubstr("top eigenvalues"));
  EXPECT_THAT(r.out, HasSubstr("bottom eigenvalues"));
  EXPECT_THAT(r.out, HasSubstr("trace: "));
  EXPECT_THAT(r.out, HasSubstr("density: support"));
  EXPECT_THAT(r.out, HasSubstr("block"));
}

TEST(CliHessian, BadInputsAreClearErrors) {
  ScratchDir scratch;
  auto r = run_cli("hessian " + (scratch.path() / "missing.ckpt").string(), true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("missing.ckpt"));
  const fs::path ckpt = train_tiny(scratch.path());
  r = run_cli("hessian " + ckpt.string() + " --samples 0", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--samples must be ≥ 1"));
  r = run_cli("hessian " + ckpt.string() + " --samples many", true);
  EXPECT_NE(r.status, 0);
  r = run_cli("hessian " + ckpt.string() + " --top 40 --bottom 40", true);
  EXPECT_NE(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("top + bottom"));
}

}  // namespace
