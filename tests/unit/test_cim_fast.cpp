// The cim model's fast path (run_fast: plain C++, no SystemC, no files) against the SystemC model, which runs
// as a child process (`tinyforge sim cim --json`, one elaboration per process): on seeded random design points
// (array shape, word width, cell, clock, technology and node/Vdd scaling, stage latencies, forwarding,
// interleave, MVM/BNN/HDC workloads with their sizes and precisions, seeded or from data files, random
// micro-op programs), every stats entry must be equal, doubles as doubles, except sim_wall_s. The fast path
// runs in two threads at once, and again in one thread: the same bits.
#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/diagnostics.h"
#include "core/registry.h"

extern char** environ;

namespace fs = std::filesystem;
using tf::json;

namespace {

const std::string kTinyforge = TF_TINYFORGE_BIN;
const std::string kSource = TF_SOURCE_DIR;
const std::string kConfig = kSource + "/configs/cim/digital_28nm.json";

struct Point {
  std::vector<std::string> sets;  // PATH=VALUE over the bundled default config
  std::string kind;
};

std::string describe(const Point& p) {
  std::string s;
  for (const auto& a : p.sets) s += " --set '" + a + "'";
  return s;
}

std::string real(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

// ---- random design points ----------------------------------------------------------------------------

class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool coin(double p) { return uniform(0, 1) < p; }
  template <class T>
  const T& one_of(const std::vector<T>& v) {
    return v[pick(0, (int)v.size() - 1)];
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

std::string hex_row(Draw& d, int cols) {
  static const char* hx = "0123456789abcdef";
  const int digits = (cols + 3) / 4;
  std::string s(digits, '0');
  for (int k = 0; k < digits; ++k) {
    int bits = std::min(4, cols - 4 * k), v = d.pick(0, (1 << bits) - 1);
    if (d.coin(0.1)) v = (1 << bits) - 1;  // runs of ones: carries through whole words
    s[digits - 1 - k] = hx[v];
  }
  return "0x" + s;
}

// A random micro-op program using every operation, with back-to-back dependences.
// Rows are named by index, accumulators (ACCS of them) by "accK".
// With BIT_SERIAL, also fadd/fsub (with cin), carry, tag and predicated writes.
std::string random_program(Draw& d, int rows, int cols, int wb, int accs, bool bit_serial, int n_ops) {
  static const std::vector<std::string> two = {"and", "or", "xor", "nand", "nor", "xnor", "add", "sub"};
  std::string out = "{\"ops\": [\n";
  std::string last_dst;
  auto any = [&] {
    return accs > 0 && d.coin(0.25) ? "\"acc" + std::to_string(d.pick(0, accs - 1)) + "\""
                                    : std::to_string(d.pick(0, rows - 1));
  };
  for (int i = 0; i < n_ops; ++i) {
    auto row = [&] { return (!last_dst.empty() && d.coin(0.4)) ? last_dst : any(); };
    std::string dst = d.coin(0.7) ? any() : std::string("\"out\"");
    std::string o;
    int r = i < 4 ? 0 : d.pick(0, 9);
    if (r == 0) {
      std::string w = i < 4 ? std::to_string(i % rows) : any();
      o = "{\"op\": \"write\", \"row\": " + w + ", \"data\": \"" + hex_row(d, cols) + "\"}";
      last_dst = w;
      dst.clear();
    } else if (r == 1) {
      o = "{\"op\": \"read\", \"row\": " + row() + "}";
      dst.clear();
    } else if (r == 2) {
      o = std::string("{\"op\": \"") + (d.coin(0.5) ? "shl" : "shr") + "\", \"row\": " + row() +
          ", \"k\": " + std::to_string(d.pick(0, wb)) + ", \"dst\": " + dst + "}";
    } else if (r == 3) {
      o = "{\"op\": \"popcount\", \"row\": " + row() + ", \"mode\": \"" +
          (d.coin(0.5) ? "row" : "word") + "\", \"dst\": " + dst + "}";
    } else if (bit_serial && r == 4) {
      o = d.coin(0.5) ? "{\"op\": \"tag\", \"row\": " + row() + "}" : "{\"op\": \"carry\", \"dst\": " + any() + "}";
      dst.clear();
    } else if (bit_serial && r == 5) {
      if (dst == "\"out\"") dst = any();
      std::string cin = d.coin(0.5) ? "" : std::string(", \"cin\": ") + (d.coin(0.5) ? "1" : "0");
      o = std::string("{\"op\": \"") + (d.coin(0.5) ? "fadd" : "fsub") + "\", \"a\": " + row() +
          ", \"b\": " + row() + ", \"dst\": " + dst + cin + "}";
    } else {
      o = "{\"op\": \"" + d.one_of(two) + "\", \"a\": " + row() + ", \"b\": " + row() + ", \"dst\": " + dst + "}";
    }
    // Predicate a third of the ops that write a row or an accumulator.
    if (bit_serial && !dst.empty() && dst != "\"out\"" && d.coin(0.33)) o.insert(o.size() - 1, ", \"pred\": true");
    if (!dst.empty() && dst != "\"out\"") last_dst = dst;
    out += "  " + o + (i + 1 < n_ops ? ",\n" : "\n");
  }
  return out + "]}\n";
}

void write_text(const fs::path& p, const std::string& s) {
  std::ofstream f(p);
  f << s;
}

// Workload data files (docs/cim.md, "Workload data") of the point's kind.
std::string mvm_data(Draw& d, const std::vector<std::array<int, 4>>& layers) {  // m, n, w_bits, x_bits (signed)
  json L = json::array();
  for (const auto& l : layers) {
    auto v = [&](int bits) { return (int64_t)d.pick(-(1 << (bits - 1)), (1 << (bits - 1)) - 1); };
    json w = json::array();
    for (int i = 0; i < l[0]; ++i) {
      json r = json::array();
      for (int j = 0; j < l[1]; ++j) r.push_back(v(l[2]));
      w.push_back(r);
    }
    json x = json::array();
    for (int j = 0; j < l[1]; ++j) x.push_back(v(l[3]));
    L.push_back(json{{"w", w}, {"x", x}});
  }
  return json{{"layers", L}}.dump();
}

Point random_point(Draw& d, int index, const fs::path& work) {
  Point p;
  auto set = [&](const std::string& path, const std::string& v) { p.sets.push_back(path + "=" + v); };
  static const std::vector<int> kWordBits = {2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64};
  const int wb = d.one_of(kWordBits);
  const int words = std::max((8 + wb - 1) / wb, d.pick(1, std::max(1, 320 / wb)));
  const int cols = wb * words, rows = d.pick(8, 72);
  set("macro.rows", std::to_string(rows));
  set("macro.cols", std::to_string(cols));
  set("macro.word_bits", std::to_string(wb));
  set("macro.cell", d.one_of(std::vector<std::string>{"6t", "8t", "10t"}));
  const int accs = d.coin(0.5) ? 0 : d.pick(1, 8);
  if (accs > 0 || d.coin(0.5)) set("macro.accumulators", std::to_string(accs));
  const bool bit_serial = d.coin(0.5);
  set("macro.bit_serial", bit_serial ? "true" : "false");
  if (d.coin(0.5)) set("macro.dual_row", d.one_of(std::vector<std::string>{"auto", "on", "off"}));
  set("macro.freq_MHz",
      d.coin(0.5) ? real(d.one_of(std::vector<double>{100, 200, 333, 1000, 3000})) : real(d.uniform(1, 5000)));
  set("tech.table", d.one_of(std::vector<std::string>{"28nm", "65nm", "22nm"}));
  if (d.coin(0.4)) set("tech.node_nm", real(d.uniform(7, 180)));
  if (d.coin(0.4)) set("tech.vdd_V", real(d.uniform(0.3, 2.0)));
  for (const char* st : {"decode", "bitline", "sense", "adder1", "adder2", "writeback"})
    if (d.coin(0.4)) set(std::string("pipeline.") + st + "_cycles", std::to_string(d.pick(1, 4)));
  set("pipeline.forwarding", d.coin(0.5) ? "true" : "false");
  if (d.coin(0.5)) set("mapper.interleave", std::to_string(d.pick(1, 6)));
  set("mapper.skip_zero_bits", d.coin(0.5) ? "true" : "false");
  if (d.coin(0.7)) set("mapper.mvm", d.coin(0.5) ? "direct" : "gated");
  set("seed", std::to_string(d.pick(0, 1 << 30)));
  const bool data = d.coin(0.12);
  const int r = d.pick(0, 12);
  p.kind = r < 6 ? "mvm" : r < 8 ? "bnn" : r < 10 ? "hdc" : r < 11 && bit_serial ? "vector" : "program";
  set("workload.kind", p.kind);
  const std::string file = (work / ("point" + std::to_string(index) + ".json")).string();
  if (p.kind == "mvm") {
    // Precisions and sizes mostly chosen so that results fit a word; some do not (the point is skipped).
    json layers = json::array();
    std::vector<std::array<int, 4>> dims;
    for (int k = d.pick(1, 3); k > 0; --k) {
      int wbits = d.pick(1, std::max(1, std::min(8, wb / 3))), xbits = d.pick(1, std::max(1, std::min(8, wb / 3)));
      int room = std::max(0, wb - wbits - xbits), nmax = std::min(rows, room >= 20 ? rows : 1 << room);
      int m = d.coin(0.3) ? 0 : d.pick(1, words), n = d.coin(0.2) ? 0 : d.pick(1, std::max(1, nmax));
      json l{{"m", m}, {"n", n}, {"w_bits", wbits}, {"x_bits", xbits}};
      if (data) {
        dims.push_back({std::max(1, m), std::max(1, std::min(n, rows - 14)), std::max(2, wbits), std::max(2, xbits)});
        l = json{{"w_bits", dims.back()[2]}, {"x_bits", dims.back()[3]}};
      } else {
        if (d.coin(0.5)) l["w_signed"] = d.coin(0.5);
        if (d.coin(0.5)) l["x_signed"] = d.coin(0.5);
      }
      layers.push_back(l);
    }
    set("workload.layers", layers.dump());
    if (d.coin(0.25)) set("workload.resident", "true");  // valid with one layer and the direct mapping
    if (data) {
      write_text(file, mvm_data(d, dims));
      set("workload.data", file);
    }
  } else if (p.kind == "bnn") {
    if (data) {
      int m = d.pick(1, rows - 7), n = d.pick(1, cols);
      json w = json::array(), x = json::array();
      for (int i = 0; i < m; ++i) {
        json row = json::array();
        for (int j = 0; j < n; ++j) row.push_back(d.coin(0.5) ? 1 : -1);
        w.push_back(row);
      }
      for (int j = 0; j < n; ++j) x.push_back(d.coin(0.5) ? 1 : -1);
      write_text(file, json{{"w", w}, {"x", x}}.dump());
      set("workload.data", file);
    } else {
      if (d.coin(0.7)) set("workload.bnn.m", std::to_string(d.pick(1, rows)));
      if (d.coin(0.7)) set("workload.bnn.n", std::to_string(d.pick(1, cols)));
    }
  } else if (p.kind == "hdc") {
    if (data) {
      int classes = d.pick(1, rows - 9), dim = d.pick(1, cols);
      auto hv = [&] {
        json v = json::array();
        for (int k = 0; k < dim; ++k) v.push_back(d.pick(0, 1));
        return v;
      };
      json protos = json::array();
      for (int c = 0; c < classes; ++c) protos.push_back(hv());
      write_text(file, json{{"prototypes", protos}, {"key", hv()}, {"value", hv()}}.dump());
      set("workload.data", file);
    } else {
      if (d.coin(0.7)) set("workload.hdc.dim", std::to_string(d.pick(1, cols)));
      set("workload.hdc.classes", std::to_string(d.pick(1, rows)));
    }
  } else if (p.kind == "vector") {
    const bool mul = d.coin(0.5);
    set("workload.vector.op", mul ? "mul" : "add");
    set("workload.vector.bits", std::to_string(d.pick(1, std::max(1, std::min(20, mul ? rows / 4 : (rows - 1) / 3)))));
    if (d.coin(0.5)) set("workload.vector.elements", std::to_string(d.pick(1, cols)));
    if (d.coin(0.5)) set("workload.resident", "true");
    if (d.coin(0.3)) set("workload.vector.repeat", std::to_string(d.pick(1, 4)));
  } else {
    write_text(file, random_program(d, rows, cols, wb, accs, bit_serial, d.pick(1, 120)));
    set("workload.program", file);
  }
  return p;
}

// ---- the two evaluations ------------------------------------------------------------------------------

// Runs ARGS (ARGS[0] = the program), returns its exit status and stdout; stderr is discarded.
int run_child(const std::vector<std::string>& args, std::string& out) {
  int fd[2];
  if (pipe(fd) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
  posix_spawn_file_actions_addclose(&fa, fd[0]);
  posix_spawn_file_actions_addclose(&fa, fd[1]);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fd[1]);
  if (rc != 0) {
    close(fd[0]);
    return -1;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0) out.append(buf, (size_t)n);
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Outcome {
  bool valid = false;  // passed validation in this process
  std::string fast_error;
  bool fast_input_error = false;
  json fast;
  int child_status = -1;
  json systemc;
};

// Differences of FAST from REF, by path; doubles must be equal as doubles (and both doubles), integers
// equal as integers, keys in the same order. sim_wall_s (top level) is not compared.
void compare(const json& fast, const json& ref, const std::string& path, std::vector<std::string>& diffs) {
  auto show = [](const json& j) { return j.dump(); };
  if (ref.is_object()) {
    if (!fast.is_object()) {
      diffs.push_back(path + ": fast " + show(fast) + ", SystemC an object");
      return;
    }
    std::string kf, kr;
    for (const auto& kv : fast.items()) kf += kv.key() + " ";
    for (const auto& kv : ref.items()) kr += kv.key() + " ";
    if (kf != kr) diffs.push_back(path + ": keys: fast [" + kf + "], SystemC [" + kr + "]");
    for (const auto& kv : ref.items()) {
      if (path.empty() && kv.key() == "sim_wall_s") continue;
      if (!fast.contains(kv.key())) continue;
      compare(fast.at(kv.key()), kv.value(), path.empty() ? kv.key() : path + "." + kv.key(), diffs);
    }
  } else if (ref.is_number_float()) {
    if (!fast.is_number_float() || fast.get<double>() != ref.get<double>())
      diffs.push_back(path + ": fast " + real(fast.is_number() ? fast.get<double>() : 0) + " (" + show(fast) +
                      "), SystemC " + real(ref.get<double>()));
  } else if (ref.is_number_integer()) {
    if (!fast.is_number_integer() || fast != ref)
      diffs.push_back(path + ": fast " + show(fast) + ", SystemC " + show(ref));
  } else if (fast != ref) {
    diffs.push_back(path + ": fast " + show(fast) + ", SystemC " + show(ref));
  }
}

json without_wall(json j) {
  if (j.is_object()) j.erase("sim_wall_s");
  return j;
}

}  // namespace

TEST_CASE("cim fast path: every stats entry equals the SystemC model's on random design points", "[cim][fast]") {
  REQUIRE(fs::exists(kTinyforge));
  const tf::ModelEntry* entry = tf::find_model("cim");
  REQUIRE(entry);
  std::unique_ptr<tf::Model> model = entry->make();
  REQUIRE(model->has_fast());
  tf::ParamSet params;
  model->declare(params);

  char tmpl[] = "/tmp/tf_cim_fast_XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const fs::path work(tmpl);
  struct RemoveAtEnd {
    fs::path dir;
    ~RemoveAtEnd() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } remove_at_end{work};

  // Fixed points (the bundled config as it is, the example program, an empty program (bad input: both paths
  // must refuse it), a large array), then
  // random ones.
  const fs::path empty_program = work / "empty_program.json";
  write_text(empty_program, "{\"ops\": []}\n");
  const std::vector<Point> fixed = {
      {{}, "mvm"},
      {{"workload.kind=program", "workload.program=" + kSource + "/configs/cim/example_program.json"}, "program"},
      {{"workload.kind=program", "workload.program=" + empty_program.string()}, "program"},
      {{"workload.kind=bnn", "macro.cell=8t", "pipeline.forwarding=true"}, "bnn"},
      {{"workload.kind=hdc", "macro.rows=512", "macro.cols=1024", "macro.word_bits=32"}, "hdc"},
  };
  const int kRandomValid = 240;  // random points that pass validation
  std::vector<Point> points;
  std::vector<tf::Config> configs;
  for (const auto& p : fixed) {
    points.push_back(p);
    configs.push_back(tf::load_and_validate(params, kConfig, p.sets));
  }
  Draw draw(20261202);
  int drawn = 0;
  while ((int)configs.size() < (int)fixed.size() + kRandomValid) {
    REQUIRE(drawn < 20 * kRandomValid);
    Point p = random_point(draw, drawn++, work);
    try {
      configs.push_back(tf::load_and_validate(params, kConfig, p.sets));
      points.push_back(p);
    } catch (const tf::InputError&) {
      // Not a valid design point (e.g. MVM results that do not fit a word): skipped.
    }
  }
  INFO(drawn << " random points drawn, " << drawn - kRandomValid << " rejected by validation");
  std::vector<Outcome> outcomes(points.size());

  // Both evaluations of each point, in two threads: the fast path in-process, SystemC as a child process.
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k; (k = next++) < points.size();) {
      Outcome& o = outcomes[k];
      try {
        o.fast = model->run_fast(configs[k]);
      } catch (const tf::InputError& e) {
        o.fast_error = std::string("input error: ") + e.what();
        o.fast_input_error = true;
      } catch (const std::exception& e) {
        o.fast_error = e.what();
      }
      std::vector<std::string> args = {kTinyforge, "sim",    "cim",   "--config",
                                       kConfig,    "--json", "--out", (work / ("run" + std::to_string(k))).string()};
      for (const auto& s : points[k].sets) args.insert(args.end(), {"--set", s});
      std::string out;
      o.child_status = run_child(args, out);
      if (o.child_status == 0) {
        try {
          o.systemc = json::parse(out);
        } catch (const std::exception&) {
          o.child_status = -2;
        }
      }
    }
  };
  std::thread t1(worker), t2(worker);
  t1.join();
  t2.join();

  int compared = 0, failed = 0;
  std::map<std::string, int> by_kind;
  for (size_t k = 0; k < points.size(); ++k) {
    const Outcome& o = outcomes[k];
    INFO("point " << k << ":" << describe(points[k]));
    if (!o.fast_error.empty() || o.child_status != 0) {
      // A point the model rejects when it runs (a data file beyond the array): both paths must reject it.
      INFO("fast path: " << (o.fast_error.empty() ? "ok" : o.fast_error) << "; SystemC exit status " << o.child_status);
      CHECK(o.fast_input_error);
      UNSCOPED_INFO("rejected: " << o.fast_error);
      CHECK(o.child_status == 2);
      ++failed;
      continue;
    }
    std::vector<std::string> diffs;
    compare(o.fast, o.systemc, "", diffs);
    std::string all;
    for (size_t i = 0; i < diffs.size() && i < 12; ++i) all += "\n  " + diffs[i];
    INFO("differences (fast vs SystemC):" << all);
    CHECK(diffs.empty());
    // Deterministic: the same point again, in this thread, gives the same bits.
    CHECK(without_wall(model->run_fast(configs[k])) == without_wall(o.fast));
    ++compared;
    ++by_kind[points[k].kind];
  }
  INFO(compared << " points compared, " << failed << " rejected by both at run time");
  WARN(compared << " design points compared (" << by_kind["mvm"] << " mvm, " << by_kind["bnn"] << " bnn, "
                << by_kind["hdc"] << " hdc, " << by_kind["vector"] << " vector, " << by_kind["program"] << " program), "
                << failed
                << " rejected by both paths at run time, " << drawn - kRandomValid
                << " random draws rejected by validation");
  CHECK(compared >= 200);
  for (const char* kind : {"mvm", "bnn", "hdc", "program"}) CHECK(by_kind[kind] >= 15);
  CHECK(by_kind["vector"] >= 5);
}
