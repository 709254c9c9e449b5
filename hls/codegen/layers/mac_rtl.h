// The Verilog datapath of the multiply-accumulate layers (dense, conv1d, conv2d): each output is a bias plus
// a sum of products of inputs and constant weights, as dense.h / conv.h compute it.
#pragma once
#include <utility>
#include <vector>

#include "layer_kind.h"

namespace tf::hlsgen {

// One output of a dense or conv layer: its bias and its (input index, weight code) terms.
struct MacOut {
  i128 bias;
  std::vector<std::pair<int, i128>> terms;
};

// The module body of a layer computing OUTS: at reuse factor 1 a carry-save tree per output (--pipeline K
// adds registers), at R > 1 ceil(products / R) multipliers time-multiplexed over R phases. Reports the
// stages, the valid handshake and the multipliers in LAY.
void emit_mac_rtl(RtlLayer& lay, const std::vector<MacOut>& outs);

}  // namespace tf::hlsgen
