// Summary tables: cell formatting and the aligned text form printed by `descent compare`.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/app/summary_table.h"
#include "descent/core/error.h"

namespace descent::app {
namespace {

TEST(SummaryTable, FormatsCells) {
  EXPECT_EQ(format_cell(std::string("adam")), "adam");
  EXPECT_EQ(format_cell(int64_t{1234567}), "1234567");
  EXPECT_EQ(format_cell(0.812345), "0.8123");
  EXPECT_EQ(format_cell(12.3456), "12.35");
  EXPECT_EQ(format_cell(1.23456e-05), "1.235e-05");
  EXPECT_EQ(format_cell(std::nan("")), "nan");
  EXPECT_EQ(format_cell(-HUGE_VAL), "-inf");
}

TEST(SummaryTable, TextAlignsTextLeftAndNumbersRight) {
  SummaryTable t{
      {"optimizer", "loss", "epochs"},
      {{std::string("sgd:lr=0.1"), 0.25, int64_t{10}}, {std::string("adamw"), 1.5, int64_t{2}}}};
  EXPECT_EQ(format_table_text(t),
            "optimizer   loss  epochs\n"
            "------------------------\n"
            "sgd:lr=0.1  0.25      10\n"
            "adamw        1.5       2\n");
}

TEST(SummaryTable, WidthCountsCodePoints) {
  SummaryTable t{{"η", "x"}, {{std::string("αβ"), int64_t{1}}}};
  EXPECT_EQ(format_table_text(t), "η   x\n-----\nαβ  1\n");
}

TEST(SummaryTable, RejectsRaggedRows) {
  SummaryTable t{{"a", "b"}, {{std::string("x")}}};
  EXPECT_THROW(format_table_text(t), ValueError);
}

}  // namespace
}  // namespace descent::app
