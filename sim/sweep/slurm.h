// Design-space sweeps, 3/3: on a Slurm cluster. `tinyforge sweep SPEC --slurm` prepares the shared sweep
// directory, writes two batch scripts into DIR/slurm/ and submits them with sbatch: an N-task job array whose
// task I runs `tinyforge sweep SPEC --out DIR --shard slurm` (the I-th deterministic slice), and a merge job
// (`tinyforge sweep merge DIR`) that waits for the whole array (--dependency=afterok).
#pragma once
#include <string>

namespace tf::sweep {

struct SlurmOptions {
  int array = 0;           // tasks in the array (0: min(distinct configs, 32))
  int cpus = 2;            // --cpus-per-task; also each task's --jobs
  double timeout_s = 600;  // each point's limit (passed on to the tasks)
  std::string partition;   // "" = the cluster's default
  std::string time;        // per task, Slurm's format (e.g. 1:00:00); "" = the partition's default
  std::string engine = "process";
  bool submit = true;  // false: only write the scripts
};

struct SlurmJobs {
  std::string array_script, merge_script;  // paths
  std::string array_id, merge_id;          // "" when not submitted
  int tasks = 0;
};

// Writes DIR/slurm/array.sbatch and merge.sbatch (absolute paths throughout: the tasks may start anywhere) and,
// with OPT.submit, submits them (sbatch --parsable); the job ids go to DIR/slurm/jobs.json. SELF_EXE is the
// tinyforge binary the tasks run. Throws InputError when sbatch is missing or refuses.
SlurmJobs submit_slurm(const std::string& spec_file, const std::string& dir, const std::string& self_exe,
                       size_t distinct, const SlurmOptions& opt);

}  // namespace tf::sweep
