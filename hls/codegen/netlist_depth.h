// Logic depth of a technology-mapped netlist (yosys write_json): the longest chain of cells between registers,
// counting every combinational cell on the chain once, as yosys `ltp` does, but with registers where the FPGA
// has them: flip-flops, block RAMs, shift registers, and the internal pipeline registers of DSP blocks
// (DSP48E1 AREG/BREG/CREG/DREG/MREG/PREG; SB_MAC16 input, product and output registers). Clock pins are not
// data paths.
#pragma once
#include <string>
#include <vector>

#include "core/util.h"

namespace tf::hlsgen {

struct DepthResult {
  long depth = 0;                  // cells on the longest register-to-register (or port) path
  std::vector<std::string> path;   // the cell types along it, from start to end
  std::vector<std::string> cells;  // their names
};

// MODULE: one module object of yosys's JSON netlist (flattened); Xilinx 7-series and iCE40 cell libraries.
DepthResult netlist_depth(const json& module);

// "DSP48E1 > 9 x LUT > 8 x CARRY4": the path with runs of equal cell types counted.
std::string describe_path(const std::vector<std::string>& path);

}  // namespace tf::hlsgen
