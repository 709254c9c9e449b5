#include "core/rundir.h"

#include <filesystem>
#include <sstream>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/diagnostics.h"

namespace tf {
namespace fs = std::filesystem;

RunDir::RunDir(const std::string& final_dir) : final_(final_dir), t0_(std::chrono::steady_clock::now()) {
  fs::path f = fs::path(final_dir).lexically_normal();
  if (f.filename().empty()) f = f.parent_path();
  final_ = f.string();
  fs::path parent = f.parent_path();
  std::error_code ec;
  for (const auto& part : f)  // the temporary sibling adds ".tmp-PID-N" to the last name
    if (part.string().size() > 200)
      throw InputError("--out: got a name of " + std::to_string(part.string().size()) +
                       " characters; expected names of at most 200 (the file system's limit is 255)");
  if (fs::exists(f) && !fs::is_directory(f)) throw InputError("--out: " + final_ + " exists and is not a directory");
  // Never replace a directory that is not an earlier run record.
  if (fs::is_directory(f) && !fs::is_empty(f) &&
      !(fs::exists(f / "config.effective.json") && fs::exists(f / "run.log")))
    throw InputError("--out: " + final_ + " exists and is not a tinyforge run record; choose another directory");
  if (f.filename() == "." || f.filename() == "..")
    throw InputError("--out: got '" + final_ + "'; expected a directory name");
  std::vector<fs::path> missing;
  for (fs::path p = parent; !p.empty() && !fs::exists(p); p = p.parent_path()) missing.push_back(p);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    fs::create_directory(*it, ec);
    if (ec) throw InputError("--out: cannot create directory " + it->string() + ": " + ec.message());
    created_.push_back(it->string());
  }
  // Temporary records of runs into the same place that were killed (their process is gone) are removed.
  const std::string prefix = f.filename().string() + ".tmp-";
  for (const auto& e : fs::directory_iterator(parent.empty() ? fs::path(".") : parent, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && pid != getpid() && ::kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
      std::error_code rec;
      fs::remove_all(e.path(), rec);
    }
  }
  for (int n = 0;; ++n) {
    tmp_ = final_ + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(n);
    if (!fs::exists(tmp_)) break;
  }
  if (!fs::create_directory(tmp_, ec) || ec)
    throw InputError("--out: cannot create directory " + tmp_ + ": " + (ec ? ec.message() : "exists"));
  log_.open(path("run.log"));
}

RunDir::~RunDir() {
  if (!committed_) {
    log_.close();
    std::error_code ec;
    fs::remove_all(tmp_, ec);
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) fs::remove(*it, ec);  // only if empty
  }
}

std::string RunDir::path(const std::string& file) const { return (fs::path(tmp_) / file).string(); }

void RunDir::write(const std::string& file, std::string_view content) {
  std::ofstream out(path(file), std::ios::binary | std::ios::trunc);
  out.write(content.data(), (std::streamsize)content.size());
  if (!out.flush()) throw std::runtime_error("cannot write " + path(file));
}

void RunDir::write_json(const std::string& file, const json& j) { write(file, dump_readable(j)); }

void RunDir::log(const std::string& line) {
  double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "[%8.3f s] ", t);
  log_ << buf << line << "\n";
  log_.flush();
}

void RunDir::commit() {
  log("run record complete: " + final_);
  log_.close();
  std::error_code ec;
  std::string old;
  if (fs::exists(final_)) {
    old = final_ + ".old-" + std::to_string(getpid());
    fs::rename(final_, old, ec);
    if (ec) throw std::runtime_error("cannot move old run directory " + final_ + ": " + ec.message());
  }
  fs::rename(tmp_, final_, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp_ + " to " + final_ + ": " + ec.message());
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

std::string config_hash(const json& effective) {
  return hex_u64(fnv1a64(effective.dump(-1, ' ', false, json::error_handler_t::replace)), 16);
}

std::string default_run_dir(const std::string& model, const json& effective) {
  return "runs/" + model + "-" + config_hash(effective).substr(0, 8);
}

static std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string summary_csv(const json& stats) {
  std::ostringstream h, v;
  bool first = true;
  for (auto it = stats.begin(); it != stats.end(); ++it) {
    if (it.value().is_object() || it.value().is_array()) continue;
    h << (first ? "" : ",") << csv_field(it.key());
    std::string val = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    v << (first ? "" : ",") << csv_field(val);
    first = false;
  }
  return h.str() + "\n" + v.str() + "\n";
}

}  // namespace tf
