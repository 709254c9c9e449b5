// The record every run leaves: a directory with config.effective.json, stats.json, summary.csv, run.log and
// model outputs. Everything is written to a temporary sibling directory, renamed into place at commit().
#pragma once
#include <chrono>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/params.h"

namespace tf {

class RunDir {
 public:
  // FINAL is the directory the record ends up in. Creates FINAL.tmp-PID-N beside it.
  explicit RunDir(const std::string& final_dir);
  ~RunDir();  // removes the temporary directory unless committed
  RunDir(const RunDir&) = delete;
  RunDir& operator=(const RunDir&) = delete;

  std::string path(const std::string& file) const;  // a path inside the temporary directory
  void write(const std::string& file, std::string_view content);
  void write_json(const std::string& file, const json& j);
  void log(const std::string& line);  // appended to run.log with a time offset
  // Replaces FINAL (if it exists) with the temporary directory.
  void commit();
  const std::string& final_dir() const { return final_; }

 private:
  std::string final_, tmp_;
  std::vector<std::string> created_;  // parent directories this run created (removed again on failure)
  std::ofstream log_;
  bool committed_ = false;
  std::chrono::steady_clock::time_point t0_;
};

// 16 hex digits of the effective config's hash (FNV-1a of its compact JSON text).
std::string config_hash(const json& effective);
// "runs/<model>-<the first 8 hex digits of config_hash>"
std::string default_run_dir(const std::string& model, const json& effective);

// summary.csv: one header row and one value row with the scalar metrics of STATS.
std::string summary_csv(const json& stats);

}  // namespace tf
