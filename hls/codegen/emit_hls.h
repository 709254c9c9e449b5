// The HLS C++ project emitter: DIR/hls/ with firmware/ (top function, parameters.h, weights/, a copy of
// the layer library), a C++ test bench, tb_data/ (inputs and bit-exact expected outputs from the emulator)
// and build_prj.tcl for a vendor HLS tool.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "model.h"
#include "staged_dir.h"

namespace tf::hlsgen {

struct HlsProject {
  std::string dir;       // DIR/hls
  std::string top;       // top function name
  std::string test_src;  // the test bench source
  std::vector<std::string> files;
};

// Writes the project for M into DIR/hls (DIR must exist), with the test vectors TV (may be empty: then
// seeded random inputs are used; a sequential model's are sequences). LIB_DIR is hls/include of the
// tinyforge sources (copied in). A sequential model's top function takes a third argument, reset (true with
// the first frame of a sequence), and its test bench reads tb_data/tb_reset.dat (one 0 or 1 per frame).
HlsProject emit_hls_project(const Model& m, const std::string& dir, const TestVectors& tv, const std::string& lib_dir);

// A double as a C++ literal that reads back exactly ("%.17g").
std::string num(double v);

}  // namespace tf::hlsgen
