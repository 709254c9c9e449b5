// The column-MAC array of a bit-serial digital CIM macro with a full adder in every cell (the Colonnade class:
// Kim et al., JSSC 2021), simulated bit by bit. Documented in docs/cim.md ("The column-MAC macro").
//
// Each row r of the array receives one bit of input x_r per cycle (LSB first). An N-bit weight w_r of output j
// is stored in N cells of row r, next to E = ceil(log2 rows) spill cells, in the slice of N + E columns that
// belongs to output j. Every cell ANDs its weight bit with the row's input bit and adds it, with its full
// adder, into the partial sum arriving from the row above; the N + E full adders of one slice and row form a
// ripple-carry adder, so after the last row the slice holds sum_r x_r[b] * w_r exactly (two's complement,
// sign-extended into the spill cells for signed weights). A register row every `rows_per_stage` rows
// pipelines the column. The periphery shift-accumulates one slice result per input bit (subtracting it at
// the sign bit of signed inputs).
//
// Activity is counted from the data: toggles of every cell's AND output, sum and carry outputs, and of every
// row's input line, between consecutive cycles.
#pragma once
#include <cstdint>
#include <vector>

namespace tf::colmac {

struct Shape {
  int rows = 128, cols = 128;
  int rows_per_stage = 8;  // a pipeline register row after every this many rows
  int spill_bits = 0;      // 0 = ceil(log2 rows)
  int spill() const;
  int slice(int w_bits) const { return w_bits + spill(); }
  int outputs(int w_bits) const { return cols / slice(w_bits); }  // slices that fit side by side
  int stages() const { return (rows + rows_per_stage - 1) / rows_per_stage; }
};

struct Problem {
  int n = 0, m = 0;  // dot-product length (<= rows), outputs (<= outputs(w_bits))
  int w_bits = 8, x_bits = 8;
  bool w_signed = false, x_signed = false;
  std::vector<std::vector<int64_t>> w;  // [n][m]
  std::vector<std::vector<int64_t>> x;  // [vectors][n]
};

struct Activity {
  uint64_t cycles = 0;            // array cycles issued (one input bit of one vector each)
  uint64_t product_toggles = 0;   // AND (1-bit multiply) outputs that changed
  uint64_t sum_toggles = 0;       // full-adder sum outputs that changed
  uint64_t carry_toggles = 0;     // full-adder carry outputs that changed
  uint64_t input_toggles = 0;     // row input lines that changed
  uint64_t acc_bit_updates = 0;   // periphery accumulator bits shift-added
};

struct Result {
  std::vector<std::vector<int64_t>> y;  // [vectors][m]
  Activity activity;
};

// Runs every vector of P through the array (P is checked by the caller: n <= rows, m <= outputs, values in
// range). Deterministic.
Result run_array(const Shape& s, const Problem& p);

}  // namespace tf::colmac
