// Logic depth of a mapped netlist: hand-built netlists with known depths (DSP blocks with and without internal
// registers, clock pins), and agreement with yosys's own `ltp` on a real synth_xilinx netlist without DSPs.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "netlist_depth.h"

using namespace tf::hlsgen;
using tf::json;

namespace {

// A tiny netlist builder: cells with named ports connected by integer net bits.
struct Net {
  json cells = json::object();
  int next = 2;  // yosys numbers bits from 2 (0/1 are constants)
  int bit() { return next++; }
  void cell(const std::string& name, const std::string& type, const std::vector<std::pair<std::string, int>>& in,
            const std::vector<std::pair<std::string, int>>& out, const json& params = json::object()) {
    json c;
    c["type"] = type;
    c["parameters"] = params;
    c["port_directions"] = json::object();
    c["connections"] = json::object();
    for (const auto& [p, b] : in) {
      c["port_directions"][p] = "input";
      c["connections"][p] = json::array({b});
    }
    for (const auto& [p, b] : out) {
      c["port_directions"][p] = "output";
      c["connections"][p] = json::array({b});
    }
    cells[name] = c;
  }
  json module() const { return json{{"cells", cells}}; }
};

json regs(int a, int b, int m, int p) {
  auto s = [](int v) { return std::string(31, '0') + std::to_string(v); };
  return json{{"AREG", s(a)}, {"BREG", s(b)}, {"CREG", s(0)}, {"DREG", s(0)}, {"MREG", s(m)}, {"PREG", s(p)}};
}

// FD -> LUT -> DSP -> LUT -> FD, with the DSP's registers given.
long chain_through_dsp(const json& dsp_params) {
  Net n;
  int q0 = n.bit(), l0 = n.bit(), p = n.bit(), l1 = n.bit(), q1 = n.bit(), clk = n.bit();
  n.cell("r0", "FDRE", {{"C", clk}, {"D", q1}}, {{"Q", q0}});
  n.cell("lut0", "LUT2", {{"I0", q0}}, {{"O", l0}});
  n.cell("dsp", "DSP48E1", {{"A", l0}, {"B", q0}, {"CLK", clk}}, {{"P", p}}, dsp_params);
  n.cell("lut1", "LUT3", {{"I0", p}}, {{"O", l1}});
  n.cell("r1", "FDRE", {{"C", clk}, {"D", l1}}, {{"Q", q1}});
  return netlist_depth(n.module()).depth;
}

}  // namespace

TEST_CASE("depth: chains of combinational cells between flip-flops") {
  Net n;
  int q0 = n.bit(), a = n.bit(), b = n.bit(), c = n.bit(), q1 = n.bit(), clk = n.bit();
  n.cell("r0", "FDRE", {{"C", clk}, {"D", q1}}, {{"Q", q0}});
  n.cell("l1", "LUT6", {{"I0", q0}}, {{"O", a}});
  n.cell("c1", "CARRY4", {{"S", a}}, {{"CO", b}});
  n.cell("l2", "LUT2", {{"I0", b}, {"I1", q0}}, {{"O", c}});
  n.cell("r1", "FDRE", {{"C", clk}, {"D", c}, {"CE", a}}, {{"Q", q1}});
  DepthResult d = netlist_depth(n.module());
  CHECK(d.depth == 3);
  CHECK(describe_path(d.path) == "LUT > CARRY4 > LUT");
}

TEST_CASE("depth: DSP48E1 internal registers cut the path, a combinational DSP does not") {
  CHECK(chain_through_dsp(regs(0, 0, 0, 0)) == 3);  // LUT > DSP > LUT
  CHECK(chain_through_dsp(regs(1, 1, 0, 0)) == 2);  // path ends at AREG; multiplier after it: DSP > LUT
  CHECK(chain_through_dsp(regs(1, 1, 1, 1)) == 1);  // registered on both sides: one LUT each side
  CHECK(chain_through_dsp(regs(0, 0, 1, 0)) == 2);  // LUT > multiplier | MREG | ALU > LUT
  CHECK(chain_through_dsp(regs(0, 0, 0, 1)) == 2);  // LUT > DSP | PREG, then one LUT
}

TEST_CASE("depth: clock pins are not data paths, loops are reported") {
  Net n;
  int port = n.bit(), clk = n.bit(), q0 = n.bit(), p = n.bit(), l = n.bit(), q1 = n.bit();
  n.cell("buf", "BUFG", {{"I", port}}, {{"O", clk}});
  n.cell("r0", "FDRE", {{"C", clk}, {"D", q1}}, {{"Q", q0}});
  n.cell("dsp", "DSP48E1", {{"A", q0}, {"CLK", clk}}, {{"P", p}}, regs(0, 0, 0, 0));
  n.cell("lut", "LUT2", {{"I0", p}}, {{"O", l}});
  n.cell("r1", "FDRE", {{"C", clk}, {"D", l}}, {{"Q", q1}});
  CHECK(netlist_depth(n.module()).depth == 2);  // DSP > LUT; the clock buffer is not on the path
  Net m;
  int u = m.bit(), w = m.bit();
  m.cell("a", "LUT1", {{"I0", u}}, {{"O", w}});
  m.cell("b", "LUT1", {{"I0", w}}, {{"O", u}});
  CHECK_THROWS(netlist_depth(m.module()));
}

TEST_CASE("depth: equals yosys ltp on a synth_xilinx netlist without DSP blocks") {
  if (std::system("command -v yosys > /dev/null 2>&1") != 0) FAIL("yosys is not installed");
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("tf_depth_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string src = std::string(TF_SOURCE_DIR) + "/tests/fixtures/depth_mix.v";
  std::string cmd = "cd '" + dir.string() + "' && yosys -q -p \"read_verilog " + src +
                    "; synth_xilinx -family xc7 -nodsp -noiopad -noclkbuf -top depth_mix; flatten; write_json n.json; "
                    "tee -q -o ltp.txt ltp -noff w:* t:* %u t:FD* %d\" > log.txt 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream nf(dir / "n.json");
  json nl = json::parse(nf);
  DepthResult d = netlist_depth(nl["modules"]["depth_mix"]);
  std::ifstream lf(dir / "ltp.txt");
  std::stringstream ss;
  ss << lf.rdbuf();
  std::smatch mt;
  std::string text = ss.str();
  REQUIRE(std::regex_search(text, mt, std::regex(R"(length=(\d+))")));
  INFO("path: " << describe_path(d.path));
  CHECK(d.depth == std::stol(mt[1]));
  CHECK(d.depth >= 5);  // a real path: adder, comparator, ROM and a second adder
  fs::remove_all(dir);
}
