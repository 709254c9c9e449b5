// What every model shares in its parameters and stats: the `tech` parameter group (table, node and voltage
// scaling) and the energy / power / area / latency block of stats.json and summary.csv, with one naming
// scheme for all models (docs/architecture.md lists it).
#pragma once
#include <memory>
#include <string>

#include "core/ledger.h"
#include "core/metrics.h"
#include "core/schema.h"
#include "core/tech.h"

namespace tf {

// The `tech` group: which technology table, and the node and supply voltage to scale it to.
struct TechParams {
  std::string table;         // a technology table file (built-in names resolved by validation)
  std::string node_scaling;  // the node-scaling table used when node_nm differs from the table's node
  double node_nm = 0;        // 0 = the table's own node
  double vdd_V = 0;          // 0 = the table's nominal supply
};
// The declared group, with DEFAULT_TABLE (a built-in name from configs/tech/) and its range rules.
Schema<TechParams> tech_schema(const std::string& default_table);

// A loaded table and the scaling factors to the requested node and voltage.
struct TechSetup {
  TechTable table;
  Scaling scaling;
};
// Loads both tables; a node outside the scaling table is an InputError naming tech.node_nm in CONFIG.
TechSetup load_tech_setup(const TechParams& p, const Config& config);
// The same for in-process fast paths that evaluate many points: each table file is read once per process
// (cached by path behind a mutex, shared read-only), the scaling is computed per call. Thread-safe.
struct SharedTechSetup {
  std::shared_ptr<const TechTable> table;
  Scaling scaling;
};
SharedTechSetup load_tech_setup_cached(const TechParams& p, const Config& config);

// Declares the shared metrics: energy_pJ, energy_dynamic_pJ, energy_leakage_pJ, power_uW, power_dynamic_uW,
// area_um2, latency_cycles, latency_ns, node_nm, vdd_V and the breakdowns energy_by_component_pJ,
// energy_by_action_pJ, energy_by_TAG_pJ (TAG names what the ledger's tags are: "op", "stage"), action_counts,
// area_by_component_um2 and scaling.
void declare_shared_metrics(MetricSet& m, const std::string& tag);

// The shared block, in the order above. TIME_S is the simulated time the energy was spent over (for power);
// FREQ_MHZ converts latency cycles to ns.
void write_tech_stats(json& j, const Scaling& s);  // node_nm, vdd_V
void write_latency(json& j, uint64_t cycles, double freq_MHz);
void write_energy(json& j, const EnergyReport& er, double time_s);
void write_area(json& j, const EnergyReport& er);
// Breakdowns: per component, per action, per tag (SKIP_ZERO_TAGS drops tags that spent nothing), area per
// component, action counts, and the scaling record.
void write_breakdowns(json& j, const EnergyReport& er, const std::string& tag, bool skip_zero_tags, const Scaling& s);

}  // namespace tf
