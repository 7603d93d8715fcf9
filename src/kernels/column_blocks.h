#pragma once
// Per-column sums over the rows of a row-major matrix, split over the pool by blocks of
// columns: each block is walked by one thread over all rows in order, so every column's sum
// is taken in the same order whatever the thread count, and the inner loop (along a row) is
// contiguous and vectorizes. The normalization kernels' statistics and parameter gradients.
#include <algorithm>
#include <cstdint>

#include "loops.h"

namespace descent::kernels {

// Elements per parallel piece for the normalization kernels' passes (a few flops each).
constexpr int64_t kNormGrain = 16384;

// Calls visit(j0, j1) on blocks of columns [j0, j1) of a [rows, cols] matrix, spread over
// the pool; visit should walk every row for its columns.
template <typename Visit>
void by_column_blocks(int64_t rows, int64_t cols, Visit&& visit) {
  split(cols, std::max<int64_t>(1, kNormGrain / std::max<int64_t>(rows, 1)), visit);
}

// sums[j] += Σ over rows r (in order) of term(r, j). Groups of 16 columns keep their running
// sums in registers down all the rows (a row-at-a-time loop would load and store every sum
// once per row); each column's sum still starts at 0 and adds its rows in order.
template <typename Term>
void add_column_sums(int64_t rows, int64_t cols, double* sums, Term term) {
  constexpr int64_t kGroup = 16;
  by_column_blocks(rows, cols, [&](int64_t j0, int64_t j1) {
    int64_t j = j0;
    for (; j + kGroup <= j1; j += kGroup) {
      double acc[kGroup] = {};
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t k = 0; k < kGroup; ++k) acc[k] += term(r, j + k);
      for (int64_t k = 0; k < kGroup; ++k) sums[j + k] += acc[k];
    }
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = j; k < j1; ++k) sums[k] += term(r, k);
  });
}

}  // namespace descent::kernels
