// SystemC model of the all-digital reconfigurable SRAM CIM macro (cycle-approximate).
//
// Six in-order pipeline stages, each an SC_THREAD connected by capacity-1 sc_fifos (a stage holds one op
// while it works and while the next stage is busy: back-pressure): decode -> bitline -> sense -> adder
// stage 1 -> adder stage 2 -> write-back. Every op passes every stage; a stage takes its configured number of
// cycles (bitline: twice that for a two-operand op on a 6T/8T array, which reads the rows one after the
// other). Decode holds an op whose source row has a pending write from an earlier op until that write-back
// has finished (or, with forwarding, until the producer has left adder stage 2: the operand is then taken
// from the forwarding path). The model computes on the real bit array: bitline stage reads rows and
// evaluates and/or/xor; sense inverts for nand/nor/xnor; adder stage 1 adds the low half of every word, stage 2
// the high half with the carries (sub = a + ~b + 1), shifts and popcounts happen in stage 1; write-back
// writes the row or the output latch.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "cim/digital/energy.h"
#include "cim/digital/isa.h"
#include "cim/digital/pipeline.h"
#include "core/sc/clock.h"
#include "core/sc/stage.h"

namespace tf::cim {

SC_MODULE(CimMacro) {
 public:
  // PROGRAMS run one after another; each starts on an all-zero array with an empty pipeline.
  // PRELOADS (may be null): per program, the rows holding data when it starts.
  CimMacro(sc_core::sc_module_name name, const MacroShape& shape, const PipelineParams& pp,
           const std::vector<std::vector<MicroOp>>* programs, CimEnergy* energy, bool keep_array,
           const std::vector<Preload>* preloads = nullptr);
  SC_HAS_PROCESS(CimMacro);

  const std::vector<ProgramStats>& stats() const { return stats_; }
  uint64_t total_cycles() const { return total_cycles_; }
  void trace(sc_core::sc_trace_file * tf);

 private:
  struct Slot {
    uint64_t id = UINT64_MAX;
    const MicroOp* op = nullptr;
    size_t index = 0;
    uint64_t src_writer[2] = {UINT64_MAX, UINT64_MAX};  // in-flight producer of each source at issue
    BitRow va, vb, result;
    AddStage1 s1;
    bool fwd_ready = false;
  };
  static constexpr int kSlots = 32;

  void decode_thread();
  void stage_thread(int s);
  void writeback_thread();
  bool hazard(const MicroOp& op) const;
  const BitRow& operand(int row, uint64_t producer) const;

  MacroShape shape_;
  PipelineParams pp_;
  const std::vector<std::vector<MicroOp>>* programs_;
  const std::vector<Preload>* preloads_;
  CimEnergy* energy_;
  bool keep_array_;
  sc::Clock clk_;
  std::vector<BitRow> array_;
  BitRow carry_, tag_;  // the per-column latches (bit-serial periphery)
  std::vector<uint32_t> pending_;      // in-flight writes per row
  std::vector<uint64_t> last_writer_;  // op id of the latest issued writer per row
  std::array<Slot, kSlots> slots_;
  std::array<std::unique_ptr<sc::PipelineStage>, kStages> stage_;  // decode feeds itself; the rest by fifo
  sc_core::sc_event progress_;  // a write-back completed or a result became forwardable
  uint64_t completed_ = 0;
  std::vector<ProgramStats> stats_;
  ProgramStats* cur_ = nullptr;
  uint64_t total_cycles_ = 0;
  int lo_bits_;
  bool tracing_ = false;
  sc_core::sc_signal<bool> sig_stall_;
};

// Elaborates one CimMacro, runs PROGRAMS, returns per-program stats. Call once per process (SystemC
// elaborates once). TRACE_FILE: VCD path or "".
// PRELOADS (may be null): per program, the rows holding data when it starts.
std::vector<ProgramStats> run_programs(const MacroShape& shape, const PipelineParams& pp,
                                       const std::vector<std::vector<MicroOp>>& programs, CimEnergy* energy,
                                       const std::string& trace_file, bool keep_array, uint64_t* total_cycles,
                                       const std::vector<Preload>* preloads = nullptr);

}  // namespace tf::cim
