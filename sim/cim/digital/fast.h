// The digital macro evaluated in plain C++ (no SystemC): the same in-order six-stage pipeline as the SystemC
// model (cim/digital/macro.h), written as a recurrence over the cycle each op enters and leaves each stage,
// and the same bit array, computed op by op in program order. It reports the same ProgramStats (cycles,
// stalls, back-pressure, busy cycles per stage, ops by type, the results read out) and charges the energy
// ledger with the same actions as the SystemC model, for `tinyforge sweep --engine fast`.
//
// Why program order gives the SystemC model's values: an op reads its source rows in the bitline stage after
// every earlier writer of those rows has written back (or, with forwarding, handed over its result), and a
// later writer writes back only after that read, since the pipeline is in order.
//
// Thread-safe: no shared mutable state; each call works on its own array.
#pragma once
#include <cstdint>
#include <vector>

#include "cim/digital/energy.h"
#include "cim/digital/isa.h"
#include "cim/digital/pipeline.h"

namespace tf::cim {

// Runs PROGRAM on an all-zero array with an empty pipeline. ENERGY (may be null) is charged per op in program
// order, as the SystemC decode stage does when it issues an op. KEEP_ARRAY fills final_array.
// PRELOAD (may be null): the rows holding data when it starts.
ProgramStats run_program_fast(const MacroShape& shape, const PipelineParams& pp, const std::vector<MicroOp>& program,
                              CimEnergy* energy, bool keep_array = false, const Preload* preload = nullptr);

// As run_programs() (cim/digital/macro.h): PROGRAMS one after another, each on an all-zero array; TOTAL_CYCLES
// (may be null) = cycles from the first decode to the last write-back of the last program.
std::vector<ProgramStats> run_programs_fast(const MacroShape& shape, const PipelineParams& pp,
                                            const std::vector<std::vector<MicroOp>>& programs, CimEnergy* energy,
                                            bool keep_array, uint64_t* total_cycles,
                                            const std::vector<Preload>* preloads = nullptr);

}  // namespace tf::cim
