// The digital macro's pipeline as the mapper, the config and the evaluators see it (no SystemC here): six
// stages, their latencies, forwarding, the clock, and what running a program reports.
#pragma once
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "cim/digital/isa.h"

namespace tf::cim {

constexpr int kStages = 6;
extern const char* const kStageNames[kStages];

struct PipelineParams {
  std::array<int, kStages> latency{{1, 1, 1, 1, 1, 1}};  // cycles per stage
  bool forwarding = false;
  double freq_MHz = 200;
};

// Rows (or accumulators) holding data before a program starts, as a memory holds its data: no write op, no
// energy, no cycles. Every other row starts at zero.
using Preload = std::vector<std::pair<int, BitRow>>;

struct OpResult {
  size_t index;  // op index in its program
  OpCode code;
  BitRow value;
};

struct ProgramStats {
  uint64_t cycles = 0;               // first decode to last write-back
  uint64_t stall_cycles = 0;         // decode waiting on data hazards
  uint64_t backpressure_cycles = 0;  // decode waiting for the bitline stage to accept
  uint64_t ops = 0;
  std::array<uint64_t, kStages> busy{};  // cycles each stage spent working
  std::array<uint64_t, kNumOpCodes> by_type{};
  std::vector<OpResult> results;    // ops whose destination is the output latch, in program order
  std::vector<BitRow> final_array;  // only if keep_array
};

}  // namespace tf::cim
