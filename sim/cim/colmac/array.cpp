#include "cim/colmac/array.h"

#include <bitset>

namespace tf::colmac {

int Shape::spill() const {
  if (spill_bits > 0) return spill_bits;
  int e = 0;
  while ((1 << e) < rows) ++e;
  return e;
}

static int pop(uint64_t v) { return (int)std::bitset<64>(v).count(); }

Result run_array(const Shape& s, const Problem& p) {
  const int slice = s.slice(p.w_bits);  // <= 16 + 12 bits: a uint64_t holds a slice and its carry out
  const uint64_t mask = slice >= 64 ? ~0ULL : (1ULL << slice) - 1;
  const int R = s.rows, M = p.m;
  // Stored slice patterns: the weight in N + E bits (two's complement for signed weights).
  std::vector<uint64_t> wpat((size_t)R * M, 0);
  for (int r = 0; r < p.n; ++r)
    for (int j = 0; j < M; ++j) wpat[(size_t)r * M + j] = (uint64_t)p.w[r][j] & mask;
  // Node state of the previous cycle, per row and slice: AND outputs, sums, carries; per row: the input bit.
  std::vector<uint64_t> prod_prev((size_t)R * M, 0), sum_prev((size_t)R * M, 0), carry_prev((size_t)R * M, 0);
  std::vector<uint8_t> in_prev(R, 0);
  Result res;
  Activity& a = res.activity;
  const int acc_bits = slice + p.x_bits;
  for (const auto& xv : p.x) {
    std::vector<int64_t> acc(M, 0);
    for (int b = 0; b < p.x_bits; ++b) {
      ++a.cycles;
      for (int r = 0; r < R; ++r) {
        const uint8_t bit = r < p.n ? (uint8_t)(((uint64_t)xv[r] >> b) & 1) : 0;
        a.input_toggles += bit != in_prev[r];
        in_prev[r] = bit;
      }
      for (int j = 0; j < M; ++j) {
        uint64_t partial = 0;  // entering row 0
        for (int r = 0; r < R; ++r) {
          const size_t k = (size_t)r * M + j;
          const uint64_t prod = in_prev[r] ? wpat[k] : 0;
          const uint64_t full = partial + prod;  // slice + 1 bits
          const uint64_t sum = full & mask;
          const uint64_t carry = ((partial ^ prod ^ full) >> 1) & mask;  // carry out of each bit
          a.product_toggles += pop(prod ^ prod_prev[k]);
          a.sum_toggles += pop(sum ^ sum_prev[k]);
          a.carry_toggles += pop(carry ^ carry_prev[k]);
          prod_prev[k] = prod;
          sum_prev[k] = sum;
          carry_prev[k] = carry;
          partial = sum;
        }
        // The slice result: the exact sum over the rows (it fits in the slice by construction).
        int64_t col = (int64_t)partial;
        if (p.w_signed && (partial >> (slice - 1)) & 1) col -= (int64_t)(mask + 1);
        const int64_t term = (int64_t)((uint64_t)col << b);  // two's complement shift, no signed overflow
        acc[j] = (p.x_signed && b == p.x_bits - 1) ? acc[j] - term : acc[j] + term;
        a.acc_bit_updates += (uint64_t)acc_bits;
      }
    }
    res.y.push_back(acc);
  }
  return res;
}

}  // namespace tf::colmac
