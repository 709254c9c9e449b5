#include "sweep/engine.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/run.h"
#include "core/rundir.h"

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
  for (size_t i : order) {
    bool dominated = false;
    for (size_t f : front)
      if (dominates(f, i)) {
        dominated = true;
        break;
      }
    if (!dominated) front.push_back(i);
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

// Appends one line and makes it durable before returning.
void journal_append(const std::string& file, const json& entry) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + file);
  std::string line = entry.dump() + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == (ssize_t)line.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot append to " + file);
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

struct Running {
  pid_t pid;
  std::string hash;
  Clock::time_point start;
};

// Starts `tinyforge sim MODEL [--config BASE] --set ... --out DIR/points/HASH --json` with stdout to /dev/null
// and stderr to DIR/logs/HASH.err.
pid_t start_child(const EngineOptions& opt, const std::string& model, const std::string& base, const Prepared& p) {
  std::vector<std::string> args = {opt.self_exe, "sim", model};
  if (!base.empty()) args.insert(args.end(), {"--config", base});
  for (const auto& s : p.point.sets) args.insert(args.end(), {"--set", s});
  args.insert(args.end(), {"--out", (fs::path(opt.out_dir) / "points" / p.hash).string(), "--json"});
  std::string err = (fs::path(opt.out_dir) / "logs" / (p.hash + ".err")).string();
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    int efd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (devnull >= 0) dup2(devnull, 0), dup2(devnull, 1);
    if (efd >= 0) dup2(efd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

std::vector<Result> run_sweep(const SweepSpec& spec, const std::string& spec_text, const Model& model,
                              const std::vector<Prepared>& points, const EngineOptions& opt) {
  const fs::path dir(opt.out_dir);
  const std::string spec_hash = hex_u64(fnv1a64(spec_text), 16);
  const auto started = std::chrono::system_clock::now();
  // The output directory: new, or an earlier run of the same spec (--resume; the other shards; merge).
  const bool sharded = opt.shards > 1;
  if (fs::exists(dir / "manifest.json")) {
    if (!opt.resume && !sharded && !opt.merge)
      throw InputError("--out: " + dir.string() +
                       " holds an earlier sweep; give --resume to continue it, or another --out");
    json old = load_json_file((dir / "manifest.json").string());
    if (old.value("spec_hash", "") != spec_hash)
      throw InputError("--out: " + dir.string() + " was made by a different spec (" + old.value("spec_file", "?") +
                       "); the spec changed since: continue only with the same spec, or choose another --out");
  } else if (opt.merge) {
    throw InputError("sweep merge: " + dir.string() + " holds no sweep (no manifest.json)");
  } else if (fs::exists(dir) && !fs::is_empty(dir)) {
    throw InputError("--out: " + dir.string() + " exists and is not a tinyforge sweep; choose another directory");
  }
  fs::create_directories(dir / "points");
  fs::create_directories(dir / "logs");
  json manifest = {{"tool", "tinyforge"},    {"version", TINYFORGE_VERSION},   {"spec_file", spec.file},
                   {"spec_hash", spec_hash}, {"spec", json::parse(spec_text)}, {"model", spec.model},
                   {"seed", spec.seed},      {"points", points.size()}};
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  manifest["host"] = host;
  write_file_atomic((dir / "manifest.json").string(), dump_readable(manifest));

  // What finished before: the ok points of the journal (merge: of every shard's journal) whose records are in place.
  std::map<std::string, json> done;
  char jname[64];
  std::snprintf(jname, sizeof jname, "journal.shard-%d-of-%d.jsonl", opt.shard, opt.shards);
  const std::string journal = (dir / (sharded ? std::string(jname) : std::string("journal.jsonl"))).string();
  std::vector<std::string> journals;
  if (opt.merge) {
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().rfind("journal", 0) == 0) journals.push_back(e.path().string());
    std::sort(journals.begin(), journals.end());
  } else if (opt.resume || sharded) {
    journals.push_back(journal);
  }
  for (const auto& jf : journals) {
    std::ifstream in(jf);
    for (std::string line; std::getline(in, line);) {
      json e = json::parse(line, nullptr, false);
      if (e.is_object() && e.value("status", "") == "ok" &&
          fs::exists(dir / "points" / e.value("hash", "") / "stats.json"))
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
        results[i].status = "missing";
        results[i].message = "no shard's journal records this point";
      }
    queue.clear();
  }
  std::map<std::string, size_t> first;  // hash -> a point that has it
  for (const auto& kv : by_hash) first[kv.first] = kv.second.front();
  const std::string base = resolve_config_file(model, spec.base);

  auto finish = [&](const std::string& hash, const std::string& status, double wall, const std::string& msg) {
    json stats;
    if (status == "ok") stats = load_json_file((dir / "points" / hash / "stats.json").string());
    for (size_t i : by_hash[hash]) {
      results[i].status = status;
      results[i].wall_s = wall;
      results[i].stats = stats;
      results[i].message = msg;
    }
    journal_append(journal, {{"hash", hash}, {"status", status}, {"wall_s", wall}});
  };
  for (const auto& kv : done) {
    for (size_t i : by_hash[kv.first]) {
      results[i].status = "ok";
      results[i].wall_s = kv.second.value("wall_s", 0.0);
      results[i].stats = load_json_file((dir / "points" / kv.first / "stats.json").string());
    }
  }

  // Run.
  const bool tty = isatty(2);
  const size_t total = queue.size();
  size_t next = 0, finished = 0, n_ok = 0, n_bad = 0, n_invalid = 0;
  std::vector<Running> running;
  auto t0 = Clock::now(), last_report = t0;
  auto report = [&](bool final_line) {
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
       << " ok=" << n_ok << " invalid=" << n_invalid << " failed=" << n_bad << " (running " << running.size() << ")";
    if (tty)
      std::cerr << "\r" << os.str() << "   " << (final_line ? "\n" : "") << std::flush;
    else
      std::cerr << os.str() << "\n";
  };
  while (next < total || !running.empty()) {
    while (next < total && (int)running.size() < opt.jobs) {
      const std::string& h = queue[next++];
      for (const auto& e : fs::directory_iterator(dir / "points"))  // a record without a journal line is redone
        if (e.path().filename() == h || e.path().filename().string().rfind(h + ".tmp-", 0) == 0)
          fs::remove_all(e.path());
      running.push_back({start_child(opt, spec.model, base, points[first[h]]), h, Clock::now()});
    }
    bool progressed = false;
    for (size_t k = 0; k < running.size();) {
      Running& r = running[k];
      int st = 0;
      pid_t w = waitpid(r.pid, &st, WNOHANG);
      double wall = std::chrono::duration<double>(Clock::now() - r.start).count();
      std::string status, msg;
      if (w == r.pid) {
        std::string err = (dir / "logs" / (r.hash + ".err")).string();
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
          status = "ok";
        } else if (WIFEXITED(st) && WEXITSTATUS(st) == 2) {
          status = "invalid";
          msg = tail_lines(err, 5);
        } else {
          status = "failed";
          msg = (WIFSIGNALED(st) ? "killed by signal " + std::to_string(WTERMSIG(st))
                                 : "exit " + std::to_string(WEXITSTATUS(st))) +
                "\n" + tail_lines(err, 5);
        }
      } else if (wall > opt.timeout_s) {
        kill(r.pid, SIGKILL);
        waitpid(r.pid, &st, 0);
        status = "timeout";
        msg = "no result after " + format_double(opt.timeout_s) + " s; killed";
      } else {
        ++k;
        continue;
      }
      if (status != "ok")  // a process that died leaves its half-written record behind
        for (const auto& e : fs::directory_iterator(dir / "points"))
          if (e.path().filename().string().rfind(r.hash + ".tmp-", 0) == 0) fs::remove_all(e.path());
      finish(r.hash, status, wall, msg);
      ++finished;
      if (status == "ok")
        ++n_ok;
      else if (status == "invalid")
        ++n_invalid;
      else
        ++n_bad;
      running.erase(running.begin() + k);
      progressed = true;
    }
    auto now = Clock::now();
    if ((tty && progressed && now - last_report > std::chrono::milliseconds(100)) ||
        now - last_report > std::chrono::seconds(10)) {
      report(false);
      last_report = now;
    }
    if (!progressed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  report(true);

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
  manifest["started_unix"] = std::chrono::duration_cast<std::chrono::seconds>(started.time_since_epoch()).count();
  manifest["finished_unix"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  write_file_atomic((dir / "manifest.json").string(), dump_readable(manifest));
  return results;
}

std::string pareto_report(const std::string& d) {
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
    ++front;
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
  return os.str();
}

}  // namespace tf::sweep
