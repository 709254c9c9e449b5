// End-to-end checks of `tinyforge` as a user runs it: the run record, --json purity, determinism, the
// ledger's laws seen through the CLI, tracing, micro-op programs.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/util.h"

namespace fs = std::filesystem;
using tf::json;

namespace {

struct Result {
  int code;
  std::string out;
};

Result run(const std::string& args) {
  std::string cmd = std::string(TINYFORGE_BIN) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string tmp(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("tf_cli_" + std::to_string(getpid()));
  fs::create_directories(d);
  return (d / name).string();
}

json sim_json(const std::string& args) {
  Result r = run("sim cim --json " + args);
  REQUIRE(r.code == 0);
  return json::parse(r.out);  // --json prints nothing but the stats JSON
}

double sum_values(const json& o) {
  double s = 0;
  for (auto it = o.begin(); it != o.end(); ++it) s += it.value().get<double>();
  return s;
}

}  // namespace

TEST_CASE("list and describe", "[cli]") {
  Result l = run("list");
  CHECK(l.code == 0);
  CHECK(l.out.find("cim ") != std::string::npos);
  Result d = run("describe cim");
  CHECK(d.code == 0);
  for (const char* p : {"macro.rows", "macro.cols", "macro.word_bits", "macro.cell", "pipeline.forwarding",
                        "workload.layers[].w_bits", "mapper.interleave", "tech.vdd_V"})
    CHECK(d.out.find(p) != std::string::npos);
  CHECK(run("--help").code == 0);
  CHECK(run("sim cim --help").out.find("--program") != std::string::npos);
}

TEST_CASE("the default design point leaves a complete run record", "[cli]") {
  std::string dir = tmp("default");
  json s = sim_json("--out " + dir);
  for (const char* f :
       {"config.effective.json", "stats.json", "summary.csv", "run.log", "outputs.json", "program.json"})
    CHECK(fs::exists(dir + "/" + f));
  json onfile = tf::load_json_file(dir + "/stats.json");
  CHECK(onfile == s);
  for (const char* k : {"energy_pJ", "latency_cycles", "area_um2", "tops_per_w", "tops_per_mm2", "throughput_gops"})
    CHECK(s.contains(k));
  CHECK(s["self_check_mismatches"] == 0);
  CHECK(s["workload"] == "mvm");
  // Breakdowns add up to the total.
  CHECK(sum_values(s["energy_by_component_pJ"]) == Approx(s["energy_pJ"].get<double>()));
  CHECK(sum_values(s["energy_by_action_pJ"]) == Approx(s["energy_pJ"].get<double>()));
  CHECK(sum_values(s["energy_by_op_pJ"]) == Approx(s["energy_dynamic_pJ"].get<double>()));
  CHECK(sum_values(s["area_by_component_um2"]) == Approx(s["area_um2"].get<double>()));
  std::ifstream csv(dir + "/summary.csv");
  std::string h, v, extra;
  std::getline(csv, h);
  std::getline(csv, v);
  CHECK(h.find("energy_pJ") != std::string::npos);
  CHECK(!v.empty());
  CHECK(!std::getline(csv, extra));
}

TEST_CASE("same config and seed, same bits, another seed, other data", "[cli]") {
  std::string a = tmp("det_a"), b = tmp("det_b"), c = tmp("det_c");
  json sa = sim_json("--out " + a + " --seed 5");
  // Re-run from the effective config of the first run.
  json sb = sim_json("--config " + a + "/config.effective.json --out " + b);
  json sc = sim_json("--out " + c + " --seed 6");
  CHECK(tf::read_file(a + "/outputs.json") == tf::read_file(b + "/outputs.json"));
  sa.erase("sim_wall_s");
  sb.erase("sim_wall_s");
  CHECK(sa == sb);
  CHECK(tf::read_file(a + "/outputs.json") != tf::read_file(c + "/outputs.json"));
}

TEST_CASE("ledger through the CLI: twice the ops, twice the dynamic energy, Vdd scales it by (V/V0)^2", "[cli]") {
  // The gated mapping issues the same ops for any data (the direct one skips zero input bits).
  json one = sim_json("--out " + tmp("l1") + " --set mapper.mvm=gated");
  json two = sim_json("--out " + tmp("l2") + " --set mapper.mvm=gated --set 'workload.layers=[{},{}]'");
  CHECK(two["micro_ops"].get<double>() == 2 * one["micro_ops"].get<double>());
  CHECK(two["energy_dynamic_pJ"].get<double>() == Approx(2 * one["energy_dynamic_pJ"].get<double>()));
  json half = sim_json("--out " + tmp("l3") + " --set mapper.mvm=gated --set tech.vdd_V=0.45");
  CHECK(half["energy_dynamic_pJ"].get<double>() == Approx(0.25 * one["energy_dynamic_pJ"].get<double>()));
  CHECK(half["scaling"]["voltage_factor"].get<double>() == Approx(0.25));
  json n40 = sim_json("--out " + tmp("l4") + " --set tech.node_nm=40 --set tech.vdd_V=0.8");
  CHECK(n40["scaling"]["node_nm"] == 40.0);
  CHECK(n40["scaling"]["energy_factor"].get<double>() ==
        Approx(n40["scaling"]["capacitance_factor"].get<double>() * n40["scaling"]["voltage_factor"].get<double>()));
  CHECK(n40["area_um2"].get<double>() > one["area_um2"].get<double>());
}

TEST_CASE("pipeline clock gating and register activity: closed forms from the table's flip-flop energies", "[cli]") {
  json t = json::parse(tf::read_file(tf::data_dir() + "/configs/tech/28nm.json"));
  const double wb = t["components"]["register"]["actions"]["write_bit"]["energy_pJ"].get<double>();
  const double cb = t["components"]["register"]["actions"]["clock_bit"]["energy_pJ"].get<double>();
  json base = sim_json("--out " + tmp("g0"));
  // Activity 0 and 1: the registers cost clock_bit + 2a (write_bit - clock_bit) per bit written.
  for (double a : {0.0, 1.0}) {
    json r = sim_json("--out " + tmp("ga" + std::to_string((int)a)) + " --set pipeline.register_activity=" +
                      std::to_string(a));
    const double n = r["action_counts"]["pipeline_regs.write_bit"].get<double>();
    CHECK(n == base["action_counts"]["pipeline_regs.write_bit"].get<double>());
    CHECK(r["energy_by_action_pJ"]["pipeline_regs.write_bit"].get<double>() == Approx(n * (cb + 2 * a * (wb - cb))));
    CHECK(r["latency_cycles"] == base["latency_cycles"]);
  }
  // No clock gating: every cycle no op writes a register bank clocks it anyway. The default MVM issues adds
  // only (plus writes and reads), so the idle clocks are 3 cols x (cycles - ops) + words x (cycles - adds).
  json ng = sim_json("--out " + tmp("gn") + " --set pipeline.clock_gating=false");
  const double cycles = ng["latency_cycles"].get<double>(), ops = ng["micro_ops"].get<double>();
  const double adds = ng["micro_ops_by_type"].value("add", 0.0) + ng["micro_ops_by_type"].value("sub", 0.0);
  const double cols = ng["cols"].get<double>(), words = cols / ng["word_bits"].get<double>();
  const double clocks = 3 * cols * (cycles - ops) + words * (cycles - adds);
  CHECK(ng["action_counts"]["pipeline_clock.clock_bit"].get<double>() == clocks);
  CHECK(ng["energy_by_action_pJ"]["pipeline_clock.clock_bit"].get<double>() == Approx(clocks * cb));
  CHECK(ng["energy_pJ"].get<double>() == Approx(base["energy_pJ"].get<double>() + clocks * cb));
  CHECK(ng["area_um2"] == base["area_um2"]);  // the same flip-flops
  CHECK(!base["action_counts"].contains("pipeline_clock.clock_bit"));
}

TEST_CASE("micro-op program from a file, with a waveform", "[cli]") {
  std::string dir = tmp("prog"), vcd = tmp("prog.vcd");
  std::string prog = tf::data_dir() + "/configs/cim/example_program.json";
  json s = sim_json("--program " + prog + " --out " + dir + " --trace " + vcd +
                    " --set macro.cols=16 --set macro.word_bits=8");
  CHECK(s["micro_ops"] == 6);
  json o = tf::load_json_file(dir + "/outputs.json");
  REQUIRE(o["results"].size() == 3);
  CHECK(o["results"][0]["hex"] == "0x0ff0");  // 0x00ff xor 0x0f0f
  CHECK(o["results"][1]["hex"] == "0x0f0e");  // per byte: 0xff+0x0f = 0x0e, 0x00+0x0f = 0x0f
  CHECK(o["results"][2]["count"] == 8);
  std::string v = tf::read_file(vcd);
  CHECK(v.find("stage_bitline_op") != std::string::npos);
  CHECK(v.find("stall") != std::string::npos);
}

TEST_CASE("BNN and HDC workloads pass their self-checks", "[cli]") {
  json b = sim_json("--out " + tmp("bnn") + " --set workload.kind=bnn");
  CHECK(b["self_check_mismatches"] == 0);
  json h = sim_json("--out " + tmp("hdc") + " --set workload.kind=hdc --set macro.cell=6t");
  CHECK(h["self_check_mismatches"] == 0);
  CHECK(h["micro_ops_by_type"].contains("popcount"));
}
