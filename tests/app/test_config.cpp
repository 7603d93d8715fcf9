// Experiment configs: defaults, strict validation with key paths, overrides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app_test_util.h"
#include "descent/app/config.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using testing::config_error_of;
using ::testing::HasSubstr;

TEST(Config, DefaultsResolveAndRoundTrip) {
  const ExperimentConfig c = parse_config(json::object());
  EXPECT_EQ(c.data.dataset, "fashion-mnist");
  EXPECT_EQ(c.epochs, 10);
  EXPECT_EQ(c.batch_size, 128);
  ASSERT_EQ(c.model.size(), 5u);
  EXPECT_EQ(c.model[0]["type"], "linear");
  EXPECT_EQ(c.model[0]["out"], 256);
  EXPECT_TRUE(c.model[4]["out"].is_null());  // inferred from the data
  EXPECT_EQ(c.optimizer, "sgd:lr=0.01");
  const auto resolved = resolved_json(c);
  // The resolved form is a fixed point: parsing it gives the same resolved form.
  EXPECT_EQ(resolved_json(parse_config(json::parse(resolved.dump()))), resolved);
}

TEST(Config, UnknownKeysNameThePathAndTheValidKeys) {
  EXPECT_THAT(config_error_of({{"epoch", 3}}), HasSubstr("config: epoch: unknown key"));
  const std::string nested = config_error_of({{"data", {{"datset", "mnist"}}}});
  EXPECT_THAT(nested, HasSubstr("data.datset: unknown key"));
  EXPECT_THAT(nested, HasSubstr("dataset"));
  EXPECT_THAT(config_error_of({{"model", {{{"type", "linear"}, {"outs", 3}}}}}),
              HasSubstr("model[0].outs: unknown key (valid keys: type, out, bias, init, std)"));
  EXPECT_THAT(config_error_of({{"checkpoint", {{"every", 2}}}}), HasSubstr("checkpoint.every"));
}

TEST(Config, BadValuesNameThePath) {
  EXPECT_THAT(config_error_of({{"epochs", -1}}), HasSubstr("epochs: must be at least 0"));
  EXPECT_THAT(config_error_of({{"epochs", "ten"}}), HasSubstr("epochs: expected an integer"));
  EXPECT_THAT(config_error_of({{"batch_size", 1.5}}), HasSubstr("batch_size: expected an integer"));
  EXPECT_THAT(config_error_of({{"model", {"relu", {{"type", "dropout"}, {"p", 1.5}}}}}),
              HasSubstr("model[1].p: must be in [0, 1)"));
  EXPECT_THAT(config_error_of({{"model", {"conv"}}}),
              HasSubstr("model[0].type: unknown layer \"conv\""));
  EXPECT_THAT(config_error_of({{"model", {{{"type", "linear"}, {"out", 0}}}}}),
              HasSubstr("model[0].out: expected a positive integer"));
  EXPECT_THAT(config_error_of({{"model", {{{"type", "linear"}, {"init", "zeros"}}}}}),
              HasSubstr("model[0].init: unknown init \"zeros\""));
  EXPECT_THAT(config_error_of({{"data", {{"dataset", "cifar"}}}}),
              HasSubstr("data.dataset: unknown value \"cifar\""));
  EXPECT_THAT(config_error_of({{"data", {{"transforms", {"standardize", "whiten"}}}}}),
              HasSubstr("data.transforms[1]: unknown transform \"whiten\""));
  EXPECT_THAT(config_error_of({{"data", {{"dataset", "csv"}}}}),
              HasSubstr("data.path: is required"));
  // Paths that the dataset would not read are refused, not ignored.
  EXPECT_THAT(config_error_of({{"data", {{"dataset", "xor"}, {"path", "x.csv"}}}}),
              HasSubstr("data.path: dataset \"xor\" is generated and reads no file"));
  EXPECT_THAT(config_error_of({{"data", {{"dataset", "fashion-mnist"}, {"test_path", "t.csv"}}}}),
              HasSubstr("data.test_path: is read only for dataset \"csv\", not \"fashion-mnist\""));
  EXPECT_THAT(config_error_of({{"on_nonfinite", "ignore"}}),
              HasSubstr("on_nonfinite: unknown value"));
  EXPECT_THAT(config_error_of({{"loss", "hinge"}}), HasSubstr("loss.type: unknown loss \"hinge\""));
  EXPECT_THAT(config_error_of({{"penalties", {{{"type", "l2"}}}}}),
              HasSubstr("penalties[0].weight: is required"));
  EXPECT_THAT(config_error_of({{"early_stopping", {{"metric", "loss"}}}}),
              HasSubstr("early_stopping.metric: expected split.metric"));
  EXPECT_THAT(config_error_of({{"name", "a/b"}}), HasSubstr("name:"));
  EXPECT_THAT(config_error_of(json::array()), HasSubstr("expected an object"));
}

TEST(Config, OptimizerAsSpecOrObjectIsValidatedAndCanonical) {
  EXPECT_EQ(parse_config({{"optimizer", "SGD:momentum=0.9, lr=0.1"}}).optimizer,
            "sgd:momentum=0.9,lr=0.1");
  const json object = {{"name", "adam"}, {"lr", 0.001}, {"betas", {0.8, 0.99}}, {"amsgrad", true}};
  const std::string spec = parse_config({{"optimizer", object}}).optimizer;
  EXPECT_THAT(spec, HasSubstr("adam:"));
  EXPECT_THAT(spec, HasSubstr("amsgrad=true"));
  EXPECT_THAT(spec, HasSubstr("betas=0.8/0.99"));
  EXPECT_THAT(config_error_of({{"optimizer", "adam:lr=-1"}}), HasSubstr("config: optimizer:"));
  EXPECT_THAT(config_error_of({{"optimizer", "adam:momentum=0.9"}}), HasSubstr("momentum"));
  EXPECT_THAT(config_error_of({{"optimizer", {{"lr", 0.1}}}}),
              HasSubstr("optimizer.name: is required"));
}

TEST(Config, LayerShorthandsAreNormalized) {
  const ExperimentConfig c =
      parse_config({{"model", {{{"type", "linear"}, {"out", 32}}, "tanh", "dropout", "linear"}}});
  ASSERT_EQ(c.model.size(), 4u);
  EXPECT_EQ(c.model[1]["type"], "tanh");
  EXPECT_DOUBLE_EQ(c.model[2]["p"].get<double>(), 0.5);
  EXPECT_EQ(c.model[0]["init"], "default");
  EXPECT_EQ(c.model[0]["bias"], true);
}

TEST(ConfigOverride, SetsNestedKeysArraysAndTypes) {
  json doc = {{"data", {{"dataset", "spiral"}}}, {"model", {{{"type", "linear"}, {"out", 4}}}}};
  apply_override(doc, "data.noise=0.25");
  apply_override(doc, "model[0].out=8");
  apply_override(doc, "model.0.bias=false");
  apply_override(doc, "optimizer=adam:lr=0.01");  // not JSON: kept as a string
  apply_override(doc, "schedule.spec=cosine");    // creates the object
  apply_override(doc, "data.transforms=[\"minmax\"]");
  EXPECT_DOUBLE_EQ(doc["data"]["noise"].get<double>(), 0.25);
  EXPECT_EQ(doc["model"][0]["out"], 8);
  EXPECT_EQ(doc["model"][0]["bias"], false);
  EXPECT_EQ(doc["optimizer"], "adam:lr=0.01");
  EXPECT_EQ(doc["schedule"]["spec"], "cosine");
  EXPECT_EQ(doc["data"]["transforms"], json::array({"minmax"}));
}

TEST(ConfigOverride, BadAssignmentsAreErrors) {
  json doc = {{"model", {{{"type", "linear"}}}}, {"epochs", 3}};
  EXPECT_THROW(apply_override(doc, "epochs"), ValueError);
  EXPECT_THROW(apply_override(doc, "=3"), ValueError);
  EXPECT_THROW(apply_override(doc, "model[5].out=3"), ValueError);
  EXPECT_THROW(apply_override(doc, "epochs.x=3"), ValueError);
  EXPECT_THROW(apply_override(doc, "a..b=1"), ValueError);
  EXPECT_THROW(apply_override(doc, "model[x]=1"), ValueError);
  EXPECT_EQ(doc["epochs"], 3);  // untouched by the failures
}

TEST(ConfigOverride, BytesThatAreNotUtf8AreErrorsThatNameTheKey) {
  // Such a string could not be written to config.json or printed as JSON; found by the config
  // fuzzer (the input is in fuzz/corpus/config as a regression seed).
  json doc = {{"name", "run"}};
  const auto message_of = [&](const std::string& assignment) {
    try {
      apply_override(doc, assignment);
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string value = message_of(
      "data.noise=ab\x93"
      "cd");
  EXPECT_NE(value.find("--set data.noise: the value is not valid UTF-8 (byte 0x93 at offset 2)"),
            std::string::npos)
      << value;
  const std::string key = message_of("da\xc3ta=1");
  EXPECT_NE(key.find("key path is not valid UTF-8 (byte 0xc3 at offset 2)"), std::string::npos)
      << key;
  // Overlong forms, surrogates and truncated sequences are not UTF-8 either.
  for (const char* bad :
       {"name=\xc0\xaf", "name=\xed\xa0\x80", "name=\xe2\x82", "name=\xf4\x90\x80\x80"})
    EXPECT_NE(message_of(bad).find("not valid UTF-8"), std::string::npos) << bad;
  EXPECT_EQ(doc, (json{{"name", "run"}}));  // untouched by the failures
  apply_override(doc, "name=caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x89");  // é € 📉
  EXPECT_EQ(doc["name"], "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x89");
}

TEST(ConfigOverride, LoadConfigOverridesDefaultsAndRevalidates) {
  const ExperimentConfig c = load_config("", {"model[0].out=512", "epochs=2"});
  EXPECT_EQ(c.model[0]["out"], 512);
  EXPECT_EQ(c.epochs, 2);
  EXPECT_THROW(load_config("", {"epochs=-2"}), ValueError);
  EXPECT_THROW(load_config("", {"data.bogus=1"}), ValueError);
}

TEST(ConfigFile, SyntaxErrorsNameFileLineAndColumn) {
  const auto path = std::filesystem::temp_directory_path() / "descent_bad_config.json";
  {
    std::ofstream out(path);
    out << "{\n  \"epochs\": 3,\n  \"seed\": ,\n}\n";
  }
  try {
    read_json_file(path.string());
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string() + ":3:"));
  }
  std::filesystem::remove(path);
  EXPECT_THROW(read_json_file("/nonexistent/descent.json"), IOError);
}

TEST(Config, CsvLabelIndexIsAWholeInteger) {
  testing::ScratchDir dir;
  const auto path = dir.path() / "points.csv";
  std::ofstream(path) << "a,b,label\n1,2,0\n3,4,1\n5,6,0\n";
  const auto data_with_label = [&](const std::string& label) {
    return testing::data_for(
        parse_config({{"data", {{"dataset", "csv"}, {"path", path.string()}, {"label", label}}}}));
  };
  // #2 and #-1 both name the third column; "#2x" was once read as #2.
  EXPECT_EQ(data_with_label("#2").train.inputs.shape(),
            data_with_label("#-1").train.inputs.shape());
  for (const std::string bad : {"#2x", "#", "#two", "#99999999999999999999"}) {
    try {
      data_with_label(bad);
      FAIL() << "no error for " << bad;
    } catch (const ValueError& e) {
      EXPECT_THAT(e.what(),
                  HasSubstr("data.label: expected a column name or #index, got \"" + bad + "\""));
    }
  }
}

}  // namespace
}  // namespace descent::app
