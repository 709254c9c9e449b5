// Verilog emitter: every layer the template library has, dense and conv at any valid reuse factor. Writes
// DIR/rtl/: one module per layer, <top>_top.v with a valid/ready handshake, the building blocks from
// rtl/lib/, a Verilator test bench (<top>_tb.cpp, verify.sh) and tb_data/ with raw input codes and the
// emulator's raw expected output codes.
#pragma once
#include <string>
#include <vector>

#include "model.h"

namespace tf::hlsgen {

struct RtlProject {
  std::string dir, top;
  int latency = 0;       // cycles from an accepted input to its output
  int ii = 1;            // cycles between accepted inputs (the largest reuse factor)
  long multipliers = 0;  // multiplications in the datapath (R = 1: nonzero constant weights; R > 1: ceil(terms / R))
  struct Layer {
    std::string module;
    long multipliers = 0;  // as emitted
    long bound = 0;        // ceil(products / R): the fewest multipliers that can do the layer's work at II = R
  };
  std::vector<Layer> layers;
};

// Throws InputError naming the first layer the emitter cannot generate yet.
void check_rtl_support(const Model& m);

// PIPELINE_K > 0 registers every K levels of each dense/conv adder tree (more latency, less logic depth);
// 0 = one combinational stage per layer.
RtlProject emit_rtl_project(const Model& m, const std::string& out_dir, const std::vector<std::vector<double>>& inputs,
                            const std::string& rtl_lib_dir, int pipeline_k = 0);

}  // namespace tf::hlsgen
