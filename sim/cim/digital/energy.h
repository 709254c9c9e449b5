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
  // Records every action of OP (tagged with its op type).
  void charge(const MicroOp& op);
  Ledger& ledger() { return L_; }

 private:
  Ledger& L_;
  MacroShape s_;
  int tag_[kNumOpCodes];
  int ctrl_op_, dec_access_, bl_pre_, cell_read_, cell_write_, cell_logic_, sa_sense_, wd_drive_, fa_add_, pc_add_,
      mux_op_, gate_op_, reg_write_, latch_write_;
  uint64_t C_, K_, shifter_levels_, pc_word_fa_, pc_row_fa_;
};

}  // namespace tf::cim
