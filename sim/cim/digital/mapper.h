// Workload mappers of the digital macro: turn an MVM layer, a binary NN layer or an HDC query (cim/workloads.h)
// into a micro-op program, and turn the program's outputs back into results. See docs/cim.md ("Mappings").
#pragma once
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cim/digital/isa.h"
#include "cim/digital/pipeline.h"
#include "cim/workloads.h"

namespace tf::cim {

// Independent dependency chains the mapper interleaves so that a dependent op issues after its producer's
// result is available: ceil(cycles from bitline start to result / bottleneck stage cycles).
int auto_interleave(const PipelineParams& pp);

// Rows an MVM of N inputs needs with interleave P: N weight rows + zero + ones + P temporaries + P accumulators.
inline int mvm_rows_needed(int n, int p) { return n + 2 + 2 * p; }
// Largest |y| (or y for unsigned) bits check: true if every possible result fits a word of WORD_BITS.
bool mvm_fits_word(const MvmLayer& l, int word_bits, std::string* why);

// The gated mapping (selectable, to show the difference): appends the layer's program: weights stored one input per row (word i of row j = w[i][j]), inputs applied
// bit-serially, most significant bit first (Horner: shift the P accumulators left by one, then add the
// input-bit-gated weight rows; the sign bit of a signed input is subtracted), the P accumulators reduced at
// the end, then one read of the result row.
void map_mvm(const MvmLayer& l, const Geometry& g, int interleave, bool skip_zero_bits, std::vector<MicroOp>& ops);
std::vector<int64_t> decode_mvm(const MvmLayer& l, const BitRow& result);

// The direct mapping (the default): the controller knows every input bit, so it adds a weight row into a
// running sum only where the bit is 1 (no gating copy, nothing issued for a 0 bit, no shift of a sum that is
// still zero). P chains of partial sums, each in a periphery accumulator when the macro has them
// (g.accumulators > 0; then min(P, accumulators) chains) or else in an array row after the weights; reduced
// pairwise at the end and read out.
inline int mvm_chains_direct(int p, const Geometry& g) { return g.accumulators > 0 ? std::min(p, g.accumulators) : p; }
inline int mvm_direct_rows_needed(int n, int p, const Geometry& g) {
  return n + (g.accumulators > 0 ? 0 : mvm_chains_direct(p, g));
}
// RESIDENT (may be null): the weights are already in the array, as in a weight-stationary macro: they go to
// RESIDENT instead of being written, and the partial sums start from the zeroed array (one layer per program).
void map_mvm_direct(const MvmLayer& l, const Geometry& g, int interleave, std::vector<MicroOp>& ops,
                    Preload* resident = nullptr);

// Element-wise arithmetic on two vectors stored transposed (bit i of element e in row base+i, column e): the
// bit-serial ops of a macro with per-column carry and tag latches (macro.bit_serial). Unsigned BITS-bit
// operands, one element per column; results: add BITS+1 bits, mul 2*BITS bits.
struct VectorJob {
  bool mul = false;
  int bits = 8, elements = 0;
  int repeat = 1;  // the compute sequence issued this many times back to back (steady-state throughput)
  std::vector<uint64_t> a, b;  // [elements]
};
inline int vector_rows_needed(bool mul, int bits) { return mul ? 4 * bits : 3 * bits + 1; }
void random_vector(VectorJob& v, std::mt19937_64& rng);
std::vector<uint64_t> vector_reference(const VectorJob& v);
// add: fadd per bit with the carry latch (cin 0 on bit 0), then the carry into the top bit: BITS+1 ops.
// mul: shift-and-add with predication: the first partial product is an AND with B's bit 0 and the upper half
// is zeroed; for every further bit j of B, tag <- B_j, then P[j+i] += A_i (i = 0..BITS-1) written only where
// the tag is 1, and the carry into P[j+BITS]: BITS^2 + 3 BITS - 2 compute ops. Operands are written first, results read out last (one
// read per result bit).
// RESIDENT (may be null): the operands are already in the array (as a memory holds them) and the results stay
// there: the operand rows go to RESIDENT, and nothing is read out.
void map_vector(const VectorJob& v, const Geometry& g, std::vector<MicroOp>& ops, Preload* resident = nullptr);
// Rows holding the result bits (least significant first).
inline int vector_result_row(const VectorJob& v) { return 2 * v.bits; }
inline int vector_result_bits(const VectorJob& v) { return v.mul ? 2 * v.bits : v.bits + 1; }
// The result of element e from the result rows (in order, least significant bit first).
std::vector<uint64_t> decode_vector(const VectorJob& v, const std::vector<BitRow>& rows);
std::vector<uint64_t> decode_vector(const VectorJob& v, const std::vector<OpResult>& reads);

inline int bnn_rows_needed(int m, int p) { return m + 1 + p; }
// One row per neuron (bit 1 = +1), the input in one row; per neuron xnor then whole-row popcount.
void map_bnn(const BnnLayer& l, const Geometry& g, int interleave, std::vector<MicroOp>& ops);

inline int hdc_rows_needed(int classes, int p) { return classes + 3 + p; }
// Bind: query = key xor value (read out); then per class popcount(query xor prototype) = Hamming distance.
void map_hdc(const HdcQuery& q, const Geometry& g, int interleave, std::vector<MicroOp>& ops);

}  // namespace tf::cim
