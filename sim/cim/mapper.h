// Workload mappers: turn an MVM layer, a binary NN layer or an HDC query into a micro-op program for the
// macro, and turn the program's outputs back into results. See docs/cim.md ("Mappings").
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cim/isa.h"
#include "cim/macro.h"

namespace tf::cim {

// Independent dependency chains the mapper interleaves so that a dependent op issues after its producer's
// result is available: ceil(cycles from bitline start to result / bottleneck stage cycles).
int auto_interleave(const PipelineParams& pp);

struct MvmLayer {
  int m = 0, n = 0, w_bits = 4, x_bits = 4;
  bool w_signed = true, x_signed = true;
  std::vector<std::vector<int64_t>> w;  // [m][n]
  std::vector<int64_t> x;               // [n]
};

// Rows an MVM of N inputs needs with interleave P: N weight rows + zero + ones + P temporaries + P accumulators.
inline int mvm_rows_needed(int n, int p) { return n + 2 + 2 * p; }
// Largest |y| (or y for unsigned) bits check: true if every possible result fits a word of WORD_BITS.
bool mvm_fits_word(const MvmLayer& l, int word_bits, std::string* why);

// Appends the layer's program: weights stored one input per row (word i of row j = w[i][j]), inputs applied
// bit-serially, most significant bit first (Horner: shift the P accumulators left by one, then add the
// input-bit-gated weight rows; the sign bit of a signed input is subtracted), the P accumulators reduced at
// the end, then one read of the result row.
void map_mvm(const MvmLayer& l, const Geometry& g, int interleave, bool skip_zero_bits, std::vector<MicroOp>& ops);
std::vector<int64_t> decode_mvm(const MvmLayer& l, const BitRow& result);

struct BnnLayer {
  int m = 0, n = 0;
  std::vector<std::vector<int>> w;  // [m][n], +1/-1
  std::vector<int> x;               // [n], +1/-1
};
inline int bnn_rows_needed(int m, int p) { return m + 1 + p; }
// One row per neuron (bit 1 = +1), the input in one row; per neuron xnor then whole-row popcount.
void map_bnn(const BnnLayer& l, const Geometry& g, int interleave, std::vector<MicroOp>& ops);

struct HdcQuery {
  int dim = 0, classes = 0;
  std::vector<std::vector<uint8_t>> prototypes;  // [classes][dim] bits
  std::vector<uint8_t> key, value;               // [dim]
};
inline int hdc_rows_needed(int classes, int p) { return classes + 3 + p; }
// Bind: query = key xor value (read out); then per class popcount(query xor prototype) = Hamming distance.
void map_hdc(const HdcQuery& q, const Geometry& g, int interleave, std::vector<MicroOp>& ops);

// Seeded random data.
void random_mvm(MvmLayer& l, std::mt19937_64& rng);
void random_bnn(BnnLayer& l, std::mt19937_64& rng);
void random_hdc(HdcQuery& q, std::mt19937_64& rng);

}  // namespace tf::cim
