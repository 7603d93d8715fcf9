// A run's report.html after `descent landscape`: the landscapes in the run's analysis/ folder are
// drawn in the report, with the grid's numbers, next to the training curves that were there.
#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "../app/app_test_util.h"
#include "cli_test_util.h"
#include "descent/app/run.h"
#include "descent/app/run_report.h"

namespace {

namespace fs = std::filesystem;
using descent::app::testing::ScratchDir;
using descent::cli_test::run_cli;
using ::testing::HasSubstr;
using ::testing::Not;

fs::path train_small_run(const fs::path& dir) {
  const fs::path config = dir / "moons.json";
  std::ofstream(config) << R"({"name": "moons", "runs_dir": ")" << (dir / "runs").string() << R"(",
    "data": {"dataset": "moons", "samples": 60},
    "model": [{"type": "linear", "out": 8}, "tanh", "linear"],
    "optimizer": "sgd:lr=0.2,momentum=0.9", "epochs": 3, "batch_size": 20, "seed": 2})";
  const auto r = run_cli("train " + config.string() + " --progress none", true);
  EXPECT_EQ(r.status, 0) << r.out;
  return dir / "runs" / "moons" / "v0";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every finite loss of a landscape.json, as the JSON writer prints it: the report's data carry
// the same numbers through the same writer, so each must appear verbatim.
void expect_losses_in(const std::string& html, const fs::path& landscape_json) {
  const nlohmann::json j = nlohmann::json::parse(read_text(landscape_json));
  ASSERT_FALSE(j["loss"].empty());
  size_t checked = 0;
  for (const auto& v : j["loss"]) {
    if (v.is_null()) continue;
    EXPECT_THAT(html, HasSubstr(v.dump())) << landscape_json;
    ++checked;
  }
  EXPECT_GT(checked, 3u);
}

TEST(CliLandscapeReport, RunReportShowsEveryLandscapeOfTheRun) {
  ScratchDir scratch;
  const fs::path run = train_small_run(scratch.path());
  const std::string before = read_text(run / "report.html");
  ASSERT_THAT(before, HasSubstr("train loss"));
  EXPECT_THAT(before, Not(HasSubstr("Loss landscape")));
  ASSERT_TRUE(fs::exists(run / "summary.json"));

  const auto checkpoints = descent::app::list_checkpoints(run);
  ASSERT_FALSE(checkpoints.empty());
  const fs::path initial = run / "checkpoints" / "initial.ckpt";
  auto r = run_cli("landscape " + initial.string() + " --to " + checkpoints.back().string() +
                       " --grid 7 --samples 50",
                   true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("updated " + (run / "report.html").string()));
  // A second landscape, a 2-D slice along Hessian eigenvectors, in its own folder of analysis/.
  r = run_cli("landscape " + checkpoints.back().string() +
                  " --directions hessian --grid 5 --range 0.5 --samples 50 --out " +
                  (run / "analysis" / "hessian").string(),
              true);
  ASSERT_EQ(r.status, 0) << r.out;

  const std::string html = read_text(run / "report.html");
  // The training report is all still there: curves, summary, config.
  EXPECT_THAT(html, HasSubstr("train loss"));
  EXPECT_THAT(html, HasSubstr("test accuracy"));
  EXPECT_THAT(html, HasSubstr("<h2>Summary</h2>"));
  EXPECT_THAT(html, HasSubstr("<td>done</td>"));
  EXPECT_THAT(html, HasSubstr("Resolved configuration"));
  // Both landscapes, named by their files, with their directions, and their numbers.
  EXPECT_THAT(html, HasSubstr("Loss landscape (analysis/landscape.json): Linear interpolation"));
  EXPECT_THAT(html, HasSubstr("Loss landscape (analysis/hessian/landscape.json): L(θ0"));
  EXPECT_THAT(html, HasSubstr("top two unit eigenvectors of the loss Hessian"));
  EXPECT_THAT(html, HasSubstr("data-heatmap=\"{&quot;"));
  expect_losses_in(html, run / "analysis" / "landscape.json");
  expect_losses_in(html, run / "analysis" / "hessian" / "landscape.json");
  const nlohmann::json hessian =
      nlohmann::json::parse(read_text(run / "analysis" / "hessian" / "landscape.json"));
  EXPECT_THAT(html, HasSubstr(fmt::format("λ1 = {:.6g}", hessian["eigenvalues"][0].get<double>())));
  // Self-contained: no script or style from elsewhere.
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_TRUE(fs::exists(run / "analysis" / "landscape.html"));

  // Rendered again without the landscapes, the report has none, and keeps the rest.
  fs::remove_all(run / "analysis");
  descent::app::rerender_run_report(run);
  const std::string without = read_text(run / "report.html");
  EXPECT_THAT(without, Not(HasSubstr("Loss landscape")));
  EXPECT_THAT(without, Not(HasSubstr("data-heatmap=\"{&quot;")));
  EXPECT_THAT(without, HasSubstr("train loss"));
  EXPECT_THAT(without, HasSubstr("<td>done</td>"));
}

TEST(CliLandscapeReport, OutsideARunDirectoryNoReportIsTouched) {
  ScratchDir scratch;
  const fs::path run = train_small_run(scratch.path());
  const std::string before = read_text(run / "report.html");
  const fs::path out = scratch.path() / "elsewhere";
  const auto r = run_cli("landscape " + descent::app::list_checkpoints(run).back().string() +
                             " --grid 3 --samples 20 --out " + out.string(),
                         true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, Not(HasSubstr("updated")));
  EXPECT_TRUE(fs::exists(out / "landscape.json"));
  EXPECT_EQ(read_text(run / "report.html"), before);
}

}  // namespace
