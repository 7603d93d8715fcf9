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
// sums in four vectors of four doubles down all the rows; a row-at-a-time loop would load and
// store every sum once per row, and a plain array of 16 running sums is left scalar by the
// compiler (about 3x slower than these vectors, measured for [128, 384]). Each column's sum still
// starts at 0 and adds its rows in order, whichever way it is computed.
template <typename Term>
void add_column_sums(int64_t rows, int64_t cols, double* sums, Term term) {
  typedef double Lanes __attribute__((vector_size(32)));
  const auto lanes = [&](int64_t r, int64_t j) {
    return Lanes{term(r, j), term(r, j + 1), term(r, j + 2), term(r, j + 3)};
  };
  by_column_blocks(rows, cols, [&](int64_t j0, int64_t j1) {
    int64_t j = j0;
    for (; j + 16 <= j1; j += 16) {
      Lanes a0 = {}, a1 = {}, a2 = {}, a3 = {};
      for (int64_t r = 0; r < rows; ++r) {
        a0 += lanes(r, j);
        a1 += lanes(r, j + 4);
        a2 += lanes(r, j + 8);
        a3 += lanes(r, j + 12);
      }
      for (int k = 0; k < 4; ++k) {
        sums[j + k] += a0[k];
        sums[j + 4 + k] += a1[k];
        sums[j + 8 + k] += a2[k];
        sums[j + 12 + k] += a3[k];
      }
    }
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = j; k < j1; ++k) sums[k] += term(r, k);
  });
}

}  // namespace descent::kernels
