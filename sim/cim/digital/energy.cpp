#include "cim/digital/energy.h"

#include <cmath>

namespace tf::cim {

const char* cell_tech_type(CellType c) {
  switch (c) {
    case CellType::T6: return "sram6t_cell";
    case CellType::T8: return "sram8t_cell";
    case CellType::T10: return "sram10t_cell";
  }
  return "?";
}

static uint64_t clog2(uint64_t n) {
  uint64_t b = 0;
  while ((1ULL << b) < n) ++b;
  return b;
}

CimEnergy::CimEnergy(Ledger& L, const MacroShape& s) : L_(L), s_(s) {
  C_ = (uint64_t)s.cols;
  K_ = (uint64_t)(s.cols / s.word_bits);
  shifter_levels_ = std::max<uint64_t>(1, clog2((uint64_t)s.word_bits + 1));
  pc_word_fa_ = K_ * (uint64_t)(s.word_bits - 1);            // a W-input popcount tree ~ W-1 full adders
  pc_row_fa_ = (K_ - 1) * (clog2(C_ + 1));                    // adding K word counts of up to log2(C)+1 bits
  double R = s.rows, Cd = s.cols;
  int array = L.component("array", cell_tech_type(s.cell), R * Cd);
  int bitline = L.component("bitline", "bitline", Cd, R / 256.0);
  int sa = L.component("sense_amp", "sense_amp", Cd);
  // The write-driver energy in the tech tables includes the write-bitline swing of a 256-row column.
  int wd = L.component("write_driver", "write_driver", Cd, R / 256.0);
  int dec = L.component("row_decoder", "row_decoder", 1);
  int adder = L.component("adder", "full_adder", Cd);
  int pc = L.component("popcount", "full_adder", (double)(pc_word_fa_ + pc_row_fa_));
  int sh = L.component("shifter", "mux2", Cd * (double)shifter_levels_);
  int logic = L.component("logic", "logic_gate", Cd);
  int regs = L.component("pipeline_regs", "register", 3 * Cd + (double)K_);
  int latch = L.component("out_latch", "register", Cd);
  int ctrl = L.component("controller", "controller", 1);
  ctrl_op_ = L.action(ctrl, "op");
  dec_access_ = L.action(dec, "access");
  bl_pre_ = L.action(bitline, "precharge");
  cell_read_ = L.action(array, "read_bit");
  cell_write_ = L.action(array, "write_bit");
  cell_logic_ = s.cell == CellType::T10 ? L.action(array, "logic_bit") : -1;
  sa_sense_ = L.action(sa, "sense");
  wd_drive_ = L.action(wd, "drive_bit");
  fa_add_ = L.action(adder, "add_bit");
  pc_add_ = L.action(pc, "add_bit");
  mux_op_ = L.action(sh, "op_bit");
  gate_op_ = L.action(logic, "op_bit");
  reg_write_ = L.action(regs, "write_bit");
  latch_write_ = L.action(latch, "write_bit");
  for (int i = 0; i < kNumOpCodes; ++i) tag_[i] = L.tag(op_name((OpCode)i));
}

void CimEnergy::charge(const MicroOp& op) {
  int t = tag_[(int)op.code];
  L_.add(ctrl_op_, t, 1);
  int srcs = num_sources(op.code);
  uint64_t rows_activated = (uint64_t)srcs + (op.dst != kOut ? 1 : 0);
  L_.add(dec_access_, t, rows_activated);
  if (srcs == 1) {
    L_.add(bl_pre_, t, C_);
    L_.add(cell_read_, t, C_);
    L_.add(sa_sense_, t, C_);
  } else if (srcs == 2) {
    if (is_logic(op.code) && s_.cell == CellType::T10) {
      // Both rows on one bitline pair: the bitlines evaluate the logic function directly.
      L_.add(bl_pre_, t, C_);
      L_.add(cell_logic_, t, C_);
      L_.add(sa_sense_, t, C_);
    } else {
      // Two operand values: two read ports (10T, concurrent) or two sequential reads (6T/8T).
      L_.add(bl_pre_, t, 2 * C_);
      L_.add(cell_read_, t, 2 * C_);
      L_.add(sa_sense_, t, 2 * C_);
      if (is_logic(op.code)) L_.add(gate_op_, t, C_);  // 6T/8T: the logic gate is in the periphery
    }
  }
  switch (op.code) {
    case OpCode::Nand:
    case OpCode::Nor:
    case OpCode::Xnor: L_.add(gate_op_, t, C_); break;  // inversion after sensing
    case OpCode::Sub: L_.add(gate_op_, t, C_); [[fallthrough]];  // invert B, carry-in 1
    case OpCode::Add:
      L_.add(fa_add_, t, C_);
      L_.add(reg_write_, t, K_);  // carries between the two adder stages
      break;
    case OpCode::Shl:
    case OpCode::Shr: L_.add(mux_op_, t, C_ * shifter_levels_); break;
    case OpCode::Popcount: L_.add(pc_add_, t, pc_word_fa_ + (op.whole_row ? pc_row_fa_ : 0)); break;
    default: break;
  }
  L_.add(reg_write_, t, 3 * C_);  // data through the sense/adder1/adder2 pipeline registers
  if (op.dst == kOut) {
    L_.add(latch_write_, t, C_);
  } else {
    L_.add(wd_drive_, t, C_);
    L_.add(cell_write_, t, C_);
  }
}

}  // namespace tf::cim
