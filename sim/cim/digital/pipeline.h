// The digital macro's pipeline as the mapper and the config see it (no SystemC here): six stages, their
// latencies, forwarding, the clock.
#pragma once
#include <array>

namespace tf::cim {

constexpr int kStages = 6;
extern const char* const kStageNames[kStages];

struct PipelineParams {
  std::array<int, kStages> latency{{1, 1, 1, 1, 1, 1}};  // cycles per stage
  bool forwarding = false;
  double freq_MHz = 200;
};

}  // namespace tf::cim
