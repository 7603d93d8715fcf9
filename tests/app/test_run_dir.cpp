// Run directories: versioning, layout, names, config round trip.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app_test_util.h"
#include "descent/app/run_dir.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using testing::ScratchDir;

TEST(RunDir, VersionsCountUpFromV0WithCheckpointsInside) {
  ScratchDir root;
  const RunDir a = create_run_dir(root.path(), "mnist-mlp");
  const RunDir b = create_run_dir(root.path(), "mnist-mlp");
  const RunDir other = create_run_dir(root.path(), "other_1.5");
  EXPECT_EQ(a.version, "v0");
  EXPECT_EQ(b.version, "v1");
  EXPECT_EQ(other.version, "v0");
  EXPECT_EQ(a.path, root.path() / "mnist-mlp" / "v0");
  EXPECT_EQ(b.name, "mnist-mlp");
  EXPECT_TRUE(std::filesystem::is_directory(a.checkpoints_dir()));
  EXPECT_TRUE(std::filesystem::is_directory(b.path / "checkpoints"));
  EXPECT_EQ(a.config_path(), a.path / "config.json");
  EXPECT_EQ(a.report_path(), a.path / "report.html");
}

TEST(RunDir, NextVersionIsOneAboveTheHighestAndIgnoresStrays) {
  ScratchDir root;
  const auto parent = root.path() / "exp";
  for (const char* d : {"v0", "v2", "v10", "v03", "vx", "notes"}) {
    std::filesystem::create_directories(parent / d);
  }
  std::ofstream(parent / "v11") << "a file, not a directory";
  EXPECT_EQ(list_run_versions(root.path(), "exp"), (std::vector<std::string>{"v0", "v2", "v10"}));
  // v11 is taken by a file: mkdir fails there and the next number is used.
  EXPECT_EQ(create_run_dir(root.path(), "exp").version, "v12");
  EXPECT_TRUE(list_run_versions(root.path(), "absent").empty());
}

TEST(RunDir, ConcurrentCreatorsNeverShareAVersion) {
  ScratchDir root;
  constexpr int kThreads = 8, kEach = 5;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(create_run_dir(root.path(), "race").version);
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(list_run_versions(root.path(), "race").back(), "v39");
}

TEST(RunDir, RejectsNamesThatAreNotOneSafeDirectory) {
  ScratchDir root;
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", ".hidden", "a/b", "a b", "../up", "x\\y", "é", std::string(129, 'a')}) {
    EXPECT_THROW(create_run_dir(root.path(), bad), ValueError) << bad;
  }
  EXPECT_NO_THROW(validate_run_name(std::string(128, 'a')));
  try {
    validate_run_name("a/b");
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("'a/b'"), std::string::npos);
  }
}

TEST(RunDir, ConfigIsPrettyJsonAndReadsBack) {
  ScratchDir root;
  const RunDir dir = create_run_dir(root.path(), "cfg");
  nlohmann::ordered_json config = {{"optimizer", "adam:lr=0.001"}, {"epochs", 3}};
  dir.write_config(config);
  EXPECT_EQ(read_text_file(dir.config_path()),
            "{\n  \"optimizer\": \"adam:lr=0.001\",\n  \"epochs\": 3\n}\n");
  EXPECT_EQ(dir.read_config(), config);
  std::ofstream(dir.config_path()) << "{\"broken\": ";
  EXPECT_THROW(dir.read_config(), IOError);
}

TEST(RunDir, OpenFindsExistingRunsOnly) {
  ScratchDir root;
  const RunDir made = create_run_dir(root.path(), "r");
  EXPECT_EQ(open_run_dir(root.path(), "r", "v0").path, made.path);
  EXPECT_THROW(open_run_dir(root.path(), "r", "v1"), IOError);
  EXPECT_THROW(open_run_dir(root.path(), "r", "latest"), ValueError);
}

}  // namespace
}  // namespace descent::app
