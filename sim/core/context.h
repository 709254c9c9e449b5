// What a model's run() gets: the validated config, the run record being written, and the run options.
#pragma once
#include <cstdint>
#include <string>

#include "core/params.h"
#include "core/rundir.h"

namespace tf {

struct RunContext {
  const Config& config;
  RunDir& out;
  std::string trace_file;  // "" = no waveform
  bool quiet = false;      // --json: nothing but the stats JSON on stdout
  void log(const std::string& line) { out.log(line); }
};

}  // namespace tf
