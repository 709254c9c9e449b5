#include "sweep/slurm.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/config.h"
#include "core/diagnostics.h"
#include "core/rundir.h"
#include "core/util.h"

namespace tf::sweep {
namespace fs = std::filesystem;

namespace {

// A word for a shell script, single-quoted.
std::string sh_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs COMMAND (a shell command line); returns its stdout, trimmed. Throws InputError naming WHAT on failure.
std::string run_capture(const std::string& command, const std::string& what) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) throw InputError(what + ": cannot run sbatch");
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int st = pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (st != 0) {
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (code == 127)
      throw InputError(what +
                       ": sbatch not found (install Slurm's client, e.g. Debian's slurm-client, or use "
                       "--no-submit and submit DIR/slurm/*.sbatch yourself)");
    throw InputError(what + ": sbatch failed (exit " + std::to_string(code) + "): " + out);
  }
  return out;
}

}  // namespace

SlurmJobs submit_slurm(const std::string& spec_file, const std::string& dir_in, const std::string& self_exe,
                       size_t distinct, const SlurmOptions& opt) {
  const fs::path dir = fs::absolute(dir_in);
  const std::string spec = fs::absolute(spec_file).string(), exe = fs::absolute(self_exe).string();
  SlurmJobs jobs;
  jobs.tasks = opt.array > 0 ? opt.array : (int)std::max<size_t>(1, std::min<size_t>(distinct, 32));
  fs::create_directories(dir / "slurm");
  const std::string name = "tf-" + fs::path(spec_file).stem().string();
  auto header = [&](const std::string& job, const std::string& output) {
    std::string h = "#!/bin/bash\n";
    h += "#SBATCH --job-name=" + job + "\n";
    h += "#SBATCH --output=" + (dir / "slurm" / output).string() + "\n";
    if (!opt.partition.empty()) h += "#SBATCH --partition=" + opt.partition + "\n";
    return h;
  };
  // Array task: its slice of the distinct configs. Exit 3 (a point failed or timed out) is a result recorded
  // in the shard's journal, not a failed task: the merge still runs and reports it.
  std::string a = header(name, "shard-%a.out");
  a += "#SBATCH --array=0-" + std::to_string(jobs.tasks - 1) + "\n";
  a += "#SBATCH --cpus-per-task=" + std::to_string(opt.cpus) + "\n";
  if (!opt.time.empty()) a += "#SBATCH --time=" + opt.time + "\n";
  a += "# Written by `tinyforge sweep --slurm`: task I runs the I-th of N deterministic slices of the sweep.\n";
  a += sh_quote(exe) + " sweep " + sh_quote(spec) + " --out " + sh_quote(dir.string()) + " --shard slurm --jobs " +
       std::to_string(opt.cpus) + " --timeout " + format_double(opt.timeout_s) + " --engine " + opt.engine + "\n";
  a += "rc=$?\n[ $rc -eq 3 ] && rc=0\nexit $rc\n";
  std::string m = header(name + "-merge", "merge.out");
  m += "# Written by `tinyforge sweep --slurm`: runs when every array task has finished successfully.\n";
  m += sh_quote(exe) + " sweep merge " + sh_quote(dir.string()) + "\n";
  m += "rc=$?\n[ $rc -eq 3 ] && rc=0\nexit $rc\n";
  jobs.array_script = (dir / "slurm" / "array.sbatch").string();
  jobs.merge_script = (dir / "slurm" / "merge.sbatch").string();
  write_file_atomic(jobs.array_script, a);
  write_file_atomic(jobs.merge_script, m);
  fs::permissions(jobs.array_script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  fs::permissions(jobs.merge_script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  if (!opt.submit) return jobs;
  auto id_of = [](const std::string& parsable) { return parsable.substr(0, parsable.find(';')); };
  jobs.array_id = id_of(run_capture("sbatch --parsable " + sh_quote(jobs.array_script), "--slurm"));
  jobs.merge_id = id_of(run_capture(
      "sbatch --parsable --dependency=afterok:" + jobs.array_id + " " + sh_quote(jobs.merge_script), "--slurm"));
  write_file_atomic((dir / "slurm" / "jobs.json").string(), dump_readable(json{{"array_job", jobs.array_id},
                                                                               {"merge_job", jobs.merge_id},
                                                                               {"tasks", jobs.tasks},
                                                                               {"array_script", jobs.array_script},
                                                                               {"merge_script", jobs.merge_script}}));
  return jobs;
}

}  // namespace tf::sweep
