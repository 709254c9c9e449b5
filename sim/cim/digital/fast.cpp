#include "cim/digital/fast.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tf::cim {

namespace {

void check_rows(const MicroOp& op, size_t index, int rows, int accs) {
  const int n = num_sources(op.code);
  auto bad = [rows, accs](int r) { return is_acc(r) ? acc_index(r) >= accs : (r < 0 || r >= rows); };
  if ((n >= 1 && bad(op.a)) || (n >= 2 && bad(op.b)) || (op.dst != kOut && bad(op.dst)))
    throw std::logic_error("cim fast path: op " + std::to_string(index) + " (" + op_name(op.code) +
                           ") names a row outside the array");
}

// Computes OP on ARRAY (rows, then accumulators) in place; the value goes to its destination row or
// accumulator, or to OUT for the output latch.
// CARRY and TAG are the per-column latches. Returns the columns written by a predicated op (0 otherwise).
uint64_t execute(const MicroOp& op, const MacroShape& sh, std::vector<BitRow>& array, BitRow& out, BitRow& carry,
                 BitRow& tag, BitRow& scratch) {
  if (op.pred) {  // computed aside, then written where the tag is 1
    MicroOp plain = op;
    plain.pred = false;
    plain.dst = kOut;
    execute(plain, sh, array, scratch, carry, tag, scratch);
    array[sh.slot(op.dst)].assign_where(tag, scratch);
    return tag.popcount();
  }
  BitRow& d = op.dst == kOut ? out : array[sh.slot(op.dst)];
  const BitRow& A = array[sh.slot(op.a < 0 && !is_acc(op.a) ? 0 : op.a)];
  const BitRow& B = array[sh.slot(op.b < 0 && !is_acc(op.b) ? 0 : op.b)];
  switch (op.code) {
    case OpCode::Write: d.assign(op.data); break;
    case OpCode::Read: d.assign(A); break;
    case OpCode::And:
    case OpCode::Nand: d.assign_and(A, B, op.code == OpCode::Nand); break;
    case OpCode::Or:
    case OpCode::Nor: d.assign_or(A, B, op.code == OpCode::Nor); break;
    case OpCode::Xor:
    case OpCode::Xnor: d.assign_xor(A, B, op.code == OpCode::Xnor); break;
    case OpCode::Add:
    case OpCode::Sub: d.assign_add(A, B, op.code == OpCode::Sub); break;
    case OpCode::Shl: d.assign_shl(A, op.k); break;
    case OpCode::Shr: d.assign_shr(A, op.k); break;
    case OpCode::Popcount:
      if (op.whole_row)
        d.assign_uint(A.popcount());
      else
        d.assign_popcount_words(A);
      break;
    case OpCode::FAdd:
    case OpCode::FSub:
      if (op.cin != kCinLatch) carry.fill(op.cin != 0);
      d.assign_full_add(A, B, carry, op.code == OpCode::FSub);
      break;
    case OpCode::Carry: d.assign(carry); break;
    case OpCode::Tag: tag.assign(A); break;
  }
  return 0;
}

}  // namespace

ProgramStats run_program_fast(const MacroShape& shape, const PipelineParams& pp, const std::vector<MicroOp>& program,
                              CimEnergy* energy, bool keep_array, const Preload* preload) {
  ProgramStats st;
  const int rows = shape.storage_rows();
  // Two rows in one bitline access: the 10T cell's two ports; dual-row evaluation for logic and bit-serial ops.
  const bool two_ports = shape.cell == CellType::T10, dual_eval = shape.dual_row_eval();
  const auto& L = pp.latency;
  std::vector<BitRow> array(rows, BitRow(shape.cols, shape.word_bits));
  if (preload)
    for (const auto& [row, data] : *preload) array[shape.slot(row)] = data;
  BitRow out(shape.cols, shape.word_bits), carry(shape.cols, shape.word_bits), tag(shape.cols, shape.word_bits),
      scratch(shape.cols, shape.word_bits);
  // Cycle from which a dependent op may issue: the last writer of the row has written back (forwarding: has
  // left adder stage 2). 0 = no writer yet.
  std::vector<uint64_t> ready(rows, 0);
  // Of the previous op: the cycle it started in each stage and the cycle it left it (was put into the next
  // stage's one-op input buffer). All zero before the first op.
  std::array<uint64_t, kStages> start{}, leave{};
  std::array<uint64_t, kStages> s_now, l_now;
  for (size_t i = 0; i < program.size(); ++i) {
    const MicroOp& op = program[i];
    check_rows(op, i, shape.rows, shape.accumulators);
    const int srcs = num_sources(op.code);

    // Decode starts when it handed the previous op on, works, then holds the op until its sources are ready.
    s_now[0] = leave[0];
    const uint64_t decoded = s_now[0] + (uint64_t)L[0];
    uint64_t issue = decoded;
    if (srcs >= 1) issue = std::max(issue, ready[shape.slot(op.a)]);
    if (srcs >= 2) issue = std::max(issue, ready[shape.slot(op.b)]);
    st.stall_cycles += issue - decoded;
    // The bitline stage's input buffer is free once that stage has taken the previous op.
    l_now[0] = std::max(issue, start[1]);
    st.backpressure_cycles += l_now[0] - issue;
    st.busy[0] += (uint64_t)L[0];
    uint64_t forwardable = 0;
    for (int s = 1; s < kStages; ++s) {
      s_now[s] = std::max(l_now[s - 1], leave[s]);  // the op has arrived and the stage is free
      uint64_t lat = (uint64_t)L[s];
      if (s == 1 && array_sources(op) == 2 && !two_ports && !(dual_eval && dual_row_op(op.code))) lat *= 2;
      st.busy[s] += lat;
      const uint64_t done = s_now[s] + lat;
      if (s == 4) forwardable = done;
      l_now[s] = s + 1 < kStages ? std::max(done, start[s + 1]) : done;
    }
    start = s_now;
    leave = l_now;
    // A predicated result is known only at write-back (it needs the tag latch): never forwarded.
    if (op.dst != kOut) ready[shape.slot(op.dst)] = pp.forwarding && !op.pred ? forwardable : l_now[kStages - 1];

    // Issue: the energy of the op, then its value.
    if (energy) energy->charge(op);
    st.by_type[(int)op.code]++;
    st.ops++;
    const uint64_t written = execute(op, shape, array, out, carry, tag, scratch);
    if (op.pred && energy) energy->charge_predicated_write(op, written);
    if (op.dst == kOut && op.code != OpCode::Tag) st.results.push_back({i, op.code, out});
  }
  st.cycles = program.empty() ? 0 : leave[kStages - 1];
  if (keep_array) {
    array.resize((size_t)shape.rows);  // the accumulators are not part of the array
    st.final_array = std::move(array);
  }
  return st;
}

std::vector<ProgramStats> run_programs_fast(const MacroShape& shape, const PipelineParams& pp,
                                            const std::vector<std::vector<MicroOp>>& programs, CimEnergy* energy,
                                            bool keep_array, uint64_t* total_cycles,
                                            const std::vector<Preload>* preloads) {
  std::vector<ProgramStats> stats;
  stats.reserve(programs.size());
  uint64_t total = 0;
  // Each program starts once the previous one has written back everything: times are relative to its start.
  for (size_t k = 0; k < programs.size(); ++k) {
    const auto& prog = programs[k];
    stats.push_back(run_program_fast(shape, pp, prog, energy, keep_array, preloads ? &preloads->at(k) : nullptr));
    total += stats.back().cycles;
  }
  if (total_cycles) *total_cycles = total;
  return stats;
}

}  // namespace tf::cim
