#include "sweep/engine.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <atomic>
#include <mutex>
#include <condition_variable>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/run.h"
#include "core/rundir.h"
#include "sweep/build_info.h"
#include "sweep/mpi.h"

namespace tf::sweep {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& obj, const std::vector<Better>& dir) {
  auto key = [&](size_t i, size_t k) { return dir[k] == Better::Higher ? -obj[i][k] : obj[i][k]; };
  auto dominates = [&](size_t a, size_t b) {  // a is no worse everywhere and better somewhere
    bool better = false;
    for (size_t k = 0; k < dir.size(); ++k) {
      if (key(a, k) > key(b, k)) return false;
      if (key(a, k) < key(b, k)) better = true;
    }
    return better;
  };
  // Visit in lexicographic order of the objectives: a point can only be dominated by one visited before it,
  // and only front points need to be compared.
  std::vector<size_t> order(obj.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t k = 0; k < dir.size(); ++k)
      if (key(a, k) != key(b, k)) return key(a, k) < key(b, k);
    return false;
  });
  std::vector<size_t> front;
  if (dir.size() == 2) {
    // Two objectives, O(n log n): in this order every earlier point is no worse in the first objective, so a
    // point is dominated exactly when an earlier one is better in the second, or equal there and better in the
    // first. M: the best second objective so far; M_FIRST: the best first objective among the points that have M.
    double m = 0, m_first = 0;
    bool any = false;
    for (size_t i : order) {
      double a = key(i, 0), b = key(i, 1);
      bool dominated = any && (m < b || (m == b && m_first < a));
      if (!dominated) front.push_back(i);
      if (!any || b < m) m = b, m_first = a, any = true;
    }
  } else {
    for (size_t i : order) {
      bool dominated = false;
      // A point equal to the last front point is on the front too (ties are kept): no need to compare.
      if (front.empty() || obj[front.back()] != obj[i])
        for (size_t f : front)
          if (dominates(f, i)) {
            dominated = true;
            break;
          }
      if (!dominated) front.push_back(i);
    }
  }
  std::sort(front.begin(), front.end());
  return front;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string cell(const json& v) {
  if (v.is_null()) return "";
  return csv_field(v.is_string() ? v.get<std::string>() : v.dump());
}

// The last N lines of a file.
std::string tail_lines(const std::string& file, int n) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string s;
  for (size_t k = lines.size() > (size_t)n ? lines.size() - n : 0; k < lines.size(); ++k) s += lines[k] + "\n";
  return s;
}

// The journal: one JSON line per finished config, appended with O_APPEND (so a line is safe from the sweep's
// own death as soon as append() returns) and made durable against power loss by a background thread that
// fsyncs whenever lines are pending (group commit: the sweep never waits for the disk, and one fsync covers
// every line written meanwhile). A point whose line did not reach the disk is simply run again by --resume.
// The destructor and sync() wait until everything appended is on disk.
class Journal {
 public:
  explicit Journal(const std::string& file) : file_(file) {
    fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open " + file);
    syncer_ = std::thread([this] { loop(); });
  }
  ~Journal() {
    {
      std::lock_guard<std::mutex> l(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    syncer_.join();
    ::close(fd_);
  }
  void append(const std::string& line) {  // one line, ending in a newline
    if (::write(fd_, line.data(), line.size()) != (ssize_t)line.size())
      throw std::runtime_error("cannot append to " + file_);
    {
      std::lock_guard<std::mutex> l(mu_);
      ++written_;
      if (failed_) throw std::runtime_error("cannot sync " + file_);
    }
    cv_.notify_all();
  }
  void sync() {
    std::unique_lock<std::mutex> l(mu_);
    uint64_t want = written_;
    waiting_ = true;
    cv_.notify_all();
    done_cv_.wait(l, [&] { return synced_ >= want || failed_; });
    waiting_ = false;
    if (failed_) throw std::runtime_error("cannot sync " + file_);
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      cv_.wait(l, [&] { return written_ > synced_ || closing_; });
      if (written_ == synced_ && closing_) return;
      uint64_t upto = written_;
      l.unlock();
      bool ok = ::fsync(fd_) == 0;
      l.lock();
      if (!ok) failed_ = true;
      synced_ = upto;
      done_cv_.notify_all();
      // At most one fsync per 20 ms (each costs the disk and a core's time; thousands of fast points a second
      // share one), unless the sweep waits for it (sync(), closing).
      cv_.wait_for(l, std::chrono::milliseconds(20), [&] { return closing_ || waiting_; });
    }
  }
  std::string file_;
  int fd_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  uint64_t written_ = 0, synced_ = 0;
  bool closing_ = false, failed_ = false, waiting_ = false;
  std::thread syncer_;
};

// SIGINT/SIGTERM/SIGHUP while a sweep runs: set a flag; the loops stop, kill their children and throw
// Interrupted. The previous handlers come back when the sweep ends.
volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

class StopSignals {
 public:
  StopSignals() {
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int k = 0; k < 3; ++k) sigaction(kSignals[k], &sa, &old_[k]);
  }
  ~StopSignals() {
    for (int k = 0; k < 3; ++k) sigaction(kSignals[k], &old_[k], nullptr);
  }

 private:
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[3];
};

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string duration(double s) {
  char b[32];
  if (s >= 3600)
    std::snprintf(b, sizeof b, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
  else if (s >= 60)
    std::snprintf(b, sizeof b, "%dm%02ds", (int)(s / 60), (int)s % 60);
  else
    std::snprintf(b, sizeof b, "%.0fs", s);
  return b;
}

// An evaluation as one journal line (with its stats when it carries them: the fast engine).
std::string journal_line(const Evaluation& ev) {
  json entry = {{"hash", ev.hash}, {"status", ev.status}, {"wall_s", ev.wall_s}};
  if (!ev.message.empty()) entry["message"] = ev.message;
  if (!ev.stats.is_null()) entry["stats"] = ev.stats;
  return entry.dump() + "\n";
}

struct Running {
  pid_t pid;
  std::string hash;
  Clock::time_point start;
};

// Starts `tinyforge sim MODEL [--config BASE] --set ... --out DIR/points/HASH --json` in its own process group
// (a terminal's Ctrl-C reaches only the sweep, which then stops its children), with stdout to /dev/null and
// stderr to DIR/logs/HASH.err. The child dies with the sweep (PR_SET_PDEATHSIG), so a killed sweep leaves no
// point running behind it.
pid_t start_child(const EngineOptions& opt, const std::string& model, const std::string& base, const Prepared& p) {
  std::vector<std::string> args = {opt.self_exe, "sim", model};
  if (!base.empty()) args.insert(args.end(), {"--config", base});
  for (const auto& s : p.point.sets) args.insert(args.end(), {"--set", s});
  args.insert(args.end(), {"--out", (fs::path(opt.out_dir) / "points" / p.hash).string(), "--json"});
  std::string err = (fs::path(opt.out_dir) / "logs" / (p.hash + ".err")).string();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the sweep died before the line above
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &dfl, nullptr);
    int devnull = ::open("/dev/null", O_RDWR);
    int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (devnull >= 0) dup2(devnull, 0), dup2(devnull, 1);
    if (efd >= 0) dup2(efd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so that the group exists before any kill(-pid)
  return pid;
}

// Removes what a point left in DIR/points: its record (KEEP_RECORD false) and, with TEMPS, any half-written
// temporary one (HASH.tmp-*: a scan of the folder, done only after a point died).
void clear_point(const fs::path& dir, const std::string& hash, bool keep_record, bool temps = true) {
  std::error_code ec;
  if (!keep_record) fs::remove_all(dir / "points" / hash, ec);
  if (!temps) return;
  for (const auto& e : fs::directory_iterator(dir / "points", ec))
    if (e.path().filename().string().rfind(hash + ".tmp-", 0) == 0) fs::remove_all(e.path(), ec);
}

// Before a run: removes, in one scan, whatever DIR/points holds for the configs about to run (records without a
// journal line, temporary records of a killed run). Other configs' entries are left alone: a shard running
// beside this one owns them.
void clear_queued(const fs::path& dir, const std::vector<Job>& jobs) {
  std::set<std::string> mine;
  for (const auto& j : jobs) mine.insert(j.hash);
  std::error_code ec;
  std::vector<fs::path> gone;
  for (const auto& e : fs::directory_iterator(dir / "points", ec))
    if (mine.count(e.path().filename().string().substr(0, 16))) gone.push_back(e.path());
  for (const auto& p : gone) fs::remove_all(p, ec);
}

// Waits until one of PIDS may have exited or TIMEOUT_MS passed: poll(2) on pidfds where the kernel has them
// (Linux 5.3+), else a short sleep.
void wait_any(const std::vector<pid_t>& pids, int timeout_ms) {
  std::vector<pollfd> fds;
  for (pid_t p : pids) {
    int fd = (int)syscall(SYS_pidfd_open, p, 0);
    if (fd < 0) break;
    fds.push_back({fd, POLLIN, 0});
  }
  if (fds.size() == pids.size() && !fds.empty())
    ::poll(fds.data(), fds.size(), timeout_ms);
  else
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeout_ms, 2)));
  for (auto& f : fds) ::close(f.fd);
}

// The fate of a finished child from its wait status.
Evaluation child_result(const fs::path& dir, const std::string& hash, int st, double wall) {
  Evaluation ev;
  ev.hash = hash;
  ev.wall_s = wall;
  std::string err = (dir / "logs" / (hash + ".err")).string();
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    ev.status = "ok";
  } else if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
    ev.status = "invalid";
    ev.message = tail_lines(err, 5);
  } else {
    ev.status = "failed";
    ev.message = (WIFSIGNALED(st) ? "killed by signal " + std::to_string(WTERMSIG(st))
                                  : "exit " + std::to_string(WEXITSTATUS(st))) +
                 "\n" + tail_lines(err, 5);
  }
  if (ev.status != "ok") clear_point(dir, hash, true);  // a process that died leaves its half-written record
  return ev;
}

Evaluation timed_out(const fs::path& dir, const std::string& hash, double timeout_s, double wall) {
  clear_point(dir, hash, true);
  Evaluation ev;
  ev.hash = hash;
  ev.status = "timeout";
  ev.wall_s = wall;
  ev.message = "no result after " + format_double(timeout_s) + " s; killed";
  return ev;
}

void kill_group(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  int st;
  waitpid(pid, &st, 0);
}

// The process engine: at most JOBS children at once, each with the time limit.
void run_processes(const EngineOptions& opt, const std::string& model, const std::string& base,
                   const std::vector<Job>& jobs, const Reporter& report) {
  const fs::path dir(opt.out_dir);
  size_t next = 0;
  std::vector<Running> running;
  while (next < jobs.size() || !running.empty()) {
    if (g_stop) {
      for (auto& r : running) kill_group(r.pid), clear_point(dir, r.hash, false);
      return;
    }
    while (next < jobs.size() && (int)running.size() < opt.jobs) {
      const Job& j = jobs[next++];
      running.push_back({start_child(opt, model, base, *j.point), j.hash, Clock::now()});
    }
    bool progressed = false;
    for (size_t k = 0; k < running.size();) {
      Running& r = running[k];
      int st = 0;
      pid_t w = waitpid(r.pid, &st, WNOHANG);
      double wall = std::chrono::duration<double>(Clock::now() - r.start).count();
      Evaluation ev;
      if (w == r.pid) {
        if (g_stop) {  // killed by the same Ctrl-C: not a result
          ++k;
          continue;
        }
        kill(-r.pid, SIGKILL);  // anything the point left running in its group
        ev = child_result(dir, r.hash, st, wall);
      } else if (wall > opt.timeout_s) {
        kill_group(r.pid);
        ev = timed_out(dir, r.hash, opt.timeout_s, wall);
      } else {
        ++k;
        continue;
      }
      report(ev);
      running.erase(running.begin() + k);
      progressed = true;
    }
    if (!progressed && !running.empty()) {
      std::vector<pid_t> pids;
      double first_deadline = opt.timeout_s;
      for (const auto& r : running) {
        pids.push_back(r.pid);
        first_deadline =
            std::min(first_deadline, opt.timeout_s - std::chrono::duration<double>(Clock::now() - r.start).count());
      }
      wait_any(pids, std::max(1, std::min(200, (int)(first_deadline * 1000) + 1)));  // a signal also wakes it
    }
  }
}

// The fast engine: the model's in-process fast path in JOBS threads.
void run_fast(const EngineOptions& opt, const Model& model, const std::vector<Job>& jobs, const Reporter& report) {
  MetricSet ms;
  model.metrics(ms);
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr fatal;
  auto worker = [&] {
    for (size_t k; !g_stop && (k = next++) < jobs.size();) {
      Evaluation ev;
      ev.hash = jobs[k].hash;
      auto t0 = Clock::now();
      try {
        ev.stats = model.run_fast(jobs[k].point->config);
        auto bad = check_stats(ms, ev.stats);
        if (bad.empty()) {
          ev.status = "ok";
        } else {
          ev.status = "failed";
          ev.message = "internal error: undeclared stats entries:";
          for (const auto& b : bad) ev.message += " " + b;
          ev.stats = json();
        }
      } catch (const InputError& e) {
        ev.status = "invalid";
        ev.message = e.what();
        ev.stats = json();
      } catch (const std::exception& e) {
        ev.status = "failed";
        ev.message = std::string("internal error: ") + e.what();
        ev.stats = json();
      }
      ev.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
      ev.journal_line = journal_line(ev);  // the costly part of reporting, outside the lock
      std::lock_guard<std::mutex> lock(mu);
      if (fatal) return;
      try {
        report(ev);
      } catch (...) {
        fatal = std::current_exception();
        return;
      }
    }
  };
  run_parallel((size_t)std::max(1, opt.jobs), [&](size_t) { worker(); });  // each worker drains the queue
  if (fatal) std::rethrow_exception(fatal);
}

}  // namespace

bool stop_requested() { return g_stop != 0; }

namespace {
MpiSweep* g_mpi = nullptr;
}
MpiSweep* mpi_sweep() { return g_mpi; }
void set_mpi_sweep(MpiSweep* session) { g_mpi = session; }

Evaluation evaluate_in_child(const EngineOptions& opt, const std::string& model, const std::string& base,
                             const Prepared& point) {
  const fs::path dir(opt.out_dir);
  clear_point(dir, point.hash, false, false);
  auto t0 = Clock::now();
  pid_t pid = start_child(opt, model, base, point);
  for (;;) {
    int st = 0;
    double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    if (waitpid(pid, &st, WNOHANG) == pid) {
      kill(-pid, SIGKILL);
      return child_result(dir, point.hash, st, wall);
    }
    if (wall > opt.timeout_s) {
      kill_group(pid);
      return timed_out(dir, point.hash, opt.timeout_s, wall);
    }
    wait_any({pid}, std::max(1, std::min(200, (int)((opt.timeout_s - wall) * 1000) + 1)));
  }
}

json open_sweep_dir(const SweepSpec& spec, const std::string& spec_text, size_t n_points, const EngineOptions& opt) {
  const fs::path dir(opt.out_dir);
  const std::string spec_hash = hex_u64(fnv1a64(spec_text), 16);
  const bool sharded = opt.shards > 1;
  bool exists = fs::exists(dir / "manifest.json");
  if (exists) {
    if (!opt.resume && !sharded && !opt.merge)
      throw InputError("--out: " + dir.string() +
                       " holds an earlier sweep; give --resume to continue it, or another --out");
    json old = load_json_file((dir / "manifest.json").string());
    if (old.value("spec_hash", "") != spec_hash)
      throw InputError("--out: " + dir.string() + " was made by a different spec (" + old.value("spec_file", "?") +
                       "); the spec changed since: continue only with the same spec, or choose another --out");
    if (sharded || opt.merge) return old;  // the shards share the manifest their submission wrote
  } else if (opt.merge) {
    throw InputError("sweep merge: " + dir.string() + " holds no sweep (no manifest.json)");
  } else if (fs::exists(dir) && !fs::is_empty(dir)) {
    throw InputError("--out: " + dir.string() + " exists and is not a tinyforge sweep; choose another directory");
  }
  fs::create_directories(dir / "points");
  fs::create_directories(dir / "logs");
  json manifest = {{"tool", "tinyforge"},    {"version", TINYFORGE_VERSION},
                   {"build", build_info()},  {"spec_file", spec.file},
                   {"spec_hash", spec_hash}, {"spec", json::parse(spec_text)},
                   {"model", spec.model},    {"seed", spec.seed},
                   {"engine", opt.engine},   {"points", n_points}};
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  manifest["host"] = host;
  manifest["started_unix"] = unix_now();
  write_file_atomic((dir / "manifest.json").string(), dump_readable(manifest));
  return manifest;
}

std::vector<Result> run_sweep(const SweepSpec& spec, const std::string& spec_text, const Model& model,
                              const std::vector<Prepared>& points, const EngineOptions& opt, const Executor& executor) {
  const fs::path dir(opt.out_dir);
  const bool sharded = opt.shards > 1;
  if (opt.engine == "fast" && !model.has_fast())
    throw InputError("--engine fast: model " + model.name() + " has no fast path; use --engine process");
  json manifest = open_sweep_dir(spec, spec_text, points.size(), opt);
  fs::create_directories(dir / "points");
  fs::create_directories(dir / "logs");

  // What finished before: the ok configs of the journal (merge: of every shard's journal) whose stats are at hand
  // (inline: fast engine; else the run record).
  std::map<std::string, json> done;      // hash -> journal entry, with "stats"
  std::map<std::string, json> failures;  // merge: hash -> a shard's entry for a point that failed or timed out
  char jname[64];
  std::snprintf(jname, sizeof jname, "journal.shard-%d-of-%d.jsonl", opt.shard, opt.shards);
  const std::string journal_file = (dir / (sharded ? std::string(jname) : std::string("journal.jsonl"))).string();
  std::vector<std::string> journals;
  if (opt.merge) {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().rfind("journal", 0) == 0) journals.push_back(e.path().string());
    std::sort(journals.begin(), journals.end());
  } else if (opt.resume || sharded) {
    journals.push_back(journal_file);
  }
  for (const auto& jf : journals) {
    std::ifstream in(jf);
    for (std::string line; std::getline(in, line);) {
      json e = json::parse(line, nullptr, false);  // a torn last line (power loss) is not a record
      if (!e.is_object() || !e.contains("hash") || !e["hash"].is_string() || !e.contains("status") ||
          !e["status"].is_string())
        continue;
      if (e["status"] != "ok") {  // merge reports a shard's failures; --resume runs them again
        if (opt.merge && !done.count(e["hash"])) failures[e["hash"]] = e;
        continue;
      }
      failures.erase(e["hash"].get<std::string>());
      if (!e.contains("stats") || !e["stats"].is_object()) {
        fs::path st = dir / "points" / e["hash"].get<std::string>() / "stats.json";
        if (!fs::exists(st)) continue;
        e["stats"] = load_json_file(st.string());
      }
      done[e["hash"]] = e;
    }
  }

  std::vector<Result> results(points.size());
  std::map<std::string, std::vector<size_t>> by_hash;  // identical configs run once
  std::vector<std::string> queue;
  for (size_t i = 0; i < points.size(); ++i) {
    results[i].index = points[i].point.index;
    results[i].hash = points[i].hash;
    if (!points[i].valid) {
      results[i].status = "invalid";
      results[i].message = points[i].problem;
      continue;
    }
    if (by_hash[points[i].hash].empty()) queue.push_back(points[i].hash);
    by_hash[points[i].hash].push_back(i);
  }
  if (sharded) {  // a deterministic slice of the distinct configs
    std::vector<std::string> mine;
    for (size_t k = opt.shard; k < queue.size(); k += opt.shards) mine.push_back(queue[k]);
    queue.swap(mine);
  }
  queue.erase(std::remove_if(queue.begin(), queue.end(), [&](const std::string& h) { return done.count(h) > 0; }),
              queue.end());
  if (opt.merge) {  // nothing runs; what no journal has is missing
    for (const auto& h : queue)
      for (size_t i : by_hash[h]) {
        auto f = failures.find(h);
        results[i].status = f != failures.end() ? f->second["status"].get<std::string>() : "missing";
        results[i].wall_s = f != failures.end() ? f->second.value("wall_s", 0.0) : 0.0;
        results[i].message =
            f != failures.end() ? f->second.value("message", "") : "no shard's journal records this point";
      }
    queue.clear();
  }
  for (const auto& kv : done)
    for (size_t i : by_hash[kv.first]) {
      results[i].status = "ok";
      results[i].wall_s = kv.second.value("wall_s", 0.0);
      results[i].stats = kv.second["stats"];
    }

  // Run.
  std::vector<Job> jobs;
  for (const auto& h : queue) jobs.push_back({h, &points[by_hash[h].front()]});
  clear_queued(dir, jobs);
  const bool tty = isatty(2);
  const size_t total = jobs.size();
  size_t finished = 0, n_ok = 0, n_bad = 0, n_invalid = 0;
  auto t0 = Clock::now(), last_report = t0;
  auto progress = [&](bool final_line) {
    double el = std::chrono::duration<double>(Clock::now() - t0).count();
    double rate = el > 0 ? finished / el : 0;
    std::ostringstream os;
    os << "[" << finished << "/" << total << "] " << (total ? 100 * finished / total : 100) << "% ";
    char r[32];
    std::snprintf(r, sizeof r, "%.1f", rate);
    os << r << " pts/s eta "
       << (finished == total ? std::string("0s")
           : rate > 0        ? duration((total - finished) / rate)
                             : std::string("?"))
       << " ok=" << n_ok << " invalid=" << n_invalid << " failed=" << n_bad;
    if (tty)
      std::cerr << "\r" << os.str() << "   " << (final_line ? "\n" : "") << std::flush;
    else
      std::cerr << os.str() << "\n";
  };
  {
    std::unique_ptr<Journal> journal;
    if (!jobs.empty()) journal = std::make_unique<Journal>(journal_file);
    Reporter report = [&](Evaluation& ev) {
      if (ev.journal_line.empty()) ev.journal_line = journal_line(ev);
      journal->append(ev.journal_line);
      if (ev.status == "ok" && ev.stats.is_null())
        ev.stats = load_json_file((dir / "points" / ev.hash / "stats.json").string());
      const auto& same = by_hash[ev.hash];
      for (size_t k = 0; k < same.size(); ++k) {
        Result& r = results[same[k]];
        r.status = ev.status;
        r.wall_s = ev.wall_s;
        r.message = ev.message;
        if (k + 1 < same.size())
          r.stats = ev.stats;
        else
          r.stats = std::move(ev.stats);
      }
      ++finished;
      (ev.status == "ok" ? n_ok : ev.status == "invalid" ? n_invalid : n_bad)++;
      auto now = Clock::now();
      if ((tty && now - last_report > std::chrono::milliseconds(100)) || now - last_report > std::chrono::seconds(10)) {
        progress(false);
        last_report = now;
      }
    };
    StopSignals signals;
    if (executor)
      executor(jobs, report);
    else if (opt.engine == "fast")
      run_fast(opt, model, jobs, report);
    else
      run_processes(opt, spec.model, resolve_config_file(model, spec.base), jobs, report);
    if (g_stop) {
      if (journal) journal->sync();
      if (tty) std::cerr << "\n";
      throw Interrupted("interrupted after " + std::to_string(finished) + " of " + std::to_string(total) +
                        " points; every finished point is in " + journal_file + ": continue with --resume");
    }
  }
  progress(true);

  if (sharded) return results;  // the outputs are merge's

  // Outputs.
  ParamSet ps;
  model.declare(ps);
  MetricSet ms;
  model.metrics(ms);
  std::vector<std::string> axes;
  for (const auto& p : points)
    for (auto it = p.point.values.begin(); it != p.point.values.end(); ++it)
      if (std::find(axes.begin(), axes.end(), it.key()) == axes.end()) axes.push_back(it.key());
  std::vector<std::string> metrics;
  for (const auto& m : ms.specs())
    if (!m.breakdown) metrics.push_back(m.name);
  auto header = [&] {
    std::string h = "point,hash,status,wall_s";
    for (const auto& a : axes) h += "," + csv_field(a);
    for (const auto& m : metrics) h += "," + csv_field(m);
    return h + "\n";
  };
  auto row = [&](const Result& r, const Prepared& p) {
    std::string s = std::to_string(r.index) + "," + r.hash + "," + r.status + "," + format_double(r.wall_s, 4);
    for (const auto& a : axes) s += "," + cell(p.point.values.contains(a) ? p.point.values[a] : json());
    for (const auto& m : metrics) s += "," + cell(r.stats.is_object() && r.stats.contains(m) ? r.stats[m] : json());
    return s + "\n";
  };
  std::string csv = header();
  json all = json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    csv += row(results[i], points[i]);
    json o = {{"point", results[i].index},
              {"hash", results[i].hash},
              {"status", results[i].status},
              {"wall_s", results[i].wall_s}};
    o["values"] = points[i].point.values;
    if (!results[i].message.empty()) o["message"] = results[i].message;
    json m = json::object();
    for (const auto& name : metrics)
      if (results[i].stats.is_object() && results[i].stats.contains(name)) m[name] = results[i].stats[name];
    o["metrics"] = m;
    all.push_back(o);
  }
  write_file_atomic((dir / "results.csv").string(), csv);
  // Pareto front of the ok points under the objectives.
  std::vector<size_t> ok;
  std::vector<std::vector<double>> obj;
  std::vector<Better> dirs;
  for (const auto& o : spec.objectives) dirs.push_back(o.better);
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].status != "ok") continue;
    std::vector<double> v;
    for (const auto& o : spec.objectives)
      if (results[i].stats.contains(o.metric) && results[i].stats[o.metric].is_number())
        v.push_back(results[i].stats[o.metric].get<double>());
    if (v.size() != spec.objectives.size()) continue;
    ok.push_back(i);
    obj.push_back(v);
  }
  std::string pcsv = header();
  if (!dirs.empty())
    for (size_t f : pareto_front(obj, dirs)) {
      pcsv += row(results[ok[f]], points[ok[f]]);
      all[ok[f]]["pareto"] = true;
    }
  write_file_atomic((dir / "pareto.csv").string(), pcsv);
  write_file_atomic((dir / "results.json").string(), dump_readable(all));
  std::map<std::string, size_t> counts;
  for (const auto& r : results) counts[r.status]++;
  manifest["counts"] = counts;
  manifest["finished_unix"] = unix_now();
  write_file_atomic((dir / "manifest.json").string(), dump_readable(manifest));
  return results;
}

std::string pareto_report(const std::string& d, size_t max_rows) {
  const fs::path dir(d);
  if (!fs::exists(dir / "manifest.json") || !fs::exists(dir / "results.json"))
    throw InputError("sweep report: " + d + " holds no finished sweep (no manifest.json / results.json)");
  json manifest = load_json_file((dir / "manifest.json").string());
  json results = load_json_file((dir / "results.json").string());
  std::vector<std::string> cols = {"point"}, objs;
  for (const auto& r : results)
    for (auto it = r["values"].begin(); it != r["values"].end(); ++it)
      if (std::find(cols.begin(), cols.end(), it.key()) == cols.end()) cols.push_back(it.key());
  if (manifest["spec"].contains("objectives"))
    for (auto it = manifest["spec"]["objectives"].begin(); it != manifest["spec"]["objectives"].end(); ++it) {
      objs.push_back(it.key());
      cols.push_back(it.key() + " (" + it.value().get<std::string>() + ")");
    }
  std::vector<std::vector<std::string>> rows{cols};
  size_t front = 0;
  for (const auto& r : results) {
    if (!r.value("pareto", false)) continue;
    if (++front > max_rows) continue;
    std::vector<std::string> row = {std::to_string(r["point"].get<size_t>())};
    for (size_t c = 1; c < cols.size() - objs.size(); ++c)
      row.push_back(r["values"].contains(cols[c]) ? cell(r["values"][cols[c]]) : "");
    for (const auto& o : objs)
      row.push_back(r["metrics"].contains(o) ? format_double(r["metrics"][o].get<double>(), 5) : "");
    rows.push_back(row);
  }
  std::vector<size_t> w(cols.size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].size());
  std::ostringstream os;
  os << "Pareto front: " << front << " of " << results.size() << " points (" << d << "/pareto.csv)\n";
  for (const auto& row : rows) {
    os << " ";
    for (size_t c = 0; c < row.size(); ++c)
      os << " " << row[c] << (c + 1 < row.size() ? std::string(w[c] - row[c].size(), ' ') : std::string());
    os << "\n";
  }
  if (front > max_rows)
    os << "  ... and " << front - max_rows << " more (all in pareto.csv; tinyforge sweep report DIR)\n";
  return os.str();
}

}  // namespace tf::sweep
