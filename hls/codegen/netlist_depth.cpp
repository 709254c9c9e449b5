#include "netlist_depth.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

namespace tf::hlsgen {

namespace {

long param(const json& cell, const std::string& name) {
  if (!cell.contains("parameters") || !cell["parameters"].contains(name)) return 0;
  const json& p = cell["parameters"][name];
  if (p.is_number()) return p.get<long>();
  if (!p.is_string()) return 0;
  const std::string s = p.get<std::string>();
  if (!s.empty() && s.find_first_not_of("01") == std::string::npos)
    return std::stol(s.substr(s.size() > 62 ? s.size() - 62 : 0), nullptr, 2);
  return s == "TRUE" ? 1 : 0;  // string-valued parameters
}

bool is_clock_pin(const std::string& type, const std::string& port) {
  if (port == "C" || port == "CLK" || port == "CLKARDCLK" || port == "CLKBWRCLK" || port == "WCLK") return true;
  return type.rfind("SB_", 0) == 0 && (port == "RCLK" || port == "WCLK" || port == "CLK");
}

// How a cell treats a path. A combinational cell passes it (cost 1); a register ends it at its inputs and
// starts it at its outputs. A block with internal registers may do both, per port: ENDS(port) is the cost of
// the logic between the port and the first register (the path stops there), or -1 when the port reaches the
// outputs without a register (the block is then one combinational cell on that path); START is the cost of the
// logic between the last register and the outputs.
struct Role {
  bool sequential = false;  // every input ends a path, every output starts one at cost START
  long start = 0;
  std::unordered_map<std::string, long> ends;  // per input port, for blocks with internal registers
  bool has_ends = false;
};

Role role_of(const std::string& type, const json& cell) {
  Role r;
  auto seq = [&](const std::string& prefix) { return type.rfind(prefix, 0) == 0; };
  if (seq("FD") || seq("RAMB") || seq("SRL") || seq("SB_DFF") || seq("SB_RAM") || seq("FIFO")) {
    r.sequential = true;
    return r;
  }
  if (type == "DSP48E1") {
    const long areg = param(cell, "AREG"), breg = param(cell, "BREG"), creg = param(cell, "CREG"),
               dreg = param(cell, "DREG");
    const long mreg = param(cell, "MREG"), preg = param(cell, "PREG");
    const bool any = areg || breg || creg || dreg || mreg || preg;
    if (!any) return r;  // fully combinational: one cell
    r.has_ends = true;
    auto mult_port = [&](long inreg) { return inreg ? 0 : (mreg || preg ? 1 : -1); };
    r.ends["A"] = r.ends["ACIN"] = mult_port(areg);
    r.ends["B"] = r.ends["BCIN"] = mult_port(breg);
    r.ends["D"] = mult_port(dreg);
    r.ends["C"] = creg ? 0 : (preg ? 1 : -1);
    for (const char* p : {"PCIN", "CARRYIN", "CARRYCASCIN", "MULTSIGNIN"}) r.ends[p] = preg ? 1 : -1;
    r.start = preg ? 0 : 1;
    return r;
  }
  if (type == "SB_MAC16") {
    // Input registers (A/B/C/D_REG), product registers, output registers (TOP/BOTOUTPUT_SELECT = 1).
    const bool inreg = param(cell, "A_REG") || param(cell, "B_REG") || param(cell, "C_REG") || param(cell, "D_REG");
    const bool midreg = param(cell, "TOP_8x8_MULT_REG") || param(cell, "BOT_8x8_MULT_REG") ||
                        param(cell, "PIPELINE_16x16_MULT_REG1") || param(cell, "PIPELINE_16x16_MULT_REG2");
    const bool outreg = param(cell, "TOPOUTPUT_SELECT") == 1 || param(cell, "BOTOUTPUT_SELECT") == 1;
    if (!inreg && !midreg && !outreg) return r;
    r.has_ends = true;
    for (const char* p : {"A", "B", "C", "D"}) r.ends[p] = inreg ? 0 : 1;
    r.start = outreg ? 0 : 1;
    return r;
  }
  return r;
}

}  // namespace

DepthResult netlist_depth(const json& module) {
  const json& cells = module.at("cells");
  std::vector<std::string> names, types;
  std::vector<Role> roles;
  std::unordered_map<long, int> driver;  // net bit -> cell index driving it
  for (auto it = cells.begin(); it != cells.end(); ++it) {
    const json& c = it.value();
    int idx = (int)names.size();
    names.push_back(it.key());
    types.push_back(c.at("type").get<std::string>());
    roles.push_back(role_of(types.back(), c));
    const json& dirs = c.contains("port_directions") ? c["port_directions"] : json::object();
    for (auto p = c.at("connections").begin(); p != c.at("connections").end(); ++p)
      if (dirs.contains(p.key()) && dirs[p.key()] == "output")
        for (const auto& b : p.value())
          if (b.is_number()) driver[b.get<long>()] = idx;
  }
  const int n = (int)names.size();
  // Inputs of each cell: (driver, port cost to end there or -1 = passes through).
  struct In {
    int from;
    long end;
  };
  std::vector<std::vector<In>> ins(n);
  int ci = 0;
  for (auto it = cells.begin(); it != cells.end(); ++it, ++ci) {
    const json& c = it.value();
    const json& dirs = c.contains("port_directions") ? c["port_directions"] : json::object();
    for (auto p = c.at("connections").begin(); p != c.at("connections").end(); ++p) {
      if (dirs.contains(p.key()) && dirs[p.key()] == "output") continue;
      if (is_clock_pin(types[ci], p.key())) continue;
      long end = -1;
      if (roles[ci].sequential)
        end = 0;
      else if (roles[ci].has_ends)
        end = roles[ci].ends.count(p.key()) ? roles[ci].ends.at(p.key()) : 1;  // control pins: conservative
      for (const auto& b : p.value()) {
        if (!b.is_number()) continue;  // constant
        auto d = driver.find(b.get<long>());
        if (d != driver.end()) ins[ci].push_back({d->second, end});
      }
    }
    auto& v = ins[ci];
    std::sort(v.begin(), v.end(),
              [](const In& a, const In& b) { return a.from != b.from ? a.from < b.from : a.end < b.end; });
    v.erase(
        std::unique(v.begin(), v.end(), [](const In& a, const In& b) { return a.from == b.from && a.end == b.end; }),
        v.end());
  }
  // arrival[c]: cells on the longest path ending at c's outputs (c included); prev for the path.
  std::vector<long> arrival(n, -1);
  std::vector<int> prev(n, -1), state(n, 0);
  for (int s = 0; s < n; ++s) {
    if (state[s] == 2) continue;
    std::vector<std::pair<int, size_t>> stack{{s, 0}};
    state[s] = 1;
    while (!stack.empty()) {
      auto& [c, k] = stack.back();
      const Role& r = roles[c];
      bool pushed = false;
      if (!r.sequential) {
        while (k < ins[c].size()) {
          const In& in = ins[c][k];
          if (in.end < 0 && state[in.from] == 0) {
            state[in.from] = 1;
            stack.push_back({in.from, 0});
            pushed = true;
            break;
          }
          if (in.end < 0 && state[in.from] == 1)
            throw std::runtime_error("combinational loop through cell " + names[in.from]);
          ++k;
        }
      }
      if (pushed) continue;
      long a = r.sequential ? 0 : (r.has_ends ? r.start : 1);
      int pv = -1;
      if (!r.sequential)
        for (const In& in : ins[c])
          if (in.end < 0 && arrival[in.from] + 1 > a) {
            a = arrival[in.from] + 1;
            pv = in.from;
          }
      arrival[c] = a;
      prev[c] = pv;
      state[c] = 2;
      stack.pop_back();
    }
  }
  // Path ends: register inputs (plus the logic before the first internal register), and top-level outputs.
  DepthResult res;
  int best_from = -1, best_end_cell = -1;
  long best_end_cost = 0;
  for (int c = 0; c < n; ++c) {
    for (const In& in : ins[c]) {
      if (in.end < 0) continue;
      long d = arrival[in.from] + in.end;
      if (d > res.depth) {
        res.depth = d;
        best_from = in.from;
        best_end_cell = c;
        best_end_cost = in.end;
      }
    }
    long own = arrival[c];
    if (own > res.depth) {  // a path that ends at a cell's outputs (a port, or a register's input via it)
      res.depth = own;
      best_from = c;
      best_end_cell = -1;
    }
  }
  for (int c = best_from; c >= 0; c = prev[c]) {
    res.path.push_back(types[c]);
    res.cells.push_back(names[c]);
  }
  std::reverse(res.path.begin(), res.path.end());
  std::reverse(res.cells.begin(), res.cells.end());
  if (best_end_cell >= 0 && best_end_cost > 0) {  // the logic in front of a block's first internal register
    res.path.push_back(types[best_end_cell]);
    res.cells.push_back(names[best_end_cell]);
  }
  return res;
}

std::string describe_path(const std::vector<std::string>& path) {
  std::string out;
  auto kind_of = [](const std::string& t) {
    return t.rfind("LUT", 0) == 0 ? std::string("LUT") : t.rfind("SB_LUT", 0) == 0 ? std::string("SB_LUT4") : t;
  };
  for (size_t i = 0; i < path.size();) {
    const std::string kind = kind_of(path[i]);
    size_t j = i;
    while (j < path.size() && kind_of(path[j]) == kind) ++j;
    out += (out.empty() ? "" : " > ") + (j - i > 1 ? std::to_string(j - i) + " x " : std::string("")) + kind;
    i = j;
  }
  return out;
}

}  // namespace tf::hlsgen
