// Landscapes in run reports: landscape.json read back exactly, the sections found in a run's
// analysis/ folder, and run summaries kept in summary.json.
#include "descent/app/landscape_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "app_test_util.h"
#include "descent/app/run_report.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScratchDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

LandscapeResult a_line() {
  LandscapeResult r;
  r.kind = "interpolation";
  r.checkpoint = "runs/x/v0/checkpoints/initial.ckpt";
  r.to = "runs/x/v0/checkpoints/step-000000000010.ckpt";
  r.split = "train";
  r.examples = 40;
  r.line = {.alpha = {-0.5, 0.0, 0.5, 1.0, 1.5},
            .loss = {3.25, 1.125, kNaN, 0.0625, 0.875},
            .accuracy = {0.25, 0.5, 0.75, 1.0, 0.5}};
  return r;
}

LandscapeResult a_slice(const std::string& directions) {
  LandscapeResult r;
  r.kind = "slice";
  r.checkpoint = "c.ckpt";
  r.split = "test";
  r.examples = 7;
  r.seed = 12;
  r.directions = directions;
  if (directions == "hessian") r.eigenvalues = {4.5, 0.75};
  r.slice.a = {-1.0, 0.0, 1.0};
  r.slice.b = {-2.0, 2.0};
  r.slice.loss = {1.5, 0.5, 1.25, 2.5, 1.75, 3.0};
  r.slice.accuracy = {0.1, 0.9, 0.2, 0.3, 0.4, 0.5};
  return r;
}

void expect_same_values(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i])) {
      EXPECT_TRUE(std::isnan(b[i])) << i;
    } else {
      EXPECT_EQ(a[i], b[i]) << i;
    }
  }
}

// The JSON as written to disk and parsed back, as a report reads it.
nlohmann::json on_disk(const LandscapeResult& r) {
  return nlohmann::json::parse(landscape_json(r).dump(2));
}

TEST(LandscapeReport, InterpolationReadsBackExactly) {
  const LandscapeResult r = a_line();
  const LandscapeResult back = landscape_from_json(on_disk(r), "f.json");
  EXPECT_EQ(back.kind, r.kind);
  EXPECT_EQ(back.checkpoint, r.checkpoint);
  EXPECT_EQ(back.to, r.to);
  EXPECT_EQ(back.split, r.split);
  EXPECT_EQ(back.examples, r.examples);
  expect_same_values(back.line.alpha, r.line.alpha);
  expect_same_values(back.line.loss, r.line.loss);  // NaN → null → NaN
  expect_same_values(back.line.accuracy, r.line.accuracy);
}

TEST(LandscapeReport, SlicesReadBackWithTheirDirections) {
  for (const std::string directions : {"random", "hessian"}) {
    const LandscapeResult r = a_slice(directions);
    const LandscapeResult back = landscape_from_json(on_disk(r), "f.json");
    EXPECT_EQ(back.directions, directions);
    EXPECT_EQ(back.seed, 12u);
    expect_same_values(back.eigenvalues, r.eigenvalues);
    expect_same_values(back.slice.a, r.slice.a);
    expect_same_values(back.slice.b, r.slice.b);
    expect_same_values(back.slice.loss, r.slice.loss);
    expect_same_values(back.slice.accuracy, r.slice.accuracy);
    // Rendering the read-back result gives the same section as the original.
    EXPECT_EQ(landscape_section(back).html, landscape_section(r).html);
  }
}

TEST(LandscapeReport, MalformedDocumentsNameTheFileAndTheKey) {
  auto error_of = [](const nlohmann::json& j) {
    try {
      landscape_from_json(j, "analysis/bad.json");
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error_of({{"kind", "volcano"}}), HasSubstr("analysis/bad.json: not a landscape"));
  nlohmann::json j = on_disk(a_slice("random"));
  j["loss"].erase(0);
  EXPECT_THAT(error_of(j), HasSubstr("\"loss\" has 5 values, expected 6"));
  j = on_disk(a_slice("hessian"));
  j.erase("eigenvalues");
  EXPECT_THAT(error_of(j), HasSubstr("missing key \"eigenvalues\""));
  j = on_disk(a_line());
  j["alpha"][1] = "zero";
  EXPECT_THAT(error_of(j), HasSubstr("\"alpha\" must hold numbers or null"));
  EXPECT_FALSE(looks_like_landscape(nlohmann::json::array()));
}

TEST(LandscapeReport, SectionsOfARunDirectory) {
  ScratchDir scratch;
  const fs::path run = scratch.path();
  EXPECT_TRUE(run_landscape_sections(run).empty());  // no analysis/ folder
  fs::create_directories(run / "analysis" / "more");
  std::ofstream(run / "analysis" / "landscape.json") << landscape_json(a_line()).dump();
  std::ofstream(run / "analysis" / "more" / "landscape.json")
      << landscape_json(a_slice("random")).dump();
  std::ofstream(run / "analysis" / "other.json") << R"({"not": "a landscape"})";
  std::ofstream(run / "analysis" / "garbage.json") << "{ not json";
  std::ofstream(run / "analysis" / "broken.json") << R"({"kind": "slice", "checkpoint": "x"})";
  const std::vector<ReportSection> sections = run_landscape_sections(run);
  ASSERT_EQ(sections.size(), 3u);  // sorted by path; other.json and garbage.json ignored
  EXPECT_THAT(sections[0].title, HasSubstr("analysis/broken.json"));
  EXPECT_THAT(sections[0].html, HasSubstr("could not be read"));
  EXPECT_THAT(sections[1].title, HasSubstr("(analysis/landscape.json): Linear interpolation"));
  EXPECT_EQ(sections[1].charts.size(), 2u);  // loss and accuracy against α
  EXPECT_THAT(sections[2].title, HasSubstr("(analysis/more/landscape.json): L(θ0"));
  EXPECT_THAT(sections[2].html, HasSubstr("filter-normalized directions d1, d2 (seed 12)"));
}

TEST(RunSummaries, RoundTripThroughJson) {
  RunSummary done{.status = RunStatus::Completed,
                  .message = "",
                  .steps = 30,
                  .epochs = 3,
                  .seconds = 1.5,
                  .seconds_per_epoch = 0.5,
                  .final_metrics = {{"train.loss", 0.25}, {"test.accuracy", 0.875}}};
  RunSummary diverged{.status = RunStatus::Diverged,
                      .message = "training diverged at step 4",
                      .steps = 4,
                      .epochs = 0,
                      .seconds = 0.125,
                      .seconds_per_epoch = kNaN,
                      .final_metrics = {{"train.loss", kNaN}}};
  const std::vector<std::pair<std::string, RunSummary>> runs = {{"sgd:lr=0.1", done},
                                                                {"adam", diverged}};
  const auto back = run_summaries_from_json(nlohmann::json::parse(run_summaries_json(runs).dump()),
                                            "summary.json");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].first, "sgd:lr=0.1");
  EXPECT_EQ(back[1].second.status, RunStatus::Diverged);
  EXPECT_EQ(back[1].second.message, "training diverged at step 4");
  EXPECT_TRUE(std::isnan(back[1].second.seconds_per_epoch));
  EXPECT_TRUE(std::isnan(back[1].second.final_metrics.at("train.loss")));
  // The table shown from the read-back summaries is the table of the originals.
  EXPECT_EQ(format_table_text(run_summary_table(back)), format_table_text(run_summary_table(runs)));

  nlohmann::json bad = nlohmann::json::parse(run_summaries_json(runs).dump());
  bad[1]["status"] = "exploded";
  EXPECT_THROW(run_summaries_from_json(bad, "summary.json"), ValueError);
  try {
    run_summaries_from_json(bad, "summary.json");
  } catch (const ValueError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("summary.json[1].status"));
  }
}

}  // namespace
}  // namespace descent::app
