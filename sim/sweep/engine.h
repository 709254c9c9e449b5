// Design-space sweeps, 2/3: running the points and writing the results.
//
// Each point runs as its own child process (`tinyforge sim MODEL ...`: SystemC elaborates once per process, and
// a crash or hang of one point never takes the sweep down), at most JOBS at a time, each with a time limit.
// Its run record goes to DIR/points/HASH/ (HASH: the effective config's; identical configs run once). A
// point's completion is recorded after its record is in place, as one line of DIR/journal.jsonl flushed with
// fsync; --resume skips what the journal says finished and redoes the rest.
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
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
  // "process" (the reference: one child process per point, a run record each) or "fast" (the model's in-process
  // fast path in JOBS threads; no per-point run records, the stats go into the journal).
  std::string engine = "process";
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

// One distinct config's fate.
struct Evaluation {
  std::string hash;
  std::string status;  // ok, invalid, failed, timeout
  double wall_s = 0;
  std::string message;
  json stats;                // the fast engine's stats; null: in DIR/points/HASH/stats.json (process engine)
  std::string journal_line;  // "" = made by the reporter
};

// What runs the distinct configs still to evaluate: calls REPORT once per job as it finishes (never two calls
// at once). The default executors are the process and fast engines; MPI brings its own (sweep/mpi.cpp).
struct Job {
  std::string hash;
  const Prepared* point;
};
using Reporter = std::function<void(Evaluation&)>;  // may move from its argument
using Executor = std::function<void(const std::vector<Job>& jobs, const Reporter& report)>;

// Evaluates one point in a child process (`tinyforge sim ...`, run record in DIR/points/HASH), waiting for it
// at most OPT.timeout_s. Used by the process engine's workers and by MPI worker ranks.
Evaluation evaluate_in_child(const EngineOptions& opt, const std::string& model, const std::string& base,
                             const Prepared& point);

// Thrown by run_sweep when SIGINT, SIGTERM or SIGHUP arrived: running points were killed (with their process
// groups) and not recorded; everything finished is in the journal, so --resume continues.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True once SIGINT, SIGTERM or SIGHUP arrived during run_sweep (executors stop handing out work).
bool stop_requested();

// Creates (or checks, for --resume, shards and merge) the sweep directory and its manifest.json. Throws
// InputError when DIR holds something else or a sweep of another spec.
json open_sweep_dir(const SweepSpec& spec, const std::string& spec_text, size_t n_points, const EngineOptions& opt);

// Runs every prepared point; writes DIR/results.csv, results.json, pareto.csv and manifest.json. Progress on
// stderr. SPEC_TEXT is the spec as given (recorded in the manifest; --resume requires the same).
// EXECUTOR: null = the engine OPT.engine names.
std::vector<Result> run_sweep(const SweepSpec& spec, const std::string& spec_text, const Model& model,
                              const std::vector<Prepared>& points, const EngineOptions& opt,
                              const Executor& executor = nullptr);

// The Pareto points of a finished sweep in DIR as a table for the terminal: point, axis values, objectives.
// Throws InputError when DIR holds no finished sweep.
std::string pareto_report(const std::string& dir, size_t max_rows = SIZE_MAX);

// Indices of the non-dominated rows of OBJ (each row: one value per objective, to minimise where DIR says
// Lower and maximise where Higher). Equal rows do not dominate each other (ties are kept); the result is in
// input order.
std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& obj, const std::vector<Better>& dir);

}  // namespace tf::sweep
