// Fuzz target: the small CSV files of the CLI, read and then used as the CLI uses them.
// Byte 0 picks the file kind; the rest is its text.
//   0: `descent dynamics --matrix`: parse_numeric_csv, then (square) the quadratic, its
//      eigendecomposition and a few steps of the closed-form and iterated dynamics;
//   1: `descent dynamics --design`: parse_numeric_csv, then A = XᵀX and the same analysis;
//   2: `descent linear --points`: parse_points_csv, then the lecture's model evaluated on them.
// A descent::Error is the expected outcome for bad input; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "descent/analysis/dynamics.h"
#include "descent/app/linear_classifier.h"
#include "descent/core/error.h"

namespace {

void analyze(const descent::analysis::Quadratic& q) {
  const descent::analysis::StepRule rule{.lr = 0.1, .momentum = 0.5};
  (void)descent::analysis::analyze_dynamics(q, rule, /*steps=*/3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace descent;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 3) {
      case 0: {
        const analysis::NumericTable t = analysis::parse_numeric_csv(text, "fuzz.csv");
        if (t.rows == t.cols) analyze(analysis::quadratic_from_matrix(t.values, t.rows));
        break;
      }
      case 1: {
        const analysis::NumericTable t = analysis::parse_numeric_csv(text, "fuzz.csv");
        analyze(analysis::quadratic_from_design(t.values, t.rows, t.cols));
        break;
      }
      default: {
        std::istringstream in{std::string(text)};
        const std::vector<app::Point> points = app::parse_points_csv(in, "fuzz.csv");
        (void)app::evaluate_linear(points, app::lecture_model(), {});
        break;
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
