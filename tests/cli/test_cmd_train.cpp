// `descent train`, `compare` and `eval` end to end, including resuming a run killed with SIGKILL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <tuple>

#include "../app/app_test_util.h"
#include "cli_test_util.h"
#include "descent/app/checkpoint.h"
#include "descent/app/metrics_log.h"
#include "descent/app/run.h"
#include "descent/autograd/ops.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using descent::app::testing::ScratchDir;
using descent::cli_test::run_cli;
using ::testing::HasSubstr;

// A small spiral experiment writing into `dir`.
std::string write_config(const fs::path& dir, const std::string& extra = "") {
  const fs::path path = dir / "spiral.json";
  std::ofstream(path) << R"({"name": "spiral", "runs_dir": ")" << (dir / "runs").string() << R"(",
    "data": {"dataset": "spiral", "samples": 100, "classes": 3},
    "model": [{"type": "linear", "out": 16}, "tanh", {"type": "dropout", "p": 0.1}, "linear"],
    "optimizer": "adam:lr=0.02", "epochs": 3, "batch_size": 16, "seed": 3)"
                      << extra << "}";
  return path.string();
}

TEST(CliTrain, WritesARunDirectoryWithMetricsCheckpointsAndReport) {
  ScratchDir scratch;
  const auto r = run_cli("train " + write_config(scratch.path()) + " --progress plain", true);
  ASSERT_EQ(r.status, 0) << r.out;
  const fs::path run = scratch.path() / "runs" / "spiral" / "v0";
  EXPECT_THAT(r.out, HasSubstr("run: " + run.string()));
  EXPECT_THAT(r.out, HasSubstr("test.accuracy"));
  EXPECT_THAT(r.out, HasSubstr("epoch 3/3 done"));
  for (const char* f : {"config.json", "metrics.jsonl", "metrics.csv", "report.html"}) {
    EXPECT_TRUE(fs::exists(run / f)) << f;
  }
  EXPECT_EQ(descent::app::list_checkpoints(run).size(), 2u);  // keep_last = 2
  std::ifstream csv(run / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "run,step,epoch,wall_time,split,metric,value");
  // A second run gets the next version.
  ASSERT_EQ(run_cli("train " + write_config(scratch.path()) + " --progress none").status, 0);
  EXPECT_TRUE(fs::exists(scratch.path() / "runs" / "spiral" / "v1" / "report.html"));
}

TEST(CliTrain, PrintConfigAppliesOverrides) {
  const auto r = run_cli("train --print-config --set data.dataset=moons --set 'model[0].out=64'");
  ASSERT_EQ(r.status, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["data"]["dataset"], "moons");
  EXPECT_EQ(j["model"][0]["out"], 64);
}

TEST(CliTrain, BadConfigsAreClearErrors) {
  ScratchDir scratch;
  auto r = run_cli("train " + write_config(scratch.path(), R"(, "epoks": 3)"), true);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("config: epoks: unknown key"));
  r = run_cli("train " + write_config(scratch.path()) + " --set optimizer=adam:lr=-1", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("config: optimizer:"));
  r = run_cli("train /nonexistent/config.json", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("/nonexistent/config.json"));
  EXPECT_FALSE(fs::exists(scratch.path() / "runs"));  // nothing was created
}

TEST(CliTrain, ThreadCountsOutOfRangeAreClearErrors) {
  ScratchDir scratch;
  // Once a generic "Resource temporarily unavailable" from starting 100,000 threads.
  auto r = run_cli("train " + write_config(scratch.path()) + " --set threads=100000", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.out, HasSubstr("config: threads: must be at most 256, got 100000"));
  // Once read with atoi: "2x" ran with 2 threads, "0" and "abc" silently with the default.
  for (const char* bad : {"2x", "0", "abc", "300"}) {
    setenv("DESCENT_NUM_THREADS", bad, 1);
    r = run_cli("train " + write_config(scratch.path()) + " --progress none", true);
    unsetenv("DESCENT_NUM_THREADS");
    EXPECT_EQ(r.status, 1) << bad;
    EXPECT_THAT(r.out, HasSubstr(std::string("DESCENT_NUM_THREADS: expected an integer in [1, "
                                             "256], got '") +
                                 bad + "'"));
  }
  setenv("DESCENT_NUM_THREADS", "1", 1);
  r = run_cli("train " + write_config(scratch.path()) + " --progress none", true);
  unsetenv("DESCENT_NUM_THREADS");
  EXPECT_EQ(r.status, 0) << r.out;
}

TEST(CliTrain, DivergenceHasItsOwnExitCode) {
  ScratchDir scratch;
  const auto r = run_cli(
      "train " + write_config(scratch.path()) +
          " --set data.dataset=linear-regression --set loss.type=mse --set 'model=[\"linear\"]'"
          " --set optimizer=sgd:lr=1000 --set epochs=20 --progress none",
      true);
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("training diverged at step"));
  EXPECT_TRUE(fs::exists(scratch.path() / "runs" / "spiral" / "v0" / "report.html"));
}

TEST(CliCompare, PrintsATableAndOneReport) {
  ScratchDir scratch;
  const auto r = run_cli("compare " + write_config(scratch.path()) +
                             " --optimizer sgd:lr=0.1 --optimizer 'sgd:lr=0.1,momentum=0.9' "
                             "--optimizer adam:lr=0.01 --progress none",
                         true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("test acc"));
  EXPECT_THAT(r.out, HasSubstr("sgd:lr=0.1,momentum=0.9"));
  EXPECT_THAT(r.out, HasSubstr("adam:lr=0.01"));
  const fs::path run = scratch.path() / "runs" / "spiral" / "v0";
  std::ifstream report(run / "report.html");
  const std::string html((std::istreambuf_iterator<char>(report)), {});
  EXPECT_THAT(html, HasSubstr("sgd:lr=0.1,momentum=0.9"));
  EXPECT_TRUE(fs::exists(run / "checkpoints" / "2-adam.ckpt"));
}

TEST(CliEval, EvaluatesACheckpoint) {
  ScratchDir scratch;
  ASSERT_EQ(run_cli("train " + write_config(scratch.path()) + " --progress none").status, 0);
  const auto files = descent::app::list_checkpoints(scratch.path() / "runs" / "spiral" / "v0");
  ASSERT_FALSE(files.empty());
  const auto r = run_cli("eval " + files.back().string() + " --json");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["split"], "test");
  EXPECT_EQ(j["examples"], 60);
  EXPECT_GT(j["accuracy"].get<double>(), 0.34);
  // The spiral is generated: a --data file was once ignored without a word.
  const auto generated = run_cli("eval " + files.back().string() + " --data /tmp/x.csv", true);
  EXPECT_EQ(generated.status, 1);
  EXPECT_THAT(generated.out, HasSubstr("data path /tmp/x.csv: the checkpoint's dataset "
                                       "\"spiral\" is generated and reads no file"));
}

TEST(CliEval, DataReplacesTheCheckpointsFile) {
  ScratchDir scratch;
  const auto write_csv = [&](const std::string& name, int rows) {
    std::ofstream out(scratch.path() / name);
    out << "a,b,label\n";
    for (int i = 0; i < rows; ++i)
      out << (i % 7) * 0.3 << "," << (i % 5) * -0.2 << "," << i % 3 << "\n";
    return (scratch.path() / name).string();
  };
  const std::string train = write_csv("train.csv", 50), other = write_csv("other.csv", 20);
  ASSERT_EQ(run_cli("train " + write_config(scratch.path()) +
                    " --set data.dataset=csv --set data.path=" + train +
                    " --set epochs=1 --progress none")
                .status,
            0);
  const auto files = descent::app::list_checkpoints(scratch.path() / "runs" / "spiral" / "v0");
  ASSERT_FALSE(files.empty());
  const auto own = run_cli("eval " + files.back().string() + " --json --split train");
  const auto replaced =
      run_cli("eval " + files.back().string() + " --json --split train --data " + other);
  ASSERT_EQ(own.status, 0) << own.out;
  ASSERT_EQ(replaced.status, 0) << replaced.out;
  EXPECT_EQ(nlohmann::json::parse(own.out)["examples"], 40);       // 80% of 50 rows
  EXPECT_EQ(nlohmann::json::parse(replaced.out)["examples"], 16);  // 80% of 20 rows
}

// Model and optimizer tensors of two checkpoints are bitwise equal.
void expect_same_tensors(const fs::path& a, const fs::path& b) {
  const auto ca = descent::app::read_checkpoint(a);
  const auto cb = descent::app::read_checkpoint(b);
  ASSERT_EQ(ca.tensors.size(), cb.tensors.size());
  for (size_t i = 0; i < ca.tensors.size(); ++i) {
    const auto& [name, ta] = ca.tensors[i];
    const descent::Tensor& tb = cb.at(name);
    ASSERT_EQ(ta.numel(), tb.numel()) << name;
    EXPECT_EQ(std::memcmp(ta.raw_data(), tb.raw_data(),
                          static_cast<size_t>(ta.numel()) * descent::dtype_size(ta.dtype())),
              0)
        << name;
  }
}

TEST(CliTrain, ResumeAfterSigkillEndsBitwiseLikeAnUninterruptedRun) {
  ScratchDir scratch;
  const std::string extra = R"(, "epochs": 6, "batch_size": 4,
      "data": {"dataset": "spiral", "samples": 200, "classes": 3},
      "schedule": {"spec": "cosine", "interval": "step"},
      "checkpoint": {"every_steps": 7, "every_epochs": 1, "keep_last": 3})";
  const fs::path a_dir = scratch.path() / "a";
  const fs::path b_dir = scratch.path() / "b";
  fs::create_directories(a_dir);
  fs::create_directories(b_dir);
  ASSERT_EQ(run_cli("train " + write_config(a_dir, extra) + " --progress none").status, 0);

  // The same run, killed once it has written a few checkpoints.
  const std::string config = write_config(b_dir, extra);
  const char* argv[] = {DESCENT_CLI_PATH, "train", config.c_str(), "--progress", "none", nullptr};
  pid_t pid = 0;
  ASSERT_EQ(
      posix_spawn(&pid, DESCENT_CLI_PATH, nullptr, nullptr, const_cast<char**>(argv), environ), 0);
  const fs::path run = b_dir / "runs" / "spiral" / "v0";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (descent::app::list_checkpoints(run).size() < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFSIGNALED(status)) GTEST_SKIP() << "the run finished before it could be killed";

  const auto r = run_cli("train --resume " + run.string() + " --progress none", true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("resuming"));
  const auto a_files = descent::app::list_checkpoints(a_dir / "runs" / "spiral" / "v0");
  const auto b_files = descent::app::list_checkpoints(run);
  ASSERT_FALSE(a_files.empty());
  ASSERT_FALSE(b_files.empty());
  EXPECT_EQ(a_files.back().filename(), b_files.back().filename());
  expect_same_tensors(a_files.back(), b_files.back());
  // The metrics log holds each step once.
  const auto records = descent::app::read_metrics_jsonl(run / "metrics.jsonl");
  std::set<std::tuple<int64_t, std::string, std::string>> seen;
  for (const auto& rec : records) {
    EXPECT_TRUE(seen.insert({rec.step, rec.split, rec.metric}).second)
        << "step " << rec.step << " " << rec.split << "." << rec.metric << " logged twice";
  }
}

}  // namespace
