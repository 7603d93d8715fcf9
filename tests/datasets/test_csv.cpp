// CSV reader: the happy paths and every error with its line number.
#include <gtest/gtest.h>

#include <string>

#include "descent/core/error.h"
#include "descent/data/csv.h"
#include "idx_bytes.h"

namespace descent::data {
namespace {

std::string csv_error(std::string_view text, const CsvOptions& options = {}) {
  try {
    parse_csv(text, "pts.csv", options);
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parse_csv accepted:\n" << text;
  return "";
}

#define EXPECT_MESSAGE(msg, text) EXPECT_NE((msg).find(text), std::string::npos) << (msg)

TEST(CsvReader, HeaderAndLastColumnLabel) {
  const Dataset d = parse_csv("x0,x1,y\r\n0.5, 0.4 ,0\r\n\r\n-0.4,3e-1,2.0\n+1,-2,1\n", "pts");
  EXPECT_EQ(d.inputs.shape(), (Shape{3, 2}));
  EXPECT_EQ(d.inputs.to_vector<float>(),
            (std::vector<float>{0.5f, 0.4f, -0.4f, 0.3f, 1.0f, -2.0f}));
  EXPECT_EQ(d.targets.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(d.num_classes, 3);
  validate(d);
}

TEST(CsvReader, LabelByNameOrIndexAndOtherDelimiter) {
  const std::string text = "\"y\";a;b\n1;2;3\n0;5;6\n";
  const Dataset by_name = parse_csv(text, "t", {.label_name = "y", .delimiter = ';'});
  EXPECT_EQ(by_name.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(by_name.inputs.to_vector<float>(), (std::vector<float>{2, 3, 5, 6}));
  const Dataset by_index = parse_csv(text, "t", {.label_index = 0, .delimiter = ';'});
  EXPECT_EQ(by_index.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
}

TEST(CsvReader, NoHeaderAndRegression) {
  const Dataset d =
      parse_csv("1,2,0.25\n3,4,-1.5\n", "t", {.header = false, .target = CsvTarget::Regression});
  EXPECT_EQ(d.targets.shape(), (Shape{2, 1}));
  EXPECT_EQ(d.targets.to_vector<float>(), (std::vector<float>{0.25f, -1.5f}));
  EXPECT_EQ(d.num_classes, 0);
  validate(d);
}

TEST(CsvReader, ExplicitClassCount) {
  EXPECT_EQ(parse_csv("a,y\n1,0\n", "t", {.num_classes = 4}).num_classes, 4);
  EXPECT_MESSAGE(csv_error("a,y\n1,0\n2,4\n", {.num_classes = 4}),
                 "pts.csv:3: label '4' is not a class index in [0, 4)");
}

TEST(CsvReader, RaggedRowNamesItsLine) {
  EXPECT_MESSAGE(csv_error("a,b,y\n1,2,0\n\n1,2\n"),
                 "pts.csv:4: 2 fields, but the first row has 3");
  EXPECT_MESSAGE(csv_error("a,b,y\n1,2,0,5\n"), "pts.csv:2: 4 fields");
}

TEST(CsvReader, BadNumbersNameLineAndField) {
  EXPECT_MESSAGE(csv_error("a,b,y\n1,2x,0\n"), "pts.csv:2: field 2 '2x' is not a finite");
  EXPECT_MESSAGE(csv_error("a,b,y\n1,,0\n"), "pts.csv:2: field 2 '' is not");
  EXPECT_MESSAGE(csv_error("a,b,y\n1,2,0\nnan,2,0\n"), "pts.csv:3: field 1 'nan'");
  EXPECT_MESSAGE(csv_error("a,b,y\n1,inf,0\n"), "pts.csv:2: field 2 'inf'");
  EXPECT_MESSAGE(csv_error("a,b,y\n1e39,1,0\n"), "pts.csv:2: field 1 '1e39'");
  EXPECT_MESSAGE(csv_error("a,b,y\n\"1\",1,0\n"), "pts.csv:2: field 1 '\"1\"'");
}

TEST(CsvReader, BadLabelsNameTheirLine) {
  EXPECT_MESSAGE(csv_error("a,y\n1,0\n1,1.5\n"), "pts.csv:3: label '1.5' is not a class index");
  EXPECT_MESSAGE(csv_error("a,y\n1,-1\n"), "pts.csv:2: label '-1'");
  EXPECT_MESSAGE(csv_error("a,y\n1,1e12\n"), "pts.csv:2: label '1e12'");
}

TEST(CsvReader, HeaderProblems) {
  EXPECT_MESSAGE(csv_error("a,b\n1,2\n", {.label_name = "y"}),
                 "pts.csv:1: no column named 'y' in the header");
  EXPECT_MESSAGE(csv_error("a,b\n1,2\n", {.label_index = 5}),
                 "pts.csv:1: label column 5 outside the 2 columns");
  EXPECT_MESSAGE(csv_error("\n\nonly\n1\n"), "pts.csv:3: one column only");
  EXPECT_MESSAGE(csv_error("a,b,y\n"), "pts.csv: no data rows");
  EXPECT_MESSAGE(csv_error(""), "pts.csv: no data rows");
  EXPECT_THROW(parse_csv("1,2\n", "t", {.label_name = "y", .header = false}), ValueError);
}

TEST(CsvReader, ReadsFilesAndNamesMissingOnes) {
  testing::TempDir dir;
  const std::string path = dir.write("p.csv", std::string("x,y\n1,0\n2,1\n"));
  const Dataset d = read_csv(path);
  EXPECT_EQ(d.name, path);
  EXPECT_EQ(d.size(), 2);
  EXPECT_THROW(read_csv(dir.path() + "/absent.csv"), IOError);
  EXPECT_THROW(read_csv(dir.path()), IOError);  // a directory
}

}  // namespace
}  // namespace descent::data
