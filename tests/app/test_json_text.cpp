// JSON text from outside the program: nesting beyond kMaxJsonDepth is refused before parsing,
// everywhere such text enters (configs, --set, request bodies, run-directory files).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <utility>

#include "descent/app/config.h"
#include "descent/app/json_text.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

// `depth` nested arrays around `inner`: "[[[inner]]]".
std::string nested(size_t depth, const std::string& inner = "") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

// Deep enough that printing or copying the parsed value would overflow the stack.
constexpr size_t kHostileDepth = 300000;

TEST(JsonText, DepthIsCountedOutsideStringsOnly) {
  const int limit = kMaxJsonDepth;
  EXPECT_EQ(json_too_deep_at(nested(limit)), std::nullopt);
  EXPECT_EQ(json_too_deep_at(nested(limit + 1)), std::optional<size_t>(limit));
  // Objects and arrays count alike: "{"a":[" opens two levels, the '[' at byte 5.
  EXPECT_EQ(json_too_deep_at(R"({"a":[1]})", 1), std::optional<size_t>(5));
  EXPECT_EQ(json_too_deep_at(R"({"a":[1]})", 2), std::nullopt);
  // Brackets inside strings do not count, escaped quotes do not end a string, and an escaped
  // backslash before the closing quote does not escape it.
  EXPECT_EQ(json_too_deep_at("[\"[[[[\"]", 1), std::nullopt);
  EXPECT_EQ(json_too_deep_at(R"(["\"[[[", "x"])", 1), std::nullopt);
  EXPECT_EQ(json_too_deep_at(R"(["\\", [1]])", 1), std::optional<size_t>(7));
  // Siblings do not add up: depth returns after each close.
  EXPECT_EQ(json_too_deep_at("[[1],[2],[3]]", 2), std::nullopt);
}

TEST(JsonText, ParsesWhatNlohmannParsesAndReportsEveryFailureAsOneError) {
  const std::string text = R"({"a": [1, {"b": "[{"}], "c": null})";
  EXPECT_EQ(parse_json_text<json>(text), json::parse(text));
  EXPECT_EQ(parse_json_text<nlohmann::ordered_json>(text), nlohmann::ordered_json::parse(text));
  EXPECT_NO_THROW(parse_json_text<json>(nested(kMaxJsonDepth)));
  const auto error_of =
      [](const std::string& bad) -> std::pair<std::string, std::optional<size_t>> {
    try {
      parse_json_text<json>(bad);
    } catch (const JsonTextError& e) {
      return {e.what(), e.byte()};
    }
    return {"(no error)", std::nullopt};
  };
  // Malformed: nlohmann's reason without its "[json.exception...]" prefix, and the byte.
  auto [reason, byte] = error_of("{\"a\": 1,, }");
  EXPECT_THAT(reason, HasSubstr("syntax error while parsing object key"));
  EXPECT_EQ(reason.find("json.exception"), std::string::npos) << reason;
  EXPECT_EQ(byte, std::optional<size_t>(8));                         // the second comma
  EXPECT_EQ(error_of("{\"a\": ").second, std::optional<size_t>(6));  // truncated: at the end
  // A number beyond double's range is nlohmann's out_of_range, not a parse_error; found by the
  // api fuzzer (fuzz/corpus/api/regression-number-overflow).
  std::tie(reason, byte) = error_of("{\"lr\": 1e999}");
  EXPECT_EQ(reason, "number overflow parsing '1e999'");
  EXPECT_EQ(byte, std::nullopt);
  // Too deep, before any parsing.
  try {
    parse_json_text<json>(nested(kHostileDepth));
    FAIL() << "no error";
  } catch (const JsonTooDeep& e) {
    EXPECT_EQ(e.byte(), std::optional<size_t>(kMaxJsonDepth));
    EXPECT_STREQ(e.what(), "nests deeper than 256 levels (byte 256)");
  }
}

TEST(JsonText, ConfigFileNumberOverflowNamesTheFile) {
  const auto path = std::filesystem::temp_directory_path() / "descent_overflow_config.json";
  {
    std::ofstream out(path);
    out << "{\"epochs\": 1e999}\n";
  }
  try {
    load_config(path.string(), {});
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_EQ(std::string(e.what()),
              path.string() + ": invalid JSON: number overflow parsing '1e999'");
  }
  std::filesystem::remove(path);
  // As a --set value it is text that is not JSON, so a string, which epochs refuses.
  try {
    load_config("", {"epochs=1e999"});
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("epochs: expected an integer, got \"1e999\""));
  }
}

// Before the limit, each of these printed the deep value into an error message and crashed
// with a stack overflow (the test binary would die here).
TEST(JsonText, DeepConfigFileIsAnErrorNamingFileLineAndColumn) {
  const auto path = std::filesystem::temp_directory_path() / "descent_deep_config.json";
  {
    std::ofstream out(path);
    out << "{\n  \"epochs\": " << nested(kHostileDepth) << "\n}\n";
  }
  try {
    load_config(path.string(), {});
    FAIL() << "no error";
  } catch (const ValueError& e) {
    // Line 2, column 12 + 256: the 256th '[', which opens level 257 (the object is level 1).
    EXPECT_THAT(e.what(), HasSubstr(path.string() + ":2:268: invalid JSON: nests deeper than "
                                                    "256 levels"));
  }
  std::filesystem::remove(path);
}

TEST(JsonText, DeepOverrideValuesAndKeyPathsAreErrors) {
  json doc = {{"epochs", 3}};
  try {
    apply_override(doc, "epochs=" + nested(kHostileDepth / 3));
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("--set epochs: the value nests deeper than 256 levels"));
  }
  // A key path opens one level per segment.
  std::string path = "model[0]";
  for (int i = 0; i < 60000; ++i) path += ".x";
  try {
    apply_override(doc, path + "=1");
    FAIL() << "no error";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the key path has 60002 segments; at most 256"));
  }
  EXPECT_EQ(doc, (json{{"epochs", 3}}));  // untouched by the failures
  EXPECT_THROW(load_config("", {"model[0]" + path.substr(8, 2 * 100) + "=1"}), ValueError);
}

}  // namespace
}  // namespace descent::app
