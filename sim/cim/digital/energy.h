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
};

class CimEnergy {
 public:
  CimEnergy(Ledger& ledger, const MacroShape& shape);
  // Records every action of OP (tagged with its op type): one precomputed plan per op kind.
  void charge(const MicroOp& op) {
    const int c = (int)op.code;
    L_.add(plan_[c][op.dst == kOut][op.whole_row], tag_[c]);
  }
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
    kNumActions
  };
  static const char* const kActionNames[kNumActions];

  // The actions one micro-op of CODE costs, writing to the output latch (TO_OUT) or a row, counting a whole
  // row or per word (popcount).
  ChargePlan plan(OpCode code, bool to_out, bool whole_row) const;

  Ledger& L_;
  MacroShape s_;
  int tag_[kNumOpCodes];
  ChargePlan plan_[kNumOpCodes][2][2];
  int act_[kNumActions];  // ledger action ids (-1: not bound)
  uint64_t C_, K_, shifter_levels_, pc_word_fa_, pc_row_fa_;
};

}  // namespace tf::cim
