// Design-space sweeps, 2/3: running the points and writing the results.
//
// Each point runs as its own child process (`tinyforge sim MODEL ...`: SystemC elaborates once per process, and
// a crash or hang of one point never takes the sweep down), at most JOBS at a time, each with a time limit.
// Its run record goes to DIR/points/HASH/ (HASH: the effective config's; identical configs run once). A
// point's completion is recorded after its record is in place, as one line of DIR/journal.jsonl flushed with
// fsync; --resume skips what the journal says finished and redoes the rest.
#pragma once
#include <string>
#include <vector>

#include "sweep/spec.h"

namespace tf::sweep {

struct EngineOptions {
  std::string out_dir;
  int jobs = 2;
  double timeout_s = 600;
  bool resume = false;
  std::string self_exe;  // the tinyforge binary the children run
  // Shard SHARD of SHARDS (a Slurm array task): runs every SHARDS-th distinct config, from the SHARD-th on, and
  // records them in its own journal (journal.shard-I-of-N.jsonl); outputs are written by merge.
  int shard = 0, shards = 1;
  bool merge = false;  // run nothing: collect every journal in the directory and write the outputs
};

struct Result {
  size_t index = 0;  // point index in the enumeration
  std::string hash;
  std::string status;  // ok, invalid, failed, timeout; missing (merge: no shard ran it)
  double wall_s = 0;
  json stats;           // ok: the point's stats.json
  std::string message;  // invalid: the validation messages; failed: exit code or signal and the last stderr lines
};

// Runs every prepared point; writes DIR/results.csv, results.json, pareto.csv and manifest.json. Progress on
// stderr. SPEC_TEXT is the spec as given (recorded in the manifest; --resume requires the same).
std::vector<Result> run_sweep(const SweepSpec& spec, const std::string& spec_text, const Model& model,
                              const std::vector<Prepared>& points, const EngineOptions& opt);

// The Pareto points of a finished sweep in DIR as a table for the terminal: point, axis values, objectives.
// Throws InputError when DIR holds no finished sweep.
std::string pareto_report(const std::string& dir);

// Indices of the non-dominated rows of OBJ (each row: one value per objective, to minimise where DIR says
// Lower and maximise where Higher). Equal rows do not dominate each other (ties are kept); the result is in
// input order.
std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& obj, const std::vector<Better>& dir);

}  // namespace tf::sweep
