// End-to-end checks of `tinyforge` as a user runs it: the run record, --json purity, determinism, the
// ledger's laws seen through the CLI, tracing, micro-op programs.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
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

// ---- the analog CIM macro (sim acim) --------------------------------------------------------------------------
namespace {
json acim_json(const std::string& args) {
  Result r = run("sim acim --json " + args);
  REQUIRE(r.code == 0);
  return json::parse(r.out);
}
}  // namespace

TEST_CASE("acim: the ledger closes, ADC energy follows FOM_W 2^bits (with Vdd^2) + 12 kT 4^bits (without), the array's C V^2 follows Vdd "
          "and the unit capacitance",
          "[cli][acim]") {
  const std::string q = " --set noise.enable=false";
  json a = acim_json("--out " + tmp("a1") + q);
  CHECK(a["mismatches"] == 0);  // noise off, 8-bit ADC over a 64-row column: exact
  CHECK(sum_values(a["energy_by_component_pJ"]) == Approx(a["energy_pJ"].get<double>()));
  CHECK(sum_values(a["energy_by_action_pJ"]) == Approx(a["energy_pJ"].get<double>()));
  CHECK(sum_values(a["energy_by_stage_pJ"]) == Approx(a["energy_dynamic_pJ"].get<double>()));
  // ADC: per conversion FOM_W 2^b at the table's nominal supply, plus the thermal bound 12 kT 4^b (its own
  // action), which no supply changes.
  json t = json::parse(tf::read_file(tf::data_dir() + "/configs/tech/65nm_acim.json"));
  const double fom = t["components"]["adc_sar"]["actions"]["convert_step"]["energy_pJ"].get<double>();
  const double kt = 1.380649e-23 * 300 * 1e12;  // pJ
  for (int b : {4, 6, 10, 16}) {
    for (double vdd : {1.2, 0.9}) {
      json s = acim_json("--out " + tmp("ab" + std::to_string(b) + "v" + std::to_string((int)(vdd * 10))) + q +
                         " --set macro.adc_bits=" + std::to_string(b) + " --set tech.vdd_V=" + std::to_string(vdd));
      const double conv = s["action_counts"]["adcs.convert_step"].get<double>();
      CHECK(conv == a["action_counts"]["adcs.convert_step"].get<double>());
      CHECK(s["action_counts"]["adc_thermal.kt_4b"].get<double>() == conv);
      const double per = s["energy_by_action_pJ"]["adcs.convert_step"].get<double>() / conv;
      CHECK(per == Approx(fom * std::ldexp(1.0, b) * (vdd / 1.2) * (vdd / 1.2)).epsilon(1e-6));
      const double th = s["energy_by_action_pJ"]["adc_thermal.kt_4b"].get<double>() / conv;
      CHECK(th == Approx(12 * kt * std::ldexp(1.0, 2 * b)).epsilon(1e-6));
      CHECK(s["adc_pj_per_conversion"].get<double>() * conv ==
            Approx(s["energy_by_component_pJ"]["adcs"].get<double>() + th * conv).epsilon(1e-9));
    }
  }
  // C V^2: the same data at 0.9 V costs (0.9 / 1.2)^2 in the cells; twice the unit capacitance costs twice.
  json v = acim_json("--out " + tmp("av") + q + " --set tech.vdd_V=0.9");
  CHECK(v["energy_by_action_pJ"]["cells.unit_charge"].get<double>() ==
        Approx(a["energy_by_action_pJ"]["cells.unit_charge"].get<double>() * 0.5625));
  json c2 = acim_json("--out " + tmp("ac2") + q + " --set macro.c_unit_fF=2");
  CHECK(c2["energy_by_action_pJ"]["cells.unit_charge"].get<double>() ==
        Approx(2 * a["energy_by_action_pJ"]["cells.unit_charge"].get<double>()));
  // unit_charge counts the ideal analog values: x_u w_u summed over every conversion, here from the data.
  CHECK(a["action_counts"]["cells.unit_charge"].get<double>() > 0);
  // Node scaling leaves the capacitor energies and the ADC's FOM alone (node_independent_energy in the table)
  // and scales the row drivers' wires and the digital periphery by the node's capacitance factor.
  json n22 = acim_json("--out " + tmp("an22") + q + " --set tech.node_nm=22");
  const double cf = n22["scaling"]["capacitance_factor"].get<double>();
  REQUIRE(cf < 0.9);
  for (const char* k : {"cells.unit_charge", "columns.reset", "adcs.convert_step"})
    CHECK(n22["energy_by_action_pJ"][k].get<double>() == Approx(a["energy_by_action_pJ"][k].get<double>()));
  for (const char* k : {"row_drivers.drive", "accumulators.write_bit"})
    CHECK(n22["energy_by_action_pJ"][k].get<double>() == Approx(cf * a["energy_by_action_pJ"][k].get<double>()));
}

TEST_CASE("acim: the array's layout overhead scales its area only, and ADC area goes linearly with the node",
          "[cli][acim]") {
  const std::string q = " --set noise.enable=false";
  json a = acim_json("--out " + tmp("ar1") + q);
  json k = acim_json("--out " + tmp("ar2") + q + " --set macro.array_area_overhead=3");
  const json &A = a["area_by_component_um2"], &K = k["area_by_component_um2"];
  double sum = 0;
  for (const auto& c : A.items()) {
    const bool array = c.key() == "cells" || c.key() == "columns" || c.key() == "row_drivers";
    CHECK(K[c.key()].get<double>() == Approx((array ? 3 : 1) * c.value().get<double>()));
    sum += K[c.key()].get<double>();
  }
  CHECK(k["area_um2"].get<double>() == Approx(sum));
  CHECK(k["energy_pJ"].get<double>() == Approx(a["energy_pJ"].get<double>()));  // leakage stays with the devices
  // 2-bit cells: twice the SRAM cells of 1-bit ones.
  json c2 = acim_json("--out " + tmp("ar3") + q + " --set macro.cell_bits=2");
  CHECK(c2["area_by_component_um2"]["cells"].get<double>() == Approx(2 * A["cells"].get<double>()));
  json n22 = acim_json("--out " + tmp("ar4") + q + " --set tech.node_nm=22");
  CHECK(n22["area_by_component_um2"]["adcs"].get<double>() == Approx(A["adcs"].get<double>() * 22.0 / 65.0));
  CHECK(n22["area_by_component_um2"]["cells"].get<double>() ==
        Approx(A["cells"].get<double>() * n22["scaling"]["area_factor"].get<double>()));
}

TEST_CASE("acim: delays follow the alpha-power law from the node's nominal supply", "[cli][acim]") {
  // timing.* hold at the node's nominal supply (65 nm table: 1.2 V; at 22 nm 1.2 V x 0.9 / 1.1, the ratio of
  // the node-scaling table's nominal supplies); at V they scale by [V / (V - Vt)^a] / [V0 / (V0 - Vt)^a].
  auto d = [](double v, double vt, double a) { return v / std::pow(v - vt, a); };
  const std::string q = " --set noise.enable=false";
  json n = acim_json("--out " + tmp("t1") + q);
  json lo = acim_json("--out " + tmp("t2") + q + " --set tech.vdd_V=0.8");
  CHECK(lo["latency_ns"].get<double>() / n["latency_ns"].get<double>() == Approx(d(0.8, 0.3, 1.3) / d(1.2, 0.3, 1.3)));
  json other = acim_json("--out " + tmp("t3") + q + " --set tech.vdd_V=0.8 --set timing.vt_V=0.4 --set timing.alpha=2");
  CHECK(other["latency_ns"].get<double>() / n["latency_ns"].get<double>() == Approx(d(0.8, 0.4, 2) / d(1.2, 0.4, 2)));
  json n22 = acim_json("--out " + tmp("t4") + q + " --set tech.node_nm=22 --set tech.vdd_V=" + std::to_string(1.2 * 0.9 / 1.1));
  CHECK(n22["latency_ns"].get<double>() == Approx(n["latency_ns"].get<double>()).epsilon(1e-5));
  json n22b = acim_json("--out " + tmp("t5") + q + " --set tech.node_nm=22 --set tech.vdd_V=0.8");
  const double v0 = 1.2 * 0.9 / 1.1;
  CHECK(n22b["latency_ns"].get<double>() / n["latency_ns"].get<double>() == Approx(d(0.8, 0.3, 1.3) / d(v0, 0.3, 1.3)));
  CHECK(n["throughput_tops"].get<double>() == Approx(2 * n["macs"].get<double>() / n["latency_ns"].get<double>() / 1e3));
}

TEST_CASE("acim: same seeds, same bits; another chip seed, another chip; larger unit capacitors, less noise",
          "[cli][acim]") {
  json a = acim_json("--out " + tmp("d1") + " --set chips=3");
  json b = acim_json("--out " + tmp("d2") + " --set chips=3");
  for (const char* k : {"snr_db", "rms_error", "energy_pJ", "mismatches"}) CHECK(a[k] == b[k]);
  json c = acim_json("--out " + tmp("d3") + " --set chips=3 --set chip_seed=2");
  CHECK(c["snr_db"] != a["snr_db"]);
  // Thermal noise alone (no static variation, no ADC noise), a 10-bit ADC at one unit per LSB: kT/C shrinks
  // with the unit capacitance.
  const std::string th = " --set noise.gain_sigma=0 --set noise.offset_sigma_lsb=0 --set noise.read_sigma_lsb=0 "
                         "--set noise.cap_matching_pct=0 --set macro.adc_bits=10 --set macro.c_column_fF=0";
  json small = acim_json("--out " + tmp("d4") + th + " --set macro.c_unit_fF=0.01");
  json big = acim_json("--out " + tmp("d5") + th + " --set macro.c_unit_fF=10");
  CHECK(small["snr_db"].get<double>() < big["snr_db"].get<double>());
  CHECK(big["mismatches"] == 0);
}

TEST_CASE("acim: the digits MLP's float accuracy equals its training script's outputs, and the noise-free macro "
          "reproduces the ideal quantized network",
          "[cli][acim]") {
  const std::string net = tf::data_dir() + "/configs/models/digits_mlp.onnx";
  json tv = json::parse(tf::read_file(tf::data_dir() + "/configs/models/digits_mlp_test.json"));
  int ok = 0;
  for (size_t k = 0; k < tv["labels"].size(); ++k) {
    const auto& o = tv["outputs"][k];
    size_t a = 0;
    for (size_t i = 1; i < o.size(); ++i)
      if (o[i].get<double>() > o[a].get<double>()) a = i;
    ok += (int)a == tv["labels"][k].get<int>();
  }
  const double float_acc = (double)ok / tv["labels"].size();
  json ideal = acim_json("--out " + tmp("n1") + " --network " + net +
                         " --set noise.enable=false --set macro.adc_bits=12 --set workload.w_bits=8 --set workload.x_bits=8");
  CHECK(ideal["accuracy_float"].get<double>() == Approx(float_acc));
  CHECK(ideal["images"] == 360);
  CHECK(ideal["accuracy_mean"] == ideal["accuracy_ideal"]);
  CHECK(ideal["agreement_min"] == 1.0);
  CHECK(ideal["snr_db_0"] == 200.0);
  CHECK(ideal["accuracy_ideal"].get<double>() >= float_acc - 0.02);  // 8-bit quantization costs little
  // Noise costs accuracy; a 1-bit ADC costs nearly all of it.
  json noisy = acim_json("--out " + tmp("n2") + " --network " + net + " --set chips=4 --set macro.adc_bits=1");
  CHECK(noisy["accuracy_mean"].get<double>() < ideal["accuracy_mean"].get<double>() - 0.3);
}

// The two networks of scripts/train_acim_aware.py: its record holds each one's float accuracy and, from the
// script's own implementation of the macro in torch (written from docs/acim.md, not from this code), the
// noise-free accuracy at several ADC resolutions. tinyforge must land on the same numbers, and the noise-aware
// network must beat the plain one on the noisy macro it was trained for (docs/acim.md).
TEST_CASE("acim: the hardware-aware and plain networks match their training script's float and noise-free macro "
          "accuracies, and the aware one keeps more accuracy on the noisy macro",
          "[cli][acim]") {
  const std::string dir = tf::data_dir() + "/configs/models/";
  json rec = json::parse(tf::read_file(dir + "digits_mlp_acim_training.json"));
  std::string sets;
  for (const auto& s : rec["set"]) sets += " --set " + s.get<std::string>();
  std::map<std::string, double> at4;
  for (const std::string kind : {"plain", "aware"}) {
    const json& m = rec["models"][kind];
    const std::string net = dir + m["onnx"].get<std::string>();
    for (const auto& kv : m["noise_free_by_adc_bits"].items()) {
      json r = acim_json("--out " + tmp("hw" + kind + kv.key()) + " --network " + net + sets +
                         " --set noise.enable=false --set macro.adc_bits=" + kv.key());
      INFO(kind << " at " << kv.key() << " ADC bits");
      CHECK(r["accuracy_float"].get<double>() == Approx(m["accuracy_float"].get<double>()).epsilon(1e-12));
      CHECK(r["accuracy_mean"].get<double>() == Approx(kv.value()["accuracy"].get<double>()).epsilon(1e-12));
      CHECK(r["accuracy_ideal"].get<double>() == Approx(kv.value()["accuracy_ideal"].get<double>()).epsilon(1e-12));
    }
    json noisy = acim_json("--out " + tmp("hwn" + kind) + " --network " + net + sets + " --set chips=10");
    at4[kind] = noisy["accuracy_mean"].get<double>();
  }
  INFO("noisy macro at the training point: plain " << at4["plain"] << ", aware " << at4["aware"]);
  CHECK(at4["aware"] > at4["plain"] + 0.03);
}
