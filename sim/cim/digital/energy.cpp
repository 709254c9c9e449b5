#include "cim/digital/energy.h"

#include <cmath>
#include <stdexcept>

#include "core/diagnostics.h"

namespace tf::cim {

const char* cell_tech_type(CellType c) {
  switch (c) {
    case CellType::T6: return "sram6t_cell";
    case CellType::T8: return "sram8t_cell";
    case CellType::T10: return "sram10t_cell";
  }
  return "?";
}

const char* const CimEnergy::kActionNames[CimEnergy::kNumActions] = {
    "controller.op",   "row_decoder.access", "bitline.precharge",       "array.read_bit",      "array.write_bit",
    "array.logic_bit", "sense_amp.sense",    "write_driver.drive_bit",  "adder.add_bit",       "popcount.add_bit",
    "shifter.op_bit",  "logic.op_bit",       "pipeline_regs.write_bit", "out_latch.write_bit", "accumulators.write_bit", "latches.write_bit",
};

static uint64_t clog2(uint64_t n) {
  uint64_t b = 0;
  while ((1ULL << b) < n) ++b;
  return b;
}

// Energy of a pipeline-register write at data activity A, relative to the table's write_bit (which assumes
// 0.5): clock_bit + 2A (write_bit - clock_bit). Exactly 1 at A = 0.5, where clock_bit is not needed.
static double pipeline_register_scale(Ledger& L, const MacroShape& s) {
  if (s.register_activity == 0.5) return 1.0;
  const TechTable& t = L.tech();
  auto it = t.components.find("register");
  if (it == t.components.end() || !it->second.actions.count("clock_bit") || !it->second.actions.count("write_bit"))
    throw InputError(t.file + ": components.register.actions: got no " +
                     (it == t.components.end() ? std::string("register component") :
                      !it->second.actions.count("clock_bit") ? std::string("clock_bit") : std::string("write_bit")) +
                     "; expected write_bit and clock_bit (the clock-only energy of a flip-flop bit), needed by "
                     "pipeline.register_activity != 0.5");
  const double w = it->second.actions.at("write_bit").energy_pJ, c = it->second.actions.at("clock_bit").energy_pJ;
  return w > 0 ? (c + 2 * s.register_activity * (w - c)) / w : 1.0;
}

void CimEnergy::charge_idle_clock(uint64_t cycles, uint64_t ops, uint64_t adds) {
  if (clock_act_ < 0) return;
  const uint64_t idle = cycles > ops ? cycles - ops : 0, idle_carry = cycles > adds ? cycles - adds : 0;
  L_.add(clock_act_, clock_tag_, 3 * C_ * idle + K_ * idle_carry);
}

CimEnergy::CimEnergy(Ledger& L, const MacroShape& s) : L_(L), s_(s) {
  C_ = (uint64_t)s.cols;
  K_ = (uint64_t)(s.cols / s.word_bits);
  shifter_levels_ = std::max<uint64_t>(1, clog2((uint64_t)s.word_bits + 1));
  pc_word_fa_ = K_ * (uint64_t)(s.word_bits - 1);  // a W-input popcount tree ~ W-1 full adders
  pc_row_fa_ = (K_ - 1) * (clog2(C_ + 1));         // adding K word counts of up to log2(C)+1 bits
  const double R = s.rows, Cd = s.cols;
  const bool t10 = s.cell == CellType::T10;
  t10_ = t10;
  std::vector<std::string> actions;  // in the order reports list them
  for (int a = 0; a < kNumActions; ++a)
    if ((a != kArrayLogicBit || t10) && (a != kAccWriteBit || s.accumulators > 0) &&
        (a != kLatchWriteBit || s.bit_serial))
      actions.push_back(kActionNames[a]);  // dual-row logic on the bitlines: 10T; accumulators, latches if any
  // The write-driver energy in the tech tables includes the write-bitline swing of a 256-row column.
  std::vector<ComponentSpec> parts = {{"array", cell_tech_type(s.cell), R * Cd},
                     {"bitline", "bitline", Cd, R / 256.0},
                     {"sense_amp", "sense_amp", Cd},
                     {"write_driver", "write_driver", Cd, R / 256.0},
                     {"row_decoder", "row_decoder", 1},
                     {"adder", "full_adder", Cd},
                     {"popcount", "full_adder", (double)(pc_word_fa_ + pc_row_fa_)},
                     {"shifter", "mux2", Cd * (double)shifter_levels_},
                     {"logic", "logic_gate", Cd},
                     {"pipeline_regs", "register", 3 * Cd + (double)K_, pipeline_register_scale(L, s)},
                     {"out_latch", "register", Cd},
                     {"controller", "controller", 1}};
  if (s.accumulators > 0) parts.push_back({"accumulators", "register", Cd * s.accumulators});
  if (s.bit_serial) parts.push_back({"latches", "register", 2 * Cd});  // carry and tag, per column
  auto ids = L.bind(parts, actions);
  if (!s.clock_gating) {  // the same flip-flops, clocked in idle cycles too: no area or leakage of their own
    clock_act_ = L.action(L.component("pipeline_clock", "register", 0), "clock_bit");
    clock_tag_ = L.tag("idle clock");
  }
  for (int a = 0; a < kNumActions; ++a) {
    auto it = ids.find(kActionNames[a]);
    act_[a] = it == ids.end() ? -1 : it->second;  // array.logic_bit: 10T only
  }
  for (int i = 0; i < kNumOpCodes; ++i) {
    tag_[i] = L.tag(op_name((OpCode)i));
    const bool latch_op = is_bit_serial((OpCode)i) || (OpCode)i == OpCode::Carry || (OpCode)i == OpCode::Tag;
    if (latch_op && !s.bit_serial) continue;  // the op does not exist on this macro (the parser refuses it)
    for (int dest = 0; dest < kNumDest; ++dest) {
      if ((dest == kToAcc || dest == kPredAcc) && s.accumulators == 0) continue;  // never a destination
      if ((dest == kPredRow || dest == kPredAcc) && !s.bit_serial) continue;     // no tag latch
      for (int whole = 0; whole < 2; ++whole)
        for (int rs = 0; rs <= num_sources((OpCode)i); ++rs)
          plan_[i][dest][whole][rs] = plan((OpCode)i, (Dest)dest, whole, rs);
    }
  }
}

ChargePlan CimEnergy::plan(OpCode code, Dest dest, bool whole_row, int row_srcs) const {
  ChargePlan p;
  p.reserve(12);
  auto add = [&](Action a, uint64_t count) {
    if (act_[a] < 0) throw std::logic_error(std::string("cim energy: action ") + kActionNames[a] + " is not bound");
    p.push_back({act_[a], count});
  };
  add(kControllerOp, 1);
  const int srcs = num_sources(code);
  add(kRowDecoderAccess, (uint64_t)row_srcs + (dest == kToRow || dest == kPredRow ? 1 : 0));  // rows activated
  // An accumulator source costs no array access: its flip-flops drive the operand bus (their switching is
  // charged when they are written).
  const bool dual_row_eval = dual_row_op(code) && s_.dual_row_eval();
  if (row_srcs == 1) {
    add(kBitlinePrecharge, C_);
    add(kArrayReadBit, C_);
    add(kSenseAmpSense, C_);
    if (srcs == 2 && is_logic(code)) add(kLogicOpBit, C_);  // row with accumulator: the gate is in the periphery
  } else if (row_srcs == 2) {
    if (dual_row_eval && t10_) {
      // Both rows on one bitline pair: the bitlines evaluate the logic function directly (for fadd/fsub, AND
      // on one bitline and NOR on its complement, from which the full adder takes its inputs).
      add(kBitlinePrecharge, C_);
      add(kArrayLogicBit, C_);
      add(kSenseAmpSense, C_);
    } else if (dual_row_eval) {
      // Dual-row activation of another cell: two wordlines on one bitline, one precharge and one sense; the
      // function is completed by a periphery gate.
      add(kBitlinePrecharge, C_);
      add(kArrayReadBit, 2 * C_);
      add(kSenseAmpSense, C_);
      if (is_logic(code)) add(kLogicOpBit, C_);
    } else {
      // Two operand values: two read ports (10T, concurrent) or two sequential reads (6T/8T).
      add(kBitlinePrecharge, 2 * C_);
      add(kArrayReadBit, 2 * C_);
      add(kSenseAmpSense, 2 * C_);
      if (is_logic(code)) add(kLogicOpBit, C_);  // 6T/8T: the logic gate is in the periphery
    }
  } else if (srcs == 2 && is_logic(code)) {
    add(kLogicOpBit, C_);  // two accumulators
  }
  switch (code) {
    case OpCode::Nand:
    case OpCode::Nor:
    case OpCode::Xnor: add(kLogicOpBit, C_); break;           // inversion after sensing
    case OpCode::Sub: add(kLogicOpBit, C_); [[fallthrough]];  // invert B, carry-in 1
    case OpCode::Add:
      add(kAdderAddBit, C_);
      add(kPipelineRegsWriteBit, K_);  // carries between the two adder stages
      break;
    case OpCode::Shl:
    case OpCode::Shr: add(kShifterOpBit, C_ * shifter_levels_); break;
    case OpCode::Popcount: add(kPopcountAddBit, pc_word_fa_ + (whole_row ? pc_row_fa_ : 0)); break;
    case OpCode::FSub: add(kLogicOpBit, C_); [[fallthrough]];  // invert B
    case OpCode::FAdd:
      add(kAdderAddBit, C_);    // each column's 1-bit full adder
      add(kLatchWriteBit, C_);  // the carry latch
      break;
    case OpCode::Tag: add(kLatchWriteBit, C_); break;  // the tag latch
    default: break;
  }
  add(kPipelineRegsWriteBit, 3 * C_);  // data through the sense/adder1/adder2 pipeline registers
  if (code == OpCode::Tag || dest == kPredRow || dest == kPredAcc) {
    // tag: no destination; predicated: the write is charged per written column (charge_predicated_write)
  } else if (dest == kToOut) {
    add(kOutLatchWriteBit, C_);
  } else if (dest == kToAcc) {
    add(kAccWriteBit, C_);
  } else {
    add(kWriteDriverDriveBit, C_);
    add(kArrayWriteBit, C_);
  }
  return p;
}

}  // namespace tf::cim
