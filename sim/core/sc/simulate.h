// Shared SystemC pieces, 3/3: run an elaborated model to the end, with an optional VCD waveform.
#pragma once
#include <functional>
#include <string>

#include <systemc>

namespace tf::sc {

// Opens a VCD at TRACE_FILE ("" = no waveform; a trailing .vcd is not doubled) with time unit UNIT, lets
// ADD_SIGNALS register what to trace, runs sc_start() until no event is left, and closes the file.
void simulate(const std::string& trace_file, sc_core::sc_time_unit unit,
              const std::function<void(sc_core::sc_trace_file*)>& add_signals);

}  // namespace tf::sc
