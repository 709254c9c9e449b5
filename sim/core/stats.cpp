#include "core/stats.h"

#include <map>
#include <mutex>

#include "core/util.h"

namespace tf {

Schema<TechParams> tech_schema(const std::string& default_table) {
  Schema<TechParams> s;
  s.file("tech.table", &TechParams::table, default_table, "tech",
         "technology table: a built-in name from configs/tech/ (e.g. 65nm, 28nm, 22nm) or a JSON file");
  s.file("tech.node_scaling", &TechParams::node_scaling, "tech/node_scaling.json", "",
         "node-scaling table used when tech.node_nm differs from the table's node");
  s.real("tech.node_nm", &TechParams::node_nm, 0, 0, 180, "nm",
         "technology node to scale to; 0 = the table's own node");
  s.real("tech.vdd_V", &TechParams::vdd_V, 0, 0, 2.0, "V", "supply voltage; 0 = the table's nominal Vdd");
  s.rule([](const TechParams& t, const Config& c, Diagnostics& d) {
    if (t.vdd_V != 0 && t.vdd_V < 0.3)
      d.error(c.origin("tech.vdd_V"), "tech.vdd_V", format_double(t.vdd_V), "0 (nominal) or a voltage in [0.3, 2] V");
    if (t.node_nm != 0 && t.node_nm < 7)
      d.error(c.origin("tech.node_nm"), "tech.node_nm", format_double(t.node_nm),
              "0 (the table's node) or a node in [7, 180] nm");
  });
  return s;
}

// The scaling of TECH to the configured node and supply; a node outside the scaling table names tech.node_nm.
static Scaling scaling_for(const TechTable& tech, const NodeScalingTable& nst, const TechParams& p, const Config& c) {
  try {
    return compute_scaling(tech, p.node_nm, p.vdd_V, nst);
  } catch (const SupplyError& e) {
    throw InputError(c.origin("tech.vdd_V") + ": tech.vdd_V: got " + format_double(p.vdd_V) +
                     (p.vdd_V > 0 ? "" : " (the table's nominal " + format_double(tech.vdd_V) + " V)") +
                     "; expected a supply the technology table's voltage laws cover (" + e.what() + ")");
  } catch (const InputError& e) {
    throw InputError(c.origin("tech.node_nm") + ": tech.node_nm: got " + format_double(p.node_nm) +
                     "; expected a node covered by the scaling table (" + e.what() + ")");
  }
}

TechSetup load_tech_setup(const TechParams& p, const Config& c) {
  TechSetup t{load_tech(p.table), {}};
  NodeScalingTable nst = load_node_scaling(p.node_scaling);
  t.scaling = scaling_for(t.table, nst, p, c);
  return t;
}

namespace {

// Loaded tables by file path, shared by every thread of the process. A file that fails to load is not cached
// (the next call reports it again).
template <class T>
class TableCache {
 public:
  std::shared_ptr<const T> get(const std::string& file, T (*load)(const std::string&)) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tables_.find(file);
    if (it != tables_.end()) return it->second;
    auto t = std::make_shared<const T>(load(file));
    tables_.emplace(file, t);
    return t;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const T>> tables_;
};

}  // namespace

SharedTechSetup load_tech_setup_cached(const TechParams& p, const Config& c) {
  static TableCache<TechTable> tech_tables;
  static TableCache<NodeScalingTable> scaling_tables;
  SharedTechSetup t{tech_tables.get(p.table, load_tech), {}};
  std::shared_ptr<const NodeScalingTable> nst = scaling_tables.get(p.node_scaling, load_node_scaling);
  t.scaling = scaling_for(*t.table, *nst, p, c);
  return t;
}

void declare_shared_metrics(MetricSet& m, const std::string& tag) {
  m.neither("node_nm", "nm", "technology node the energy and area are scaled to");
  m.neither("vdd_V", "V", "supply voltage the energy is scaled to");
  m.lower("latency_cycles", "cycles", "cycles the design point took (all work, back to back)");
  m.lower("latency_ns", "ns", "latency_cycles at the clock frequency");
  m.lower("energy_pJ", "pJ", "total energy: dynamic + leakage");
  m.lower("energy_dynamic_pJ", "pJ", "energy of the counted actions (ledger: count x energy per action, scaled)");
  m.lower("energy_leakage_pJ", "pJ", "leakage power x simulated time");
  m.lower("power_uW", "uW", "average power over the simulated time: energy_pJ / time");
  m.lower("power_dynamic_uW", "uW", "average dynamic power over the simulated time");
  m.lower("area_um2", "um2", "area of every component instance (scaled to the node)");
  m.breakdown("energy_by_component_pJ", "pJ", "energy per component: its actions plus its leakage");
  m.breakdown("energy_by_action_pJ", "pJ", "energy per component.action, and component.leakage");
  m.breakdown("energy_by_" + tag + "_pJ", "pJ", "dynamic energy per " + tag);
  m.breakdown("action_counts", "", "how often each component.action happened");
  m.breakdown("area_by_component_um2", "um2", "area per component");
  m.breakdown("scaling", "", "technology table and the node / voltage scaling factors applied to it");
}

void write_tech_stats(json& j, const Scaling& s) {
  j["node_nm"] = s.node_nm;
  j["vdd_V"] = s.vdd_V;
}

void write_latency(json& j, uint64_t cycles, double freq_MHz) {
  j["latency_cycles"] = cycles;
  j["latency_ns"] = (double)cycles / (freq_MHz * 1e6) * 1e9;
}

void write_energy(json& j, const EnergyReport& er, double time_s) {
  j["energy_pJ"] = er.total_pJ;
  j["energy_dynamic_pJ"] = er.dynamic_pJ;
  j["energy_leakage_pJ"] = er.leakage_pJ;
  j["power_uW"] = time_s > 0 ? er.total_pJ * 1e-12 / time_s * 1e6 : 0.0;
  j["power_dynamic_uW"] = time_s > 0 ? er.dynamic_pJ * 1e-12 / time_s * 1e6 : 0.0;
}

void write_area(json& j, const EnergyReport& er) { j["area_um2"] = er.area_um2; }

static json object_of(const std::vector<std::pair<std::string, double>>& v, bool skip_zero = false) {
  json o = json::object();
  for (const auto& kv : v)
    if (!skip_zero || kv.second > 0) o[kv.first] = kv.second;
  return o;
}

void write_breakdowns(json& j, const EnergyReport& er, const std::string& tag, bool skip_zero_tags, const Scaling& s) {
  j["energy_by_component_pJ"] = object_of(er.by_component);
  j["energy_by_action_pJ"] = object_of(er.by_action);
  j["energy_by_" + tag + "_pJ"] = object_of(er.by_tag, skip_zero_tags);
  j["area_by_component_um2"] = object_of(er.area_by_component);
  json counts = json::object();
  for (const auto& kv : er.counts) counts[kv.first] = kv.second;
  j["action_counts"] = counts;
  j["scaling"] = s.to_json();
}

}  // namespace tf
