#include "cim/digital/macro.h"

#include <cmath>

#include "core/sc/simulate.h"

namespace tf::cim {

using namespace sc_core;

const char* const kStageNames[kStages] = {"decode", "bitline", "sense", "adder1", "adder2", "writeback"};

CimMacro::CimMacro(sc_module_name name, const MacroShape& shape, const PipelineParams& pp,
                   const std::vector<std::vector<MicroOp>>* programs, CimEnergy* energy, bool keep_array,
                   const std::vector<Preload>* preloads)
    : sc_module(name),
      shape_(shape),
      pp_(pp),
      programs_(programs),
      preloads_(preloads),
      energy_(energy),
      keep_array_(keep_array),
      clk_(pp.freq_MHz),
      array_(shape.storage_rows(), BitRow(shape.cols, shape.word_bits)),
      pending_(shape.storage_rows(), 0),
      last_writer_(shape.storage_rows(), UINT64_MAX),
      carry_(shape.cols, shape.word_bits),
      tag_(shape.cols, shape.word_bits) {
  lo_bits_ = (shape.word_bits + 1) / 2;
  for (int s = 0; s < kStages; ++s) stage_[s] = std::make_unique<sc::PipelineStage>(kStageNames[s], s == 0 ? 0 : 1);
  SC_THREAD(decode_thread);
  for (int s = 1; s < kStages - 1; ++s) sc_spawn(sc_bind(&CimMacro::stage_thread, this, s), kStageNames[s]);
  SC_THREAD(writeback_thread);
}

void CimMacro::trace(sc_trace_file* tf) {
  tracing_ = true;
  for (int s = 0; s < kStages; ++s) stage_[s]->trace(tf, std::string("stage_") + kStageNames[s] + "_op");
  sc_trace(tf, sig_stall_, "stall");
}

bool CimMacro::hazard(const MicroOp& op) const {
  int n = num_sources(op.code);
  for (int k = 0; k < n; ++k) {
    int r = shape_.slot(k == 0 ? op.a : op.b);
    if (pending_[r] == 0) continue;
    if (!pp_.forwarding) return true;
    const Slot& w = slots_[last_writer_[r] % kSlots];
    if (w.id != last_writer_[r] || !w.fwd_ready) return true;
  }
  return false;
}

const BitRow& CimMacro::operand(int row, uint64_t producer) const {
  if (producer != UINT64_MAX) {
    // Forwarding: the producer was still in flight at issue; if it has not written back yet, its result
    // comes from the forwarding path (decode made sure it was ready).
    const Slot& w = slots_[producer % kSlots];
    if (w.id == producer && w.fwd_ready) return w.result;
  }
  return array_[shape_.slot(row)];
}

void CimMacro::decode_thread() {
  uint64_t next_id = 0;
  for (const auto& prog : *programs_) {
    if (stats_.empty()) stats_.reserve(programs_->size());
    stats_.emplace_back();
    cur_ = &stats_.back();
    for (auto& row : array_) row.fill(false);
    carry_.fill(false);
    tag_.fill(false);
    if (preloads_)
      for (const auto& [row, data] : preloads_->at(stats_.size() - 1)) array_[shape_.slot(row)] = data;
    uint64_t t_start = clk_.now();
    std::array<uint64_t, kStages> busy0;
    for (int s = 0; s < kStages; ++s) busy0[s] = stage_[s]->busy_cycles();
    uint64_t blocked0 = stage_[0]->blocked_cycles();
    for (size_t i = 0; i < prog.size(); ++i) {
      const MicroOp& op = prog[i];
      uint64_t id = next_id++;
      stage_[0]->hold(id);
      stage_[0]->work(clk_, pp_.latency[0]);
      if (hazard(op)) {
        uint64_t t0 = clk_.now();
        if (tracing_) sig_stall_.write(true);
        while (hazard(op)) wait(progress_);
        if (tracing_) sig_stall_.write(false);
        cur_->stall_cycles += clk_.now() - t0;
      }
      // Issue: claim the slot, mark the pending write, charge the op's energy.
      Slot& s = slots_[id % kSlots];
      s.id = id;
      s.op = &op;
      s.index = i;
      s.fwd_ready = false;
      for (int k = 0; k < num_sources(op.code); ++k) {
        int r = shape_.slot(k == 0 ? op.a : op.b);
        s.src_writer[k] = pending_[r] > 0 ? last_writer_[r] : UINT64_MAX;
      }
      if (op.dst != kOut) {
        ++pending_[shape_.slot(op.dst)];
        last_writer_[shape_.slot(op.dst)] = id;
      }
      if (energy_) energy_->charge(op);
      cur_->by_type[(int)op.code]++;
      cur_->ops++;
      stage_[0]->send(clk_, *stage_[1], id);
      stage_[0]->release();
    }
    while (completed_ < next_id) wait(progress_);
    cur_->cycles = clk_.now() - t_start;
    for (int s = 0; s < kStages; ++s) cur_->busy[s] = stage_[s]->busy_cycles() - busy0[s];
    cur_->backpressure_cycles = stage_[0]->blocked_cycles() - blocked0;
    if (keep_array_) cur_->final_array.assign(array_.begin(), array_.begin() + shape_.rows);
  }
  total_cycles_ = clk_.now();
}

void CimMacro::stage_thread(int st) {
  for (;;) {
    uint64_t id = stage_[st]->take();
    Slot& s = slots_[id % kSlots];
    const MicroOp& op = *s.op;
    stage_[st]->hold(id);
    int lat = pp_.latency[st];
    switch (st) {
      case 1: {  // bitline: read the operand rows (dual-row logic evaluates here)
        int n = num_sources(op.code);
        // Two sequential row reads, unless the 10T cell's two ports or dual-row evaluation do it in one.
        if (array_sources(op) == 2 && shape_.cell != CellType::T10 && !(shape_.dual_row_eval() && dual_row_op(op.code)))
          lat *= 2;
        if (n >= 1) s.va = operand(op.a, s.src_writer[0]);
        if (n >= 2) s.vb = operand(op.b, s.src_writer[1]);
        switch (op.code) {
          case OpCode::Write: s.result = op.data; break;
          case OpCode::Read: s.result = s.va; break;
          case OpCode::And:
          case OpCode::Nand: s.result = BitRow::op_and(s.va, s.vb); break;
          case OpCode::Or:
          case OpCode::Nor: s.result = BitRow::op_or(s.va, s.vb); break;
          case OpCode::Xor:
          case OpCode::Xnor: s.result = BitRow::op_xor(s.va, s.vb); break;
          default: break;
        }
        break;
      }
      case 2:  // sense: periphery inversion
        if (op.code == OpCode::Nand || op.code == OpCode::Nor || op.code == OpCode::Xnor)
          s.result = s.result.inverted();
        if (op.code == OpCode::Sub) s.vb = s.vb.inverted();
        break;
      case 3:  // adder stage 1 (low half of each word), shifter, popcount
        switch (op.code) {
          case OpCode::Add: s.s1 = BitRow::add_stage1(s.va, s.vb, false, lo_bits_); break;
          case OpCode::Sub: s.s1 = BitRow::add_stage1(s.va, s.vb, true, lo_bits_); break;
          case OpCode::Shl: s.result = s.va.shl(op.k); break;
          case OpCode::Shr: s.result = s.va.shr(op.k); break;
          case OpCode::Popcount:
            s.result = op.whole_row ? BitRow::from_uint(shape_.cols, shape_.word_bits, s.va.popcount())
                                    : s.va.popcount_words();
            break;
          case OpCode::FAdd:
          case OpCode::FSub:  // the carry latch is read and written here, in program order
            if (op.cin != kCinLatch) carry_.fill(op.cin != 0);
            s.result = s.va;
            s.result.assign_full_add(s.va, s.vb, carry_, op.code == OpCode::FSub);
            break;
          case OpCode::Carry: s.result = carry_; break;
          default: break;
        }
        break;
      case 4:  // adder stage 2 (high half with carries)
        if (uses_adder(op.code)) s.result = BitRow::add_stage2(s.va, s.vb, s.s1, lo_bits_);
        break;
      default: break;
    }
    stage_[st]->work(clk_, lat);
    if (st == 4 && op.dst != kOut && !op.pred) {  // a predicated result is known only at write-back
      s.fwd_ready = true;
      progress_.notify(SC_ZERO_TIME);
    }
    stage_[st]->send(clk_, *stage_[st + 1], id);
    stage_[st]->release();
  }
}

void CimMacro::writeback_thread() {
  const int st = kStages - 1;
  for (;;) {
    uint64_t id = stage_[st]->take();
    Slot& s = slots_[id % kSlots];
    const MicroOp& op = *s.op;
    stage_[st]->hold(id);
    stage_[st]->work(clk_, pp_.latency[st]);
    if (op.code == OpCode::Tag) {
      tag_ = s.va;  // the tag latch, in program order with the predicated writes that use it
    } else if (op.dst == kOut) {
      cur_->results.push_back({s.index, op.code, s.result});
    } else {
      const int d = shape_.slot(op.dst);
      if (op.pred) {
        array_[d].assign_where(tag_, s.result);
        if (energy_) energy_->charge_predicated_write(op, tag_.popcount());
      } else {
        array_[d] = s.result;
      }
      --pending_[d];
    }
    ++completed_;
    s.fwd_ready = false;
    s.id = UINT64_MAX;
    progress_.notify(SC_ZERO_TIME);
    stage_[st]->release();
  }
}

std::vector<ProgramStats> run_programs(const MacroShape& shape, const PipelineParams& pp,
                                       const std::vector<std::vector<MicroOp>>& programs, CimEnergy* energy,
                                       const std::string& trace_file, bool keep_array, uint64_t* total_cycles,
                                       const std::vector<Preload>* preloads) {
  CimMacro macro("cim", shape, pp, &programs, energy, keep_array, preloads);
  sc::simulate(trace_file, SC_PS, [&](sc_trace_file* tf) { macro.trace(tf); });
  if (total_cycles) *total_cycles = macro.total_cycles();
  return macro.stats();
}

}  // namespace tf::cim
