// Action counts of the digital CIM macro: which components each micro-op exercises, and how often.
// Documented in docs/cim.md ("Energy model").
#pragma once
#include <string>

#include "cim/digital/isa.h"
#include "core/ledger.h"

namespace tf::cim {

enum class CellType { T6, T8, T10 };
const char* cell_tech_type(CellType c);  // "sram10t_cell", ...

struct MacroShape {
  int rows = 256, cols = 256, word_bits = 16;
  CellType cell = CellType::T10;
  int accumulators = 0;  // periphery accumulator registers, each a row of cols flip-flops
  bool bit_serial = false;  // a carry latch and a tag latch per column (bit-serial ops, predicated writes)
  int dual_row = -1;        // two rows on one bitline at once (logic, fadd/fsub in one read): -1 = as the cell
  bool clock_gating = true;         // pipeline registers are clocked only when an op passes (else every cycle)
  double register_activity = 0.5;   // data toggles per pipeline-register bit written (the tables assume 0.5)
  // Logic and bit-serial ops on two rows evaluate in one bitline access: the 10T cell by default, any cell
  // with dual-row activation (macro.dual_row).
  bool dual_row_eval() const { return dual_row < 0 ? cell == CellType::T10 : dual_row != 0; }
  int storage_rows() const { return rows + accumulators; }  // array rows, then the accumulators
  int slot(int r) const { return r >= 0 ? r : rows + acc_index(r); }  // where row or accumulator R is kept
};

class CimEnergy {
 public:
  CimEnergy(Ledger& ledger, const MacroShape& shape);
  // Records every action of OP (tagged with its op type): one precomputed plan per op kind.
  void charge(const MicroOp& op) {
    const int c = (int)op.code;
    const int dk = op.dst == kOut ? kToOut : is_acc(op.dst) ? (op.pred ? kPredAcc : kToAcc) : (op.pred ? kPredRow : kToRow);
    L_.add(plan_[c][dk][op.whole_row][array_sources(op)], tag_[c]);
  }
  // The write of a predicated OP (charge() leaves it out): COLUMNS columns written (the tag latch's 1 bits).
  void charge_predicated_write(const MicroOp& op, uint64_t columns) {
    const int t = tag_[(int)op.code];
    if (is_acc(op.dst)) {
      L_.add(act_[kAccWriteBit], t, columns);
    } else {
      L_.add(act_[kWriteDriverDriveBit], t, columns);
      L_.add(act_[kArrayWriteBit], t, columns);
    }
  }
  // Without clock gating: the pipeline registers' clock edges in the cycles no op writes them (CYCLES of the
  // program, OPS ops of which ADDS carry into the adder's stage-2 register), at register.clock_bit each.
  void charge_idle_clock(uint64_t cycles, uint64_t ops, uint64_t adds);
  Ledger& ledger() { return L_; }

 private:
  // The ledger actions the macro charges ("component.action" in kActionNames).
  enum Action {
    kControllerOp,
    kRowDecoderAccess,
    kBitlinePrecharge,
    kArrayReadBit,
    kArrayWriteBit,
    kArrayLogicBit,
    kSenseAmpSense,
    kWriteDriverDriveBit,
    kAdderAddBit,
    kPopcountAddBit,
    kShifterOpBit,
    kLogicOpBit,
    kPipelineRegsWriteBit,
    kOutLatchWriteBit,
    kAccWriteBit,
    kLatchWriteBit,
    kNumActions
  };
  static const char* const kActionNames[kNumActions];

  // Where an op writes: a row, the output latch, an accumulator, or (predicated) the tag-selected columns of
  // a row or an accumulator, charged by charge_predicated_write().
  enum Dest { kToRow, kToOut, kToAcc, kPredRow, kPredAcc, kNumDest };
  // The actions one micro-op of CODE costs: writing to DEST, counting a whole row or per word (popcount),
  // with ROW_SRCS of its sources read from the array (the others from accumulators).
  ChargePlan plan(OpCode code, Dest dest, bool whole_row, int row_srcs) const;

  Ledger& L_;
  MacroShape s_;
  int tag_[kNumOpCodes];
  ChargePlan plan_[kNumOpCodes][kNumDest][2][3];
  int act_[kNumActions];  // ledger action ids (-1: not bound)
  int clock_act_ = -1, clock_tag_ = -1;  // register.clock_bit of idle cycles (clock gating off)
  uint64_t C_, K_, shifter_levels_, pc_word_fa_, pc_row_fa_;
  bool t10_ = false;
};

}  // namespace tf::cim
