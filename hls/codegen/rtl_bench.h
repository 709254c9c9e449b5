// The test benches of a generated Verilog design: Verilator (C++, random back-pressure, per-layer diagnosis
// of a mismatch) and Icarus Verilog, with their scripts verify.sh and verify_iverilog.sh.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "emit_rtl.h"
#include "model.h"

namespace tf::hlsgen {

// The Verilator and Icarus Verilog test benches and their scripts (verify.sh, verify_iverilog.sh) for the
// design in ROOT (FILES: its Verilog sources): N_VECTORS vectors of N_IN inputs and N_OUT outputs of OUT_W
// bits; per layer, the cycle its output register holds an accepted vector (CUM_LAT), its element count and
// width (LAYER_N, LAYER_W).
void write_benches(const std::filesystem::path& root, const RtlProject& P, const Model& m, size_t n_vectors, int n_in,
                   int n_out, int out_w, const std::vector<int>& cum_lat, const std::vector<int>& layer_n,
                   const std::vector<int>& layer_w, const std::vector<std::string>& files);

}  // namespace tf::hlsgen
