#include "cim/dcim/array.h"

#include <bitset>

namespace tf::dcim {

int Shape::log2_rows() const {
  int e = 0;
  while ((1 << e) < rows) ++e;
  return e;
}

uint64_t Shape::register_bits(int w_bits, int outputs_used) const {
  if (arch == Arch::ColumnMac)  // register rows span every column unless the unused ones are gated
    return (uint64_t)stages() *
           (uint64_t)(clock_gating ? outputs_used * columns_per_output(w_bits) : cols);
  return (uint64_t)(clock_gating ? outputs_used : outputs(w_bits)) * (uint64_t)result_bits(w_bits);
}

uint64_t Shape::tree_full_adders(int w_bits) const {
  uint64_t n = 0;
  int count = rows, width = w_bits;  // operand width at the current level
  while (count > 1) {
    n += (uint64_t)(count / 2) * (uint64_t)width;
    count = (count + 1) / 2;
    ++width;
  }
  return n;
}

namespace {

int pop(uint64_t v) { return (int)std::bitset<64>(v).count(); }

// One ripple-carry addition A + B, its result masked to MASK, with the toggles of its full adders' sum and
// carry outputs against the previous cycle's (kept in SUM_PREV and CARRY_PREV). The full adders are the bits
// of FA_MASK: the slice's cells (column_mac), or the operand bits of a tree adder, whose top carry out is the
// result's top bit (counted once, as a carry).
uint64_t add_counted(uint64_t a, uint64_t b, uint64_t mask, uint64_t fa_mask, uint64_t& sum_prev,
                     uint64_t& carry_prev, Activity& act) {
  const uint64_t full = a + b;
  const uint64_t sum = full & mask;
  const uint64_t carry = ((a ^ b ^ full) >> 1) & fa_mask;  // carry out of each full adder
  act.sum_toggles += pop((sum ^ sum_prev) & fa_mask);
  act.carry_toggles += pop(carry ^ carry_prev);
  sum_prev = sum;
  carry_prev = carry;
  return sum;
}

uint64_t mask_of(int bits) { return bits >= 64 ? ~0ULL : (1ULL << bits) - 1; }

// A BITS-wide two's complement pattern as a signed value (SGN) or as is.
int64_t value_of(uint64_t v, int bits, bool sgn) {
  if (sgn && (v >> (bits - 1)) & 1) return (int64_t)v - (int64_t)(mask_of(bits)) - 1;
  return (int64_t)v;
}

}  // namespace

Result run_array(const Shape& s, const Problem& p) {
  const int R = s.rows, M = p.m, rb = s.result_bits(p.w_bits);
  const bool tree = s.arch == Arch::AdderTree;
  // Stored patterns: the weight in the slice (column_mac) or in its N columns (adder_tree), two's complement.
  const int stored_bits = tree ? p.w_bits : rb;
  const uint64_t smask = mask_of(stored_bits);
  std::vector<uint64_t> wpat((size_t)R * M, 0);
  for (int r = 0; r < p.n; ++r)
    for (int j = 0; j < M; ++j) wpat[(size_t)r * M + j] = (uint64_t)p.w[r][j] & smask;
  // Node state of the previous cycle: gate outputs per row and output; adder sums and carries per adder.
  std::vector<uint64_t> prod_prev((size_t)R * M, 0);
  std::vector<uint64_t> sum_prev((size_t)R * M, 0), carry_prev((size_t)R * M, 0);  // R adders per output at most
  std::vector<uint8_t> in_prev(R, 0);
  std::vector<uint64_t> level, next;  // adder tree: the values of one level and of the next
  Result res;
  Activity& a = res.activity;
  const int acc_bits = rb + p.x_bits;
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
        int64_t col;
        if (!tree) {
          uint64_t partial = 0;  // entering row 0
          for (int r = 0; r < R; ++r) {
            const size_t k = (size_t)r * M + j;
            const uint64_t prod = in_prev[r] ? wpat[k] : 0;
            a.product_toggles += pop(prod ^ prod_prev[k]);
            prod_prev[k] = prod;
            partial = add_counted(partial, prod, smask, smask, sum_prev[k], carry_prev[k], a);
          }
          col = value_of(partial, rb, p.w_signed);
        } else {
          // Leaves: the gated weights, sign-extended as the tree widens (a signed adder at level k is N + k bits).
          level.assign(R, 0);
          for (int r = 0; r < R; ++r) {
            const size_t k = (size_t)r * M + j;
            const uint64_t prod = in_prev[r] ? wpat[k] : 0;
            a.product_toggles += pop(prod ^ prod_prev[k]);
            prod_prev[k] = prod;
            level[r] = prod;
          }
          int width = p.w_bits, adder = 0;
          while (level.size() > 1) {
            const int in_w = width;
            ++width;
            const uint64_t m = mask_of(width), fa = mask_of(in_w);
            auto widen = [&](uint64_t v) {  // sign-extend IN_W-bit V to WIDTH bits
              return (uint64_t)value_of(v, in_w, p.w_signed) & m;
            };
            next.assign((level.size() + 1) / 2, 0);
            for (size_t i = 0; i + 1 < level.size(); i += 2) {
              const size_t k = (size_t)j * R + (size_t)adder++;
              next[i / 2] = add_counted(widen(level[i]), widen(level[i + 1]), m, fa, sum_prev[k], carry_prev[k], a);
            }
            if (level.size() % 2) next.back() = widen(level.back());  // an odd node passes to the next level
            level.swap(next);
          }
          col = value_of(level[0], width, p.w_signed);
        }
        const int64_t term = (int64_t)((uint64_t)col << b);  // two's complement shift, no signed overflow
        acc[j] = (p.x_signed && b == p.x_bits - 1) ? acc[j] - term : acc[j] + term;
        a.acc_bit_updates += (uint64_t)acc_bits;
      }
    }
    res.y.push_back(acc);
  }
  return res;
}

}  // namespace tf::dcim
