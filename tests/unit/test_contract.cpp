// The model contract in sim/core: typed parameter binding (Schema), renamed parameters, metric declarations and
// the check of stats against them, the strict JSON reader, and run_point() end to end on a toy model.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/config.h"
#include "core/context.h"
#include "core/reader.h"
#include "core/run.h"
#include "core/schema.h"
#include "core/stats.h"

namespace fs = std::filesystem;
using namespace tf;

namespace {

struct Inner {
  int w_bits = 0;
  bool sgn = false;
};
enum class Cell { A, B };
struct Toy {
  int64_t rows = 0;
  double f = 0;
  Cell cell = Cell::A;
  std::string name;
  std::vector<Inner> layers;
  TechParams tech;
};

const Schema<Toy>& toy_schema() {
  static const Schema<Toy> s = [] {
    Schema<Toy> P;
    P.integer("macro.rows", &Toy::rows, 64, 4, 1024, "rows", "rows");
    P.real("macro.f", &Toy::f, 1.5, 0, 10, "MHz", "clock");
    P.choice("macro.cell", &Toy::cell, "a", {{"a", Cell::A}, {"b", Cell::B}}, "cell");
    P.text("name", &Toy::name, "toy", "a name");
    Schema<Inner> el;
    el.integer("w_bits", &Inner::w_bits, 4, 1, 32, "bits", "w");
    el.boolean("sgn", &Inner::sgn, true, "signed");
    P.objects("layers", &Toy::layers, json::array({json::object()}), el, 1, 4, "layers");
    P.include(&Toy::tech, tech_schema("28nm"));
    P.rule([](const Toy& t, const Config& c, Diagnostics& d) {
      if (t.rows % 4) d.error(c.origin("macro.rows"), "macro.rows", std::to_string(t.rows), "a multiple of 4");
    });
    return P;
  }();
  return s;
}

std::string errors_of(const ParamSet& ps, const std::vector<std::string>& sets) {
  try {
    load_and_validate(ps, "", sets);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("schema: each path declared once fills its struct member", "[core][schema]") {
  const ParamSet& ps = toy_schema().params();
  Toy t = toy_schema().read(load_and_validate(ps, "", {}));
  CHECK(t.rows == 64);
  CHECK(t.f == 1.5);
  CHECK(t.cell == Cell::A);
  CHECK(t.name == "toy");
  REQUIRE(t.layers.size() == 1);
  CHECK(t.layers[0].w_bits == 4);
  CHECK(t.layers[0].sgn);
  CHECK(fs::path(t.tech.table).filename() == "28nm.json");
  CHECK(t.tech.node_nm == 0);

  t = toy_schema().read(load_and_validate(ps, "",
                                          {"macro.rows=128", "macro.cell=b", "layers=[{\"w_bits\":3},{\"sgn\":false}]",
                                           "tech.vdd_V=0.7", "tech.table=65nm"}));
  CHECK(t.rows == 128);
  CHECK(t.cell == Cell::B);
  REQUIRE(t.layers.size() == 2);
  CHECK(t.layers[0].w_bits == 3);
  CHECK(t.layers[1].w_bits == 4);
  CHECK(!t.layers[1].sgn);
  CHECK(t.tech.vdd_V == 0.7);
  CHECK(fs::path(t.tech.table).filename() == "65nm.json");
}

TEST_CASE("schema: rules see the typed struct, and the tech group brings its own rules", "[core][schema]") {
  const ParamSet& ps = toy_schema().params();
  std::string e = errors_of(ps, {"macro.rows=66", "tech.vdd_V=0.1", "tech.node_nm=3"});
  CHECK(e.find("macro.rows: got 66; expected a multiple of 4") != std::string::npos);
  CHECK(e.find("tech.vdd_V: got 0.1; expected 0 (nominal) or a voltage in [0.3, 2] V") != std::string::npos);
  CHECK(e.find("tech.node_nm: got 3; expected 0 (the table's node) or a node in [7, 180] nm") != std::string::npos);
}

TEST_CASE("renamed parameters fail with the new name, in files and in --set", "[core][config]") {
  ParamSet ps = toy_schema().params();
  ps.renamed("macro.vdd_V", "tech.vdd_V");
  ps.renamed("tech_file", "tech.table");
  std::string e = errors_of(ps, {"macro.vdd_V=0.8"});
  CHECK(e.find("--set: macro.vdd_V: got 0.8; expected no such parameter: it was renamed to 'tech.vdd_V'") !=
        std::string::npos);
  e = errors_of(ps, {"tech_file=\"x\""});
  CHECK(e.find("renamed to 'tech.table'") != std::string::npos);
  // A group that still exists is walked into as before.
  e = errors_of(ps, {"macro.rowz=3"});
  CHECK(e.find("did you mean 'macro.rows'?") != std::string::npos);
}

TEST_CASE("metrics: stats must hold declared entries of the declared kind", "[core][metrics]") {
  MetricSet m;
  m.lower("energy_pJ", "pJ", "e");
  m.higher("tops_per_w", "TOPS/W", "t");
  m.label("model", "m");
  m.breakdown("energy_by_component_pJ", "pJ", "b");
  CHECK_THROWS_AS(m.lower("energy_pJ", "pJ", "twice"), std::logic_error);
  json ok = {{"model", "x"}, {"energy_pJ", 1.0}, {"tops_per_w", 2}, {"energy_by_component_pJ", {{"a", 1.0}}}};
  CHECK(check_stats(m, ok).empty());
  json bad = {{"model", 3}, {"energy_pj", 1.0}, {"energy_by_component_pJ", 4.0}};
  auto p = check_stats(m, bad);
  REQUIRE(p.size() == 3);
  CHECK(p[0].find("'model' is declared as text") != std::string::npos);
  CHECK(p[1] == "undeclared metric 'energy_pj'");
  CHECK(p[2].find("declared as a breakdown") != std::string::npos);
  std::string table = describe_metrics(m);
  CHECK(table.find("tops_per_w") != std::string::npos);
  CHECK(table.find("max") != std::string::npos);
}

TEST_CASE("strict reader: paths, types, ranges, unknown keys, all at once", "[core][reader]") {
  json doc =
      json::parse(R"({"a": {"n": 5, "x": "s", "lst": [1, 2.5, -3, 18446744073709551615]}, "extra": 1, "nme": "q"})");
  Diagnostics d;
  std::string file = "doc.json";
  JsonNode root(doc, file, d);
  root.only_keys({"a", "name"});
  JsonNode a = root["a"];
  CHECK(a.expect_object());
  CHECK(a["n"].integer(0, 10) == 5);
  CHECK(a["n"].integer(0, 4, -1) == -1);
  CHECK(a["x"].number(0, 1, 7) == 7);
  CHECK(a["missing"].text(true, "fb") == "fb");
  JsonNode lst = a["lst"];
  CHECK(lst.expect_list("a list", 4, 4));
  CHECK(lst[0].integer(0, 5) == 1);
  CHECK(lst[1].integer(0, 5) == 0);                  // 2.5 is not an integer
  CHECK(lst[3].integer(INT64_MIN, INT64_MAX) == 0);  // beyond int64
  CHECK(lst[9].missing());
  CHECK(root["a"]["n"].choice({"x", "y"}).empty());
  const auto& m = d.messages();
  std::vector<std::string> want = {"doc.json: extra: got 1; expected no such key",
                                   "doc.json: nme: got \"q\"; expected no such key; did you mean 'name'?",
                                   "doc.json: a.n: got 5; expected an integer in [0, 4]",
                                   "doc.json: a.x: got \"s\"; expected a number in [0, 1]",
                                   "doc.json: a.missing: got nothing (missing); expected a non-empty string",
                                   "doc.json: a.lst[1]: got 2.5; expected an integer in [0, 5]",
                                   "doc.json: a.lst[3]: got 18446744073709551615; expected an integer in "
                                   "[-9223372036854775808, 9223372036854775807]",
                                   "doc.json: a.n: got 5; expected one of: x, y"};
  REQUIRE(m.size() == want.size());
  for (size_t k = 0; k < want.size(); ++k) CHECK(m[k] == want[k]);
  CHECK_THROWS_AS(d.throw_if_any(), InputError);
}

namespace {

// A model that writes what it is told to, for run_point's own checks.
class ToyModel : public Model {
 public:
  bool undeclared = false;
  std::string name() const override { return "toy"; }
  std::string summary() const override { return "toy"; }
  void declare(ParamSet& P) const override { P = toy_schema().params(); }
  void metrics(MetricSet& M) const override {
    M.label("model", "m");
    M.neither("rows", "rows", "r");
  }
  json run(RunContext& ctx) override {
    Toy t = toy_schema().read(ctx.config);
    ctx.out.write("out.txt", "rows " + std::to_string(t.rows) + "\n");
    json j = {{"model", "toy"}, {"rows", t.rows}};
    if (undeclared) j["surprise"] = 1;
    return j;
  }
};

}  // namespace

TEST_CASE("run_point: validated config in, run record out, and undeclared stats leave no record", "[core][run]") {
  fs::path dir = fs::temp_directory_path() / ("tf_contract_" + std::to_string(getpid()));
  fs::remove_all(dir);
  ToyModel m;
  RunRequest req;
  req.sets = {"macro.rows=32"};
  req.out_dir = (dir / "run").string();
  RunResult r = run_point(m, req);
  CHECK(r.stats["rows"] == 32);
  CHECK(fs::exists(dir / "run" / "config.effective.json"));
  CHECK(fs::exists(dir / "run" / "stats.json"));
  CHECK(fs::exists(dir / "run" / "summary.csv"));
  CHECK(fs::exists(dir / "run" / "run.log"));
  std::ifstream in(dir / "run" / "out.txt");
  std::string line;
  std::getline(in, line);
  CHECK(line == "rows 32");

  req.sets = {"macro.rows=33"};
  req.out_dir = (dir / "bad").string();
  CHECK_THROWS_AS(run_point(m, req), InputError);
  CHECK(!fs::exists(dir / "bad"));

  m.undeclared = true;
  req.sets = {};
  req.out_dir = (dir / "undeclared").string();
  CHECK_THROWS_AS(run_point(m, req), std::logic_error);
  CHECK(!fs::exists(dir / "undeclared"));
  fs::remove_all(dir);
}
