// The compute arrays of digital CIM macros that do the whole MAC inside the array, simulated bit by bit:
// `tinyforge sim dcim`. Documented in docs/cim.md ("Digital MAC arrays").
//
// Both are weight-stationary and bit-serial in the input: row r receives one bit of x_r per cycle (LSB first),
// and the periphery shift-accumulates one partial result per input bit per output (subtracting it at the sign
// bit of signed inputs).
//
// column_mac (the Colonnade class: Kim et al., JSSC 2021). An N-bit weight of output j sits in N cells of row
// r, next to E = spill_bits cells, in the slice of N + E columns that belongs to output j. Every cell ANDs its
// weight bit with the row's input bit and adds it, with its own full adder, into the partial sum arriving
// from the row above; the slice's full adders in one row form a ripple-carry adder, so after the last row the
// slice holds sum_r x_r[b] w_r exactly (two's complement, sign-extended into the spill cells for signed
// weights). A register row every `rows_per_stage` rows pipelines the columns.
//
// adder_tree (the TSMC DCIM class: Chih et al., ISSCC 2021). The N-bit weight of output j sits in N columns
// of row r (N columns per output). Each cell gates its weight bit with the row's input bit (a NOR/AND next to
// the bit cell); a binary tree of ripple-carry adders per output sums the rows' N-bit products, an adder at
// level k adding two (N + k - 1)-bit operands into N + k bits. A register row holds the tree's result before
// the shift-accumulator.
//
// Activity is counted from the data: toggles of every gate output, adder sum and carry output, and row input
// line between consecutive cycles; registers are clocked every cycle.
#pragma once
#include <cstdint>
#include <vector>

namespace tf::dcim {

enum class Arch { ColumnMac, AdderTree };

struct Shape {
  Arch arch = Arch::ColumnMac;
  int rows = 128, cols = 128;
  int rows_per_stage = 8;    // column_mac: a pipeline register row after every this many rows
  int spill_bits = 0;        // column_mac: 0 = ceil(log2 rows)
  bool clock_gating = false;  // registers of columns that hold no output are not clocked
  int log2_rows() const;
  int spill() const { return spill_bits > 0 ? spill_bits : log2_rows(); }
  // Columns per output: the slice (column_mac) or the weight bits (adder_tree).
  int columns_per_output(int w_bits) const { return arch == Arch::ColumnMac ? w_bits + spill() : w_bits; }
  int outputs(int w_bits) const { return cols / columns_per_output(w_bits); }
  int stages() const { return (rows + rows_per_stage - 1) / rows_per_stage; }
  // Width of one output's partial result per input bit: the slice, or the tree's root adder.
  int result_bits(int w_bits) const { return arch == Arch::ColumnMac ? w_bits + spill() : w_bits + log2_rows(); }
  // Flip-flops clocked per cycle, pipelining the array (not the periphery accumulators).
  uint64_t register_bits(int w_bits, int outputs_used) const;
  // adder_tree: full adders in one output's tree. An adder at level k takes two (N + k - 1)-bit operands with
  // N + k - 1 full adders; its carry out is the top bit of its N + k-bit result.
  uint64_t tree_full_adders(int w_bits) const;
  // Adders on the critical path of one pipeline stage, and the widest carry ripple.
  int stage_depth() const { return arch == Arch::ColumnMac ? rows_per_stage : log2_rows(); }
  int carry_bits(int w_bits) const { return result_bits(w_bits); }
};

struct Problem {
  int n = 0, m = 0;  // dot-product length (<= rows), outputs (<= outputs(w_bits))
  int w_bits = 8, x_bits = 8;
  bool w_signed = false, x_signed = false;
  std::vector<std::vector<int64_t>> w;  // [n][m]
  std::vector<std::vector<int64_t>> x;  // [vectors][n]
};

struct Activity {
  uint64_t cycles = 0;           // array cycles issued (one input bit of one vector each)
  uint64_t product_toggles = 0;  // gate (1-bit multiply) outputs that changed
  uint64_t sum_toggles = 0;      // full-adder sum outputs that changed
  uint64_t carry_toggles = 0;    // full-adder carry outputs that changed
  uint64_t input_toggles = 0;    // row input lines that changed
  uint64_t acc_bit_updates = 0;  // periphery accumulator bits shift-added
};

struct Result {
  std::vector<std::vector<int64_t>> y;  // [vectors][m]
  Activity activity;
};

// Runs every vector of P through the array (P is checked by the caller: n <= rows, m <= outputs, values in
// range). Deterministic.
Result run_array(const Shape& s, const Problem& p);

}  // namespace tf::dcim
