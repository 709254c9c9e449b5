// The macro's micro-op set. Cell-level operations happen in the 10T cells and on the bitlines (write, read,
// and, or, xor: the two operand rows are read concurrently on the cell's two read ports); periphery operations
// are done by the logic after the sense amplifiers (nand/nor/xnor = inverted and/or/xor; add/sub in the
// two-stage ripple-carry adder; shl/shr in the word shifter; popcount in the popcount tree).
// Bit-serial operations for data stored transposed (one bit of an element per row, one element per column):
// fadd/fsub use each column's 1-bit full adder with the per-column carry latch; carry writes the carry latch
// into a row; tag loads the per-column tag latch from a row. Any op that writes a row or an accumulator can be
// predicated: only the columns whose tag bit is 1 are written.
#pragma once
#include <string>
#include <vector>

#include "cim/digital/bitrow.h"
#include "core/diagnostics.h"
#include "core/util.h"

namespace tf::cim {

enum class OpCode { Write, Read, And, Or, Xor, Nand, Nor, Xnor, Add, Sub, Shl, Shr, Popcount, FAdd, FSub, Carry, Tag };
constexpr int kNumOpCodes = 17;
constexpr int kCinLatch = -1;  // fadd/fsub carry-in: the carry latch (else the constant 0 or 1)
constexpr int kOut = -1;  // destination: the output latch (the result is reported)
// Periphery accumulator registers (one word-organised row of flip-flops each, after the adder): accumulator K
// is named by the row index acc_row(K) = -2 - K in a, b and dst. Reading one drives the adder input without a
// bitline access; writing one clocks its flip-flops instead of driving the write bitlines.
constexpr int acc_row(int k) { return -2 - k; }
constexpr bool is_acc(int r) { return r <= -2; }
constexpr int acc_index(int r) { return -2 - r; }

const char* op_name(OpCode c);
bool op_from_name(const std::string& s, OpCode& c);
std::vector<std::string> op_names();
bool is_cell_level(OpCode c);
int num_sources(OpCode c);  // rows read: 0 (write, carry), 1 (read, shl, shr, popcount, tag), 2 (the rest)
bool is_logic(OpCode c);    // and/or/xor/nand/nor/xnor
bool uses_adder(OpCode c);  // add, sub
bool is_bit_serial(OpCode c);  // fadd, fsub
bool has_destination(OpCode c);  // all but tag (which writes only the tag latch)

struct MicroOp {
  OpCode code = OpCode::Read;
  int a = -1, b = -1;     // source rows
  int dst = kOut;         // row or kOut
  int k = 0;              // shift amount
  bool whole_row = true;  // popcount: whole row (true) or per word
  int cin = kCinLatch;    // fadd/fsub: carry-in from the latch, or 0 / 1 (which also starts a new sum)
  bool pred = false;      // write only the columns whose tag bit is 1
  BitRow data;            // write: the row value
};

// Two-row ops that evaluate on the bitlines (both rows activated at once where the macro can).
inline bool dual_row_op(OpCode c) { return is_logic(c) || is_bit_serial(c); }

// Sources of OP read from the array (not from an accumulator).
inline int array_sources(const MicroOp& op) {
  const int n = num_sources(op.code);
  return (n >= 1 && !is_acc(op.a)) + (n >= 2 && !is_acc(op.b));
}

struct Geometry {
  int rows = 0, cols = 0, word_bits = 0;
  int accumulators = 0;  // periphery accumulator registers (acc0 ...)
  bool bit_serial = false;  // per-column carry and tag latches: fadd, fsub, carry, tag and predicated writes
};

// "acc3" for an accumulator row index, else the decimal row.
std::string row_name(int r);

// Rows that hold data when a program starts (resident weights or operands): (row, value) pairs.
using RowPreload = std::vector<std::pair<int, BitRow>>;

// Parses {"ops":[...], "preload": [{"row", "data"}, ...]} (see docs/cim.md); the optional preload goes to
// PRELOAD. All problems go to DIAG with FILE and the JSON path (ops[3].row).
std::vector<MicroOp> parse_program(const json& j, const std::string& file, const Geometry& g, Diagnostics& diag,
                                   RowPreload* preload = nullptr);
json program_to_json(const std::vector<MicroOp>& ops);
// The same program as JSON text, one op per line (fast for long programs), with PRELOAD (if any and not empty)
// as its "preload" list, so that a run with resident data can be run again from its listing.
std::string program_to_text(const std::vector<MicroOp>& ops, const RowPreload* preload = nullptr);

}  // namespace tf::cim
