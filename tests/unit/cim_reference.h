// Independent references for the CIM macro tests: a plain bit-by-bit array model of every operation and the
// pipeline's timing written as a recurrence over (op, stage) start/finish times. Neither shares code with
// the SystemC model.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "cim/digital/isa.h"

namespace ref {

using Bits = std::vector<bool>;

// Rows 0..rows-1, then the accumulators (named -2, -3, ... in micro-ops: accumulator k is -2 - k).
// CARRY and TAG are the per-column latches of the bit-serial periphery.
struct Array {
  int rows, cols, wb;
  std::vector<Bits> r;
  Bits carry, tag;
  Array(int rows_, int cols_, int wb_, int accs = 0)
      : rows(rows_), cols(cols_), wb(wb_), r(rows_ + accs, Bits(cols_, false)), carry(cols_, false), tag(cols_, false) {}
  int at(int row) const { return row >= 0 ? row : rows + (-2 - row); }
  Bits& operator[](int row) { return r[at(row)]; }

  uint64_t word(const Bits& b, int k) const {
    uint64_t v = 0;
    for (int i = wb - 1; i >= 0; --i) v = (v << 1) | (b[k * wb + i] ? 1 : 0);
    return v;
  }
  void set_word(Bits& b, int k, uint64_t v) const {
    for (int i = 0; i < wb; ++i) b[k * wb + i] = (v >> i) & 1;
  }
  uint64_t mask() const { return wb == 64 ? ~0ULL : ((1ULL << wb) - 1); }

  // Executes OP (updating the latches); returns the value that goes to the destination (for tag: the new tag).
  Bits exec(const tf::cim::MicroOp& op) {
    using tf::cim::OpCode;
    Bits out(cols, false);
    const int words = cols / wb;
    switch (op.code) {
      case OpCode::FAdd:
      case OpCode::FSub:
        for (int c = 0; c < cols; ++c) {
          int ones = (int)r[at(op.a)][c] + (op.code == OpCode::FSub ? !r[at(op.b)][c] : (int)r[at(op.b)][c]) +
                     (op.cin < 0 ? (int)carry[c] : op.cin);
          out[c] = ones & 1;
          carry[c] = ones >= 2;
        }
        break;
      case OpCode::Carry: out = carry; break;
      case OpCode::Tag:
        tag = r[at(op.a)];
        out = tag;
        break;
      case OpCode::Write:
        for (int c = 0; c < cols; ++c) out[c] = op.data.bit(c);
        break;
      case OpCode::Read: out = r[at(op.a)]; break;
      case OpCode::And:
      case OpCode::Nand:
      case OpCode::Or:
      case OpCode::Nor:
      case OpCode::Xor:
      case OpCode::Xnor:
        for (int c = 0; c < cols; ++c) {
          bool x = r[at(op.a)][c], y = r[at(op.b)][c], v;
          if (op.code == OpCode::And || op.code == OpCode::Nand)
            v = x && y;
          else if (op.code == OpCode::Or || op.code == OpCode::Nor)
            v = x || y;
          else
            v = x != y;
          if (op.code == OpCode::Nand || op.code == OpCode::Nor || op.code == OpCode::Xnor) v = !v;
          out[c] = v;
        }
        break;
      case OpCode::Add:
      case OpCode::Sub:
        for (int k = 0; k < words; ++k) {
          uint64_t x = word(r[at(op.a)], k), y = word(r[at(op.b)], k);
          set_word(out, k, (op.code == OpCode::Add ? x + y : x - y) & mask());
        }
        break;
      case OpCode::Shl:
      case OpCode::Shr:
        for (int k = 0; k < words; ++k) {
          uint64_t x = word(r[at(op.a)], k);
          uint64_t v = op.k >= wb ? 0 : (op.code == OpCode::Shl ? (x << op.k) : (x >> op.k));
          set_word(out, k, v & mask());
        }
        break;
      case OpCode::Popcount:
        if (op.whole_row) {
          uint64_t n = 0;
          for (int c = 0; c < cols; ++c) n += r[at(op.a)][c];
          for (int c = 0; c < cols && c < 64; ++c) out[c] = (n >> c) & 1;
        } else {
          for (int k = 0; k < words; ++k) {
            uint64_t n = 0;
            for (int i = 0; i < wb; ++i) n += r[at(op.a)][k * wb + i];
            set_word(out, k, n);
          }
        }
        break;
    }
    return out;
  }
};

struct Timing {
  uint64_t cycles = 0, stalls = 0, backpressure = 0;
};

// In-order pipeline of 6 stages with capacity-1 buffers between them (see sim/cim/macro.h for the contract).
// S[s][i]: op i starts in stage s; W[s][i]: op i leaves stage s (written into the next buffer).
// DUAL_READ: two operand rows read in one bitline access (10T); DUAL_EVAL: logic and fadd/fsub on two rows in
// one access (dual-row activation).
inline Timing timing(const std::vector<tf::cim::MicroOp>& ops, std::array<int, 6> L, bool forwarding, bool dual_read,
                     bool dual_eval = false) {
  using namespace tf::cim;
  const size_t n = ops.size();
  std::vector<std::array<int64_t, 6>> S(n), W(n);
  std::vector<int64_t> a2_done(n), wb_done(n);
  std::vector<int64_t> last_writer(4096 + 64, -1);  // rows, then accumulators
  auto slot = [](int r) { return r >= 0 ? r : 4096 + (-2 - r); };
  Timing t;
  for (size_t i = 0; i < n; ++i) {
    const MicroOp& op = ops[i];
    int64_t start = i ? W[i - 1][0] : 0;
    S[i][0] = start;
    int64_t T = start + L[0];
    int64_t issue = T;
    int srcs = num_sources(op.code);
    for (int k = 0; k < srcs; ++k) {
      int row = slot(k == 0 ? op.a : op.b);
      int64_t w = last_writer[row];
      if (w < 0) continue;
      // A predicated result needs the tag latch at write-back: never forwarded.
      int64_t ready = forwarding && !ops[(size_t)w].pred ? a2_done[w] : wb_done[w];
      issue = std::max(issue, ready);
    }
    t.stalls += issue - T;
    int64_t w0 = i ? std::max(issue, S[i - 1][1]) : issue;
    t.backpressure += w0 - issue;
    W[i][0] = w0;
    for (int s = 1; s < 6; ++s) {
      S[i][s] = i ? std::max(W[i][s - 1], W[i - 1][s]) : W[i][s - 1];
      int lat = L[s];
      // Two rows read from the array one after the other (an accumulator operand needs no bitline).
      const bool evaluates = op.code == OpCode::And || op.code == OpCode::Or || op.code == OpCode::Xor ||
                             op.code == OpCode::Nand || op.code == OpCode::Nor || op.code == OpCode::Xnor ||
                             op.code == OpCode::FAdd || op.code == OpCode::FSub;
      if (s == 1 && !dual_read && srcs == 2 && op.a >= 0 && op.b >= 0 && !(dual_eval && evaluates)) lat *= 2;
      int64_t done = S[i][s] + lat;
      if (s == 4) a2_done[i] = done;
      if (s < 5)
        W[i][s] = i ? std::max(done, S[i - 1][s + 1]) : done;
      else
        W[i][s] = done;
    }
    wb_done[i] = W[i][5];
    if (op.dst != kOut) last_writer[slot(op.dst)] = (int64_t)i;
  }
  t.cycles = n ? (uint64_t)wb_done[n - 1] : 0;
  return t;
}

}  // namespace ref
