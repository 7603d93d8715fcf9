// The metrics log: exact file contents, CSV quoting, non-finite values, append and resume,
// truncation, and reading back torn and corrupt files.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "app_test_util.h"
#include "descent/app/metrics_log.h"
#include "descent/app/text_file.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using testing::ScratchDir;

MetricRecord rec(std::string run, int64_t step, int64_t epoch, double wall, std::string split,
                 std::string metric, double value) {
  return {std::move(run), step, epoch, wall, std::move(split), std::move(metric), value};
}

std::string slurp(const std::filesystem::path& p) {
  return read_text_file(p);
}

TEST(MetricsLog, CsvFieldQuotesPerRfc4180) {
  EXPECT_EQ(csv_field("adam"), "adam");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("sgd:lr=0.1,momentum=0.9"), "\"sgd:lr=0.1,momentum=0.9\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("a\nb"), "\"a\nb\"");
  EXPECT_EQ(csv_field("a\rb"), "\"a\rb\"");
}

TEST(MetricsLog, WritesExactJsonlAndCsv) {
  ScratchDir dir;
  {
    MetricsLog log(dir.path());
    log.append(rec("adam", 0, 0, 0.5, "train", "loss", 2.25));
    log.append(rec("sgd:lr=0.1,momentum=0.9", 10, 1, 1.0, "test", "accuracy", 0.875));
    log.append(rec("q\"uote", 11, 1, 1.25, "train", "lr", 1e-05));
    EXPECT_EQ(log.records().size(), 3u);
  }
  EXPECT_EQ(slurp(dir.path() / "metrics.jsonl"),
            "{\"run\":\"adam\",\"step\":0,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
            "\"metric\":\"loss\",\"value\":2.25}\n"
            "{\"run\":\"sgd:lr=0.1,momentum=0.9\",\"step\":10,\"epoch\":1,\"wall_time\":1.0,"
            "\"split\":\"test\",\"metric\":\"accuracy\",\"value\":0.875}\n"
            "{\"run\":\"q\\\"uote\",\"step\":11,\"epoch\":1,\"wall_time\":1.25,\"split\":\"train\","
            "\"metric\":\"lr\",\"value\":1e-05}\n");
  EXPECT_EQ(slurp(dir.path() / "metrics.csv"),
            "run,step,epoch,wall_time,split,metric,value\n"
            "adam,0,0,0.5,train,loss,2.25\n"
            "\"sgd:lr=0.1,momentum=0.9\",10,1,1,test,accuracy,0.875\n"
            "\"q\"\"uote\",11,1,1.25,train,lr,1e-05\n");
}

TEST(MetricsLog, RecordsAreOnDiskBeforeTheLogCloses) {
  // A killed process never runs destructors: each append must already be in the files.
  ScratchDir dir;
  MetricsLog log(dir.path());
  log.append(rec("r", 1, 0, 0.1, "train", "loss", 1.5));
  EXPECT_EQ(read_metrics_jsonl(dir.path() / "metrics.jsonl").size(), 1u);
  const std::vector<MetricRecord> batch = {rec("r", 2, 0, 0.2, "train", "loss", 1.25),
                                           rec("r", 2, 0, 0.2, "test", "loss", 1.375)};
  log.append(batch);
  EXPECT_EQ(read_metrics_jsonl(dir.path() / "metrics.jsonl"), log.records());
  EXPECT_EQ(slurp(dir.path() / "metrics.csv"),
            "run,step,epoch,wall_time,split,metric,value\n"
            "r,1,0,0.1,train,loss,1.5\nr,2,0,0.2,train,loss,1.25\nr,2,0,0.2,test,loss,1.375\n");
}

TEST(MetricsLog, NonFiniteValuesRoundTrip) {
  ScratchDir dir;
  MetricsLog log(dir.path());
  log.append(rec("r", 1, 0, 0.0, "train", "loss", std::nan("")));
  log.append(rec("r", 2, 0, 0.0, "train", "loss", HUGE_VAL));
  log.append(rec("r", 3, 0, 0.0, "train", "loss", -HUGE_VAL));
  const std::string jsonl = slurp(log.jsonl_path());
  EXPECT_NE(jsonl.find("\"value\":\"NaN\""), std::string::npos);
  EXPECT_NE(jsonl.find("\"value\":\"Infinity\""), std::string::npos);
  EXPECT_NE(jsonl.find("\"value\":\"-Infinity\""), std::string::npos);
  EXPECT_EQ(slurp(log.csv_path()),
            "run,step,epoch,wall_time,split,metric,value\n"
            "r,1,0,0,train,loss,nan\nr,2,0,0,train,loss,inf\nr,3,0,0,train,loss,-inf\n");
  const std::vector<MetricRecord> back = read_metrics_jsonl(log.jsonl_path());
  ASSERT_EQ(back.size(), 3u);
  EXPECT_TRUE(std::isnan(back[0].value));
  EXPECT_EQ(back[1].value, HUGE_VAL);
  EXPECT_EQ(back[2].value, -HUGE_VAL);
}

TEST(MetricsLog, RejectsBadRecordsBeforeWritingAny) {
  ScratchDir dir;
  MetricsLog log(dir.path());
  const std::vector<MetricRecord> batch = {rec("r", 1, 0, 0.0, "train", "loss", 1.0),
                                           rec("r", -1, 0, 0.0, "train", "loss", 1.0)};
  EXPECT_THROW(log.append(batch), ValueError);
  EXPECT_THROW(log.append(rec("r", 1, -2, 0.0, "train", "loss", 1.0)), ValueError);
  EXPECT_THROW(log.append(rec("r", 1, 0, 0.0, "", "loss", 1.0)), ValueError);
  EXPECT_THROW(log.append(rec("r", 1, 0, 0.0, "train", "", 1.0)), ValueError);
  EXPECT_THROW(log.append(rec("r", 1, 0, std::nan(""), "train", "loss", 1.0)), ValueError);
  EXPECT_TRUE(log.records().empty());
  EXPECT_EQ(slurp(log.jsonl_path()), "");
  EXPECT_THROW(MetricsLog(dir.path() / "absent"), IOError);
}

TEST(MetricsLog, AppendModeContinuesAndCreateModeStartsOver) {
  ScratchDir dir;
  {
    MetricsLog log(dir.path());
    log.append(rec("r", 1, 0, 0.1, "train", "loss", 3.0));
  }
  {
    MetricsLog log(dir.path(), MetricsLog::Mode::Append);
    ASSERT_EQ(log.records().size(), 1u);
    log.append(rec("r", 2, 0, 0.2, "train", "loss", 2.0));
  }
  const std::vector<MetricRecord> back = read_metrics_jsonl(dir.path() / "metrics.jsonl");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1], rec("r", 2, 0, 0.2, "train", "loss", 2.0));
  EXPECT_EQ(slurp(dir.path() / "metrics.csv"),
            "run,step,epoch,wall_time,split,metric,value\n"
            "r,1,0,0.1,train,loss,3\nr,2,0,0.2,train,loss,2\n");
  MetricsLog fresh(dir.path(), MetricsLog::Mode::Create);
  EXPECT_TRUE(fresh.records().empty());
  EXPECT_EQ(slurp(dir.path() / "metrics.csv"), "run,step,epoch,wall_time,split,metric,value\n");
}

TEST(MetricsLog, AppendModeWithoutFilesStartsEmpty) {
  ScratchDir dir;
  MetricsLog log(dir.path(), MetricsLog::Mode::Append);
  EXPECT_TRUE(log.records().empty());
  EXPECT_EQ(slurp(log.csv_path()), "run,step,epoch,wall_time,split,metric,value\n");
}

TEST(MetricsLog, TruncateAfterDropsLaterStepsFromMemoryAndFiles) {
  ScratchDir dir;
  {
    MetricsLog log(dir.path());
    for (int64_t s = 1; s <= 5; ++s) log.append(rec("r", s, s / 3, 0.1 * s, "train", "loss", s));
  }
  // The run resumes from its checkpoint at step 3: steps 4 and 5 will be logged again.
  MetricsLog log(dir.path(), MetricsLog::Mode::Append);
  log.truncate_after(3);
  ASSERT_EQ(log.records().size(), 3u);
  log.append(rec("r", 4, 1, 0.45, "train", "loss", 4.5));
  const std::vector<MetricRecord> back = read_metrics_jsonl(log.jsonl_path());
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[2].step, 3);
  EXPECT_EQ(back[3], rec("r", 4, 1, 0.45, "train", "loss", 4.5));
  EXPECT_EQ(slurp(log.csv_path()),
            "run,step,epoch,wall_time,split,metric,value\n"
            "r,1,0,0.1,train,loss,1\nr,2,0,0.2,train,loss,2\n"
            "r,3,1,0.30000000000000004,train,loss,3\nr,4,1,0.45,train,loss,4.5\n");
}

TEST(MetricsLog, ReaderDropsATornLastLine) {
  const std::string good =
      "{\"run\":\"r\",\"step\":1,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":2.0}\n";
  const std::string torn = "{\"run\":\"r\",\"step\":2,\"epoch\":0,\"wall_ti";
  const std::vector<MetricRecord> records = parse_metrics_jsonl(good + good + torn, "m.jsonl");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], rec("r", 1, 0, 0.5, "train", "loss", 2.0));
  // A complete last line without its newline is kept.
  EXPECT_EQ(parse_metrics_jsonl(good + good.substr(0, good.size() - 1), "m").size(), 2u);
  EXPECT_TRUE(parse_metrics_jsonl("", "m").empty());
  EXPECT_EQ(parse_metrics_jsonl(good + "\n  \n" + good, "m").size(), 2u);
}

TEST(MetricsLog, AppendModeRepairsATornTail) {
  ScratchDir dir;
  {
    MetricsLog log(dir.path());
    log.append(rec("r", 1, 0, 0.5, "train", "loss", 2.0));
  }
  std::ofstream(dir.path() / "metrics.jsonl", std::ios::app) << "{\"run\":\"r\",\"st";
  MetricsLog log(dir.path(), MetricsLog::Mode::Append);
  log.append(rec("r", 2, 0, 0.75, "train", "loss", 1.0));
  EXPECT_EQ(read_metrics_jsonl(log.jsonl_path()).size(), 2u);
}

// The message of the IOError that parsing `text` throws.
std::string metrics_parse_error(const std::string& text) {
  try {
    parse_metrics_jsonl(text, "run/metrics.jsonl");
  } catch (const IOError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(MetricsLog, ReaderNamesFileAndLineOfACorruptRecord) {
  const std::string good =
      "{\"run\":\"r\",\"step\":1,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":2.0}\n";
  std::string e = metrics_parse_error(good + "{\"run\":\"r\",\"step\":2,\"ep\n" + good);
  EXPECT_NE(e.find("run/metrics.jsonl:2: invalid JSON"), std::string::npos) << e;
  // A torn line followed by a newline was not torn by a kill; it is corrupt.
  e = metrics_parse_error(good + "{\"run\"\n");
  EXPECT_NE(e.find("run/metrics.jsonl:2:"), std::string::npos) << e;
  e = metrics_parse_error(good + "[1,2]\n");
  EXPECT_NE(e.find(":2: expected a JSON object"), std::string::npos) << e;
  e = metrics_parse_error(good + good +
                          "{\"run\":\"r\",\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
                          "\"metric\":\"loss\",\"value\":2.0}\n");
  EXPECT_NE(e.find(":3: missing key 'step'"), std::string::npos) << e;
  e = metrics_parse_error(
      "{\"run\":\"r\",\"step\":1.5,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":2.0}\n");
  EXPECT_NE(e.find(":1: key 'step': expected an integer"), std::string::npos) << e;
  e = metrics_parse_error(
      "{\"run\":7,\"step\":1,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":2.0}\n");
  EXPECT_NE(e.find(":1: key 'run': expected a string"), std::string::npos) << e;
  e = metrics_parse_error(
      "{\"run\":\"r\",\"step\":1,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":\"big\"}\n");
  EXPECT_NE(e.find(":1: key 'value': expected a number"), std::string::npos) << e;
  e = metrics_parse_error(
      "{\"run\":\"r\",\"step\":-4,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":1}\n");
  EXPECT_NE(e.find(":1: metric record: step must be >= 0"), std::string::npos) << e;
  e = metrics_parse_error(
      "{\"run\":\"r\",\"step\":99999999999999999999,\"epoch\":0,\"wall_time\":0.5,"
      "\"split\":\"train\",\"metric\":\"loss\",\"value\":1}\n");
  EXPECT_NE(e.find(":1: key 'step'"), std::string::npos) << e;
}

TEST(MetricsLog, ReaderRefusesARecordNestedTooDeep) {
  // A value 300,000 levels deep would overflow the stack when the error message prints it.
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  const std::string e = metrics_parse_error(
      "{\"run\":\"r\",\"step\":1,\"epoch\":0,\"wall_time\":0.5,\"split\":\"train\","
      "\"metric\":\"loss\",\"value\":" +
      deep + "}\n");
  EXPECT_NE(e.find("run/metrics.jsonl:1: invalid JSON: nests deeper than 256 levels"),
            std::string::npos)
      << e;
}

TEST(MetricsLog, ReadMissingFileIsAnIOError) {
  ScratchDir dir;
  EXPECT_THROW(read_metrics_jsonl(dir.path() / "none.jsonl"), IOError);
}

TEST(MetricsLog, AtomicWriteReplacesAndLeavesNoTemporaries) {
  ScratchDir dir;
  const auto p = dir.path() / "f.txt";
  write_text_file_atomic(p, "one");
  write_text_file_atomic(p, "two");
  EXPECT_EQ(slurp(p), "two");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1);
  EXPECT_THROW(write_text_file_atomic(dir.path() / "no" / "such" / "f.txt", "x"), IOError);
}

}  // namespace
}  // namespace descent::app
