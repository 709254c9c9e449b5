// Costing generated RTL with yosys 0.23: synth_xilinx -family xc7 or synth_ice40, cell counts in total and
// per layer (stat -top), logic depth (netlist_depth.h, on the flattened JSON netlist). Writes DIR/report.json
// and DIR/report.md.
#pragma once
#include <functional>
#include <string>

#include "core/util.h"
#include "emit_rtl.h"
#include "model.h"

namespace tf::hlsgen {

// TARGET: "xc7" or "ice40". Returns the report (also written to OUT_DIR/report.json and report.md).
// PROGRESS, when given, is called every 15 s while yosys runs with a line such as
// "yosys: 45 s, pass: ABC: netlist optimization".
// Throws InputError when OUT_DIR holds a report.json or report.md that synthesize() did not write (a user's
// own file of that name is never overwritten). Called before anything is written.
void check_report_targets(const std::string& out_dir);

json synthesize(const Model& m, const RtlProject& rtl, const std::string& target, const std::string& out_dir,
                const std::function<void(const std::string&)>& progress = {});

}  // namespace tf::hlsgen
