// Core pieces without SystemC: parameter validation, config loading (base, --set), tech tables, scaling,
// the energy ledger.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "core/ledger.h"
#include "core/rundir.h"

namespace fs = std::filesystem;
using namespace tf;

namespace {

ParamSet demo_params() {
  ParamSet p;
  p.integer("macro.rows", 256, 4, 4096, "rows", "rows");
  p.integer("macro.cols", 256, 8, 4096, "cols", "cols");
  p.integer("macro.word_bits", 16, 2, 64, "bits", "word");
  p.real("macro.freq_MHz", 200, 1, 5000, "MHz", "clock");
  p.choice("macro.cell", "10t", {"6t", "8t", "10t"}, "cell");
  p.boolean("pipeline.forwarding", false, "fwd");
  ParamSet layer;
  layer.integer("m", 0, 0, 100, "", "m");
  layer.integer("w_bits", 4, 1, 32, "", "w");
  p.objects("workload.layers", json::array({json::object()}), layer, 1, 8, "layers");
  p.rule([](const Config& c, Diagnostics& d) {
    if (c.i("macro.cols") % c.i("macro.word_bits"))
      d.error(c.origin("macro.cols"), "macro.cols", std::to_string(c.i("macro.cols")), "a multiple of macro.word_bits");
  });
  return p;
}

std::string tmpdir() {
  static int n = 0;
  fs::path d = fs::temp_directory_path() / ("tf_core_test_" + std::to_string(getpid()) + "_" + std::to_string(n++));
  fs::create_directories(d);
  return d.string();
}

void put(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::vector<std::string> errors_of(const ParamSet& p, const std::string& file, const std::vector<std::string>& sets) {
  try {
    load_and_validate(p, file, sets);
  } catch (const InputError& e) {
    return e.messages();
  }
  return {};
}

bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("edit distance and suggestions", "[core]") {
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(closest("macro.rowz", {"macro.rows", "macro.cols"}) == "macro.rows");
  CHECK(closest("zzzzzzzz", {"macro.rows"}).empty());
}

TEST_CASE("defaults fill every declared parameter", "[core][config]") {
  Config c = load_and_validate(demo_params(), "", {});
  CHECK(c.i("macro.rows") == 256);
  CHECK(c.s("macro.cell") == "10t");
  CHECK(c.at("workload.layers").size() == 1);
  CHECK(c.i("workload.layers[0].w_bits") == 4);
}

TEST_CASE("every problem is reported at once, with file, path, value and expectation", "[core][config]") {
  std::string d = tmpdir();
  put(d + "/c.json", R"({"macro": {"rowz": 128, "cols": "wide", "word_bits": 99, "cell": "10T"},
                         "pipeline": {"forwarding": 1}, "workload": {"layers": [{"m": 5}, {"m": 500, "x": 1}]}})");
  auto e = errors_of(demo_params(), d + "/c.json", {});
  CHECK(e.size() == 7);
  CHECK(any_contains(
      e, d + "/c.json: macro.rowz: got 128; expected no such parameter (unknown key); did you mean 'macro.rows'?"));
  CHECK(any_contains(e, "macro.cols: got \"wide\"; expected an integer in [8, 4096]"));
  CHECK(any_contains(e, "macro.word_bits: got 99; expected an integer in [2, 64]"));
  CHECK(any_contains(e, "macro.cell: got \"10T\"; expected one of: 6t, 8t, 10t (did you mean '10t'?)"));
  CHECK(any_contains(e, "pipeline.forwarding: got 1; expected true or false"));
  CHECK(any_contains(e, "workload.layers[1].m: got 500; expected an integer in [0, 100]"));
  CHECK(any_contains(e, "workload.layers[1].x: got 1; expected no such parameter"));
}

TEST_CASE("cross-field rules run and name the path", "[core][config]") {
  auto e = errors_of(demo_params(), "", {"macro.cols=100", "macro.word_bits=16"});
  REQUIRE(e.size() == 1);
  CHECK(e[0] == "--set: macro.cols: got 100; expected a multiple of macro.word_bits");
}

TEST_CASE("base inheritance and --set overrides, with provenance", "[core][config]") {
  std::string d = tmpdir();
  fs::create_directories(d + "/sub");
  put(d + "/base.json", R"({"macro": {"rows": 64, "cols": 128}, "workload": {"layers": [{"m": 3}, {"m": 4}]}})");
  put(d + "/sub/child.json", R"({"base": "../base.json", "macro": {"rows": 32}})");
  Config c = load_and_validate(demo_params(), d + "/sub/child.json", {"macro.cell=6t", "workload.layers[1].m=9"});
  CHECK(c.i("macro.rows") == 32);
  CHECK(c.i("macro.cols") == 128);  // from base
  CHECK(c.s("macro.cell") == "6t");
  CHECK(c.i("workload.layers[0].m") == 3);
  CHECK(c.i("workload.layers[1].m") == 9);
  CHECK(c.origin("macro.cols") == d + "/base.json");
  CHECK(c.origin("macro.rows") == d + "/sub/child.json");
  CHECK(c.origin("macro.cell") == "--set");
  // An error in the base file names the base file.
  put(d + "/base.json", R"({"macro": {"rows": 1}})");
  auto e = errors_of(demo_params(), d + "/sub/child.json", {"macro.rows=2"});
  REQUIRE(e.size() == 1);
  CHECK(e[0].rfind("--set: macro.rows: got 2", 0) == 0);
}

TEST_CASE("config file errors: malformed JSON with line and column, missing base, cycles, bad --set",
          "[core][config]") {
  std::string d = tmpdir();
  put(d + "/bad.json", "{\n  \"macro\": {\n    \"rows\": 12,,\n  }\n}\n");
  auto e = errors_of(demo_params(), d + "/bad.json", {});
  REQUIRE(e.size() == 1);
  CHECK(e[0].rfind(d + "/bad.json:3:16: malformed JSON", 0) == 0);
  put(d + "/orphan.json", R"({"base": "nope.json"})");
  e = errors_of(demo_params(), d + "/orphan.json", {});
  REQUIRE(e.size() == 1);
  CHECK(any_contains(e, "orphan.json: base: got \"nope.json\""));
  put(d + "/a.json", R"({"base": "b.json"})");
  put(d + "/b.json", R"({"base": "a.json"})");
  e = errors_of(demo_params(), d + "/a.json", {});
  CHECK(any_contains(e, "circular"));
  e = errors_of(demo_params(), "", {"macro.rows", "macro..x=1", "macro.rowz=3"});
  CHECK(e.size() == 3);
  CHECK(any_contains(e, "expected PATH=VALUE"));
  CHECK(any_contains(e,
                     "--set: macro.rowz: got 3; expected no such parameter (unknown key); did you mean 'macro.rows'?"));
  CHECK(errors_of(demo_params(), d + "/missing.json", {}).at(0).find("missing.json: cannot open file") !=
        std::string::npos);
}

TEST_CASE("bundled technology tables load strictly and carry a source for every number", "[core][tech]") {
  for (const char* n : {"65nm", "28nm", "22nm"}) {
    TechTable t = load_tech(data_dir() + "/configs/tech/" + n + ".json");
    CHECK(t.node_nm > 0);
    for (const char* comp : {"sram6t_cell", "sram8t_cell", "sram10t_cell", "bitline", "sense_amp", "write_driver",
                             "full_adder", "register", "row_decoder", "controller", "logic_gate", "mux2"}) {
      INFO(n << " " << comp);
      REQUIRE(t.components.count(comp));
      const auto& c = t.components.at(comp);
      CHECK(!c.area_source.empty());
      CHECK(!c.leakage_source.empty());
      for (const auto& a : c.actions) CHECK(!a.second.source.empty());
    }
    CHECK(t.components.at("sram10t_cell").actions.count("logic_bit"));
  }
  // A strict loader: unknown keys are errors naming the path.
  std::string d = tmpdir();
  json j = load_json_file(data_dir() + "/configs/tech/28nm.json");
  j["components"]["full_adder"]["actions"]["add_bit"]["energy_pj"] = 1;
  j["components"]["register"]["area_um2"].erase("source");
  put(d + "/t.json", j.dump());
  try {
    load_tech(d + "/t.json");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.messages().size() == 2);
    CHECK(any_contains(e.messages(), "components.full_adder.actions.add_bit.energy_pj"));
    CHECK(any_contains(e.messages(), "components.register.area_um2.source"));
  }
}

TEST_CASE("tech table with a base: only the listed numbers change, cycles and bad bases are errors", "[core][tech]") {
  std::string d = tmpdir();
  const std::string base = data_dir() + "/configs/tech/28nm.json";
  TechTable b = load_tech(base);
  put(d + "/derived.json", json{{"base", fs::relative(base, d).string()},
                                {"calibration", {{"fitted", json::array()}}},
                                {"components",
                                 {{"write_driver", {{"actions", {{"drive_bit", {{"energy_pJ", 0.5}, {"source", "test"}}}}}}},
                                  {"extra_gate", {{"actions", {{"op", {{"energy_pJ", 0.1}, {"source", "test"}}}}},
                                                  {"area_um2", {{"value", 1.0}, {"source", "test"}}},
                                                  {"leakage_pW", {{"value", 2.0}, {"source", "test"}}}}}}}}
                                   .dump());
  TechTable t = load_tech(d + "/derived.json");
  CHECK(t.name == b.name);
  CHECK(t.node_nm == b.node_nm);
  CHECK(t.vdd_V == b.vdd_V);
  CHECK(t.calibration.is_object());
  CHECK(t.components.size() == b.components.size() + 1);
  CHECK(t.components.at("write_driver").actions.at("drive_bit").energy_pJ == 0.5);
  CHECK(t.components.at("write_driver").area_um2 == b.components.at("write_driver").area_um2);  // kept
  CHECK(t.components.at("full_adder").actions.at("add_bit").energy_pJ ==
        b.components.at("full_adder").actions.at("add_bit").energy_pJ);
  CHECK(t.components.at("extra_gate").leakage_pW == 2.0);
  // A cycle of bases, a missing base, and a new component without its numbers.
  put(d + "/a.json", R"({"base": "b.json"})");
  put(d + "/b.json", R"({"base": "a.json"})");
  CHECK_THROWS_WITH(load_tech(d + "/a.json"), Catch::Contains("does not lead back to this one"));
  put(d + "/c.json", R"({"base": "missing.json"})");
  CHECK_THROWS_WITH(load_tech(d + "/c.json"), Catch::Contains("missing.json"));
  put(d + "/e.json", json{{"base", fs::relative(base, d).string()},
                          {"components", {{"new_thing", {{"actions", json::object()}}}}}}
                         .dump());
  CHECK_THROWS_WITH(load_tech(d + "/e.json"), Catch::Contains("components.new_thing.area_um2"));
}

TEST_CASE("node and voltage scaling", "[core][tech]") {
  TechTable t = load_tech(data_dir() + "/configs/tech/28nm.json");
  NodeScalingTable n = load_node_scaling(data_dir() + "/configs/tech/node_scaling.json");
  Scaling same = compute_scaling(t, 0, 0, n);
  CHECK(same.energy_factor == 1.0);
  CHECK(same.area_factor == 1.0);
  Scaling v = compute_scaling(t, 0, 0.45, n);
  CHECK(v.energy_factor == Approx(0.25));  // (0.45/0.9)^2
  // At a table node the interpolation returns the table's own values (C = energy / Vdd^2).
  for (const auto& r : n.rows) CHECK(n.capacitance(r.node_nm) == Approx(r.energy / (r.vdd_V * r.vdd_V)));
  // Between nodes the factor is monotone: a 40 nm design switches more capacitance than a 28 nm one.
  Scaling s40 = compute_scaling(t, 40, 0.8, n);
  CHECK(s40.capacitance_factor > 1.0);
  CHECK(s40.area_factor > 1.0);
  CHECK(s40.voltage_factor == Approx((0.8 / 0.9) * (0.8 / 0.9)));
  CHECK(s40.energy_factor == Approx(s40.capacitance_factor * s40.voltage_factor));
  CHECK(s40.to_json().contains("method"));
  CHECK_THROWS_AS(compute_scaling(t, 3, 0, n), InputError);
}

TEST_CASE("voltage laws: per-component E(V) = E(V0) P(V)/P(V0), fitted ranges and bad laws are errors", "[core][tech]") {
  std::string d = tmpdir();
  const std::string base = data_dir() + "/configs/tech/28nm.json";
  NodeScalingTable n = load_node_scaling(data_dir() + "/configs/tech/node_scaling.json");
  // Two named laws and a default; the factors are checked against the closed form computed here.
  json laws = {{"default", {{"coefficients", {1.0, 0.2, 0.0}}, {"source", "test"}}},
               {"periphery", {{"coefficients", {1.0, 0.0, -0.2}}, {"components", {"full_adder", "register"}},
                              {"range_V", {0.6, 1.0}}, {"source", "test"}}}};
  put(d + "/law.json", json{{"base", fs::relative(base, d).string()}, {"voltage_laws", laws}}.dump());
  TechTable t = load_tech(d + "/law.json");
  CHECK(&t.law_of("full_adder") != &t.default_law);
  CHECK(&t.law_of("bitline") == &t.default_law);
  const double v0 = 0.9, v = 0.7;
  Scaling s = compute_scaling(t, 0, v, n);
  const double f_def = (v * v + 0.2 * v) / (v0 * v0 + 0.2 * v0), f_per = (v * v - 0.2) / (v0 * v0 - 0.2);
  CHECK(s.energy_factor == Approx(f_def));
  CHECK(s.energy_factor_of("bitline") == Approx(f_def));
  CHECK(s.energy_factor_of("full_adder") == Approx(f_per));
  CHECK(s.to_json()["voltage_laws"]["periphery"]["factor"].get<double>() == Approx(f_per));
  // The ledger prices each action with its component's law.
  Ledger L(t, s);
  int fa = L.component("adder", "full_adder", 1), bl = L.component("bl", "bitline", 1);
  int add = L.action(fa, "add_bit"), pre = L.action(bl, "precharge");
  CHECK(L.energy_per_action_pJ(add) == Approx(t.components.at("full_adder").actions.at("add_bit").energy_pJ * f_per));
  CHECK(L.energy_per_action_pJ(pre) == Approx(t.components.at("bitline").actions.at("precharge").energy_pJ * f_def));
  // Without laws: pure V^2 (the default law is a = 1, b = c = 0).
  TechTable plain = load_tech(base);
  CHECK(compute_scaling(plain, 0, v, n).energy_factor == Approx((v / v0) * (v / v0)));
  // A supply outside a fitted range, or where P <= 0, is a SupplyError naming the law.
  CHECK_THROWS_AS(compute_scaling(t, 0, 0.5, n), SupplyError);
  CHECK_THROWS_WITH(compute_scaling(t, 0, 1.1, n), Catch::Contains("voltage_laws.periphery") && Catch::Contains("[0.6, 1]"));
  // Bad laws: an unknown component, one under two laws, a P that is not positive, two coefficients, a stray key.
  auto bad = [&](json l, const std::string& want) {
    put(d + "/bad.json", json{{"base", fs::relative(base, d).string()}, {"voltage_laws", l}}.dump());
    CHECK_THROWS_WITH(load_tech(d + "/bad.json"), Catch::Contains(want));
  };
  bad({{"x", {{"coefficients", {1, 0, 0}}, {"components", {"no_such"}}, {"source", "t"}}}}, "voltage_laws.x.components[0]");
  bad({{"x", {{"coefficients", {1, 0, 0}}, {"components", {"register"}}, {"source", "t"}}},
       {"y", {{"coefficients", {1, 0, 0}}, {"components", {"register"}}, {"source", "t"}}}},
      "already under 'x'");
  bad({{"default", {{"coefficients", {1, 0, -1}}, {"source", "t"}}}}, "voltage_laws.default.coefficients");
  bad({{"default", {{"coefficients", {1, 0}}, {"source", "t"}}}}, "three numbers");
  bad({{"default", {{"coefficients", {1, 0, 0}}, {"source", "t"}, {"componets", {"register"}}}}}, "componets");
  bad({{"x", {{"coefficients", {1, 0, 0}}, {"components", {"register"}}}}}, "voltage_laws.x.source");
}

TEST_CASE("ledger: total is the sum of the breakdown, linear in counts, quadratic in Vdd", "[core][ledger]") {
  TechTable t = load_tech(data_dir() + "/configs/tech/28nm.json");
  NodeScalingTable n = load_node_scaling(data_dir() + "/configs/tech/node_scaling.json");
  auto run = [&](double vdd, uint64_t reps) {
    Ledger L(t, compute_scaling(t, 0, vdd, n));
    int fa = L.component("adder", "full_adder", 64);
    int cell = L.component("array", "sram10t_cell", 1024);
    int add = L.action(fa, "add_bit"), rd = L.action(cell, "read_bit"), lg = L.action(cell, "logic_bit");
    int t1 = L.tag("add"), t2 = L.tag("and");
    for (uint64_t r = 0; r < reps; ++r) {
      L.add(add, t1, 64);
      L.add(rd, t1, 128);
      L.add(lg, t2, 64);
    }
    return L.report(1e-6);
  };
  EnergyReport a = run(0, 1000), b = run(0, 2000), h = run(0.45, 1000);
  double sc = 0, sa = 0, st = 0;
  for (auto& kv : a.by_component) sc += kv.second;
  for (auto& kv : a.by_action) sa += kv.second;
  for (auto& kv : a.by_tag) st += kv.second;
  CHECK(sc == Approx(a.total_pJ));
  CHECK(sa == Approx(a.total_pJ));
  CHECK(st == Approx(a.dynamic_pJ));
  CHECK(a.total_pJ == Approx(a.dynamic_pJ + a.leakage_pJ));
  CHECK(b.dynamic_pJ == Approx(2 * a.dynamic_pJ));
  CHECK(h.dynamic_pJ == Approx(0.25 * a.dynamic_pJ));
  // The dynamic energy equals count x table energy, computed here from the table directly.
  double expect = 1000 * (64 * t.components.at("full_adder").actions.at("add_bit").energy_pJ +
                          128 * t.components.at("sram10t_cell").actions.at("read_bit").energy_pJ +
                          64 * t.components.at("sram10t_cell").actions.at("logic_bit").energy_pJ);
  CHECK(a.dynamic_pJ == Approx(expect));
  // Leakage = instances x pW x seconds.
  double leak =
      (64 * t.components.at("full_adder").leakage_pW + 1024 * t.components.at("sram10t_cell").leakage_pW) * 1e-6;
  CHECK(a.leakage_pJ == Approx(leak));
  CHECK(a.area_um2 ==
        Approx(64 * t.components.at("full_adder").area_um2 + 1024 * t.components.at("sram10t_cell").area_um2));
  Ledger L(t, compute_scaling(t, 0, 0, n));
  CHECK_THROWS_AS(L.component("x", "no_such_component", 1), InputError);
}

TEST_CASE("run directory is written aside and renamed, an abandoned run leaves nothing", "[core][rundir]") {
  std::string d = tmpdir();
  {
    RunDir r(d + "/run");
    r.write("a.txt", "x");
    CHECK(!fs::exists(d + "/run"));
  }
  CHECK(fs::is_empty(d));
  {
    RunDir r(d + "/run");
    r.write("a.txt", "x");
    r.commit();
  }
  CHECK(fs::exists(d + "/run/a.txt"));
  CHECK(fs::exists(d + "/run/run.log"));
  CHECK(summary_csv(json{{"a", 1}, {"b", "x,y"}, {"c", json::object()}}) == "a,b\n1,\"x,y\"\n");
}
