// run_point: the one way to evaluate a design point. Config file and overrides -> validation -> the model's
// run -> the run record (config.effective.json, stats.json, summary.csv, run.log, the model's outputs), all
// written under a temporary directory and renamed into place at the end. `tinyforge sim`, the sweep worker and
// tests call it.
#pragma once
#include <string>
#include <vector>

#include "core/registry.h"

namespace tf {

struct RunRequest {
  std::string config_file;        // "" = the model's bundled default config (or its declared defaults)
  std::vector<std::string> sets;  // "PATH=VALUE" overrides, applied in order
  std::vector<std::string> set_origins;  // per override, where it came from ("--set" when absent)
  std::string out_dir;            // "" = runs/MODEL-HASH of the effective config
  std::string trace_file;         // "" = no waveform
  bool quiet = false;             // the caller prints nothing but the stats JSON
  std::string command_line;       // recorded in run.log
};

struct RunResult {
  json stats;
  std::string dir;          // the committed run record
  std::string config_file;  // the config file used ("" = declared defaults)
};

// The config file a request resolves to: REQ.config_file, else the model's bundled default if it exists.
std::string resolve_config_file(const Model& model, const std::string& config_file);

// Evaluates one design point of MODEL. Bad input throws InputError before anything is written; a model whose
// stats hold an undeclared metric is a bug (std::logic_error) and leaves no run record.
RunResult run_point(Model& model, const RunRequest& req);

}  // namespace tf
