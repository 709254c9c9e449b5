// Technology tables (configs/tech/*.json): per-action energy, per-instance area and leakage, each number with
// its source; and the node/voltage scaling applied to them.
#pragma once
#include <map>
#include <set>
#include <vector>
#include <string>

#include "core/diagnostics.h"
#include "core/util.h"

namespace tf {

struct TechAction {
  double energy_pJ = 0;
  std::string source;
};

struct TechComponent {
  std::string description;
  std::map<std::string, TechAction> actions;
  double area_um2 = 0, leakage_pW = 0;
  std::string area_source, leakage_source;
  // Energies set by physics that does not shrink with the node (C V^2 per fF of a given capacitor, an ADC's
  // FOM_W): node scaling leaves them alone; voltage scaling still applies.
  bool node_independent_energy = false;
};

// How a component's dynamic energy follows the supply: E(V) = E(V0) x P(V) / P(V0) with
// P(V) = a V^2 + b V + c (pure V^2 scaling is a = 1, b = c = 0). A table's "voltage_laws" block names laws,
// each with the components it covers; "default" covers the rest. Fitted laws carry the range of supplies they
// were fitted on, and a supply outside it is an error rather than a silent extrapolation.
struct VoltageLaw {
  std::string name = "default", source, file;  // FILE: the table that states it
  bool checked = false;                          // read from a table (not the built-in V^2)
  double a = 1, b = 0, c = 0;
  double min_V = 0, max_V = 0;  // both 0: any supply where P(V) > 0
  std::vector<std::string> components;
  double p(double v) const { return (a * v + b) * v + c; }
};

struct TechTable {
  std::string file, name, description;
  double node_nm = 0, vdd_V = 0;
  std::map<std::string, TechComponent> components;
  json calibration;  // the table's "calibration" block (what was fitted, to what), or null
  bool has_laws = false;              // the table (or its base) has a voltage_laws block
  VoltageLaw default_law;             // pure V^2 unless the table says otherwise
  std::vector<VoltageLaw> laws;       // named laws, each over its components
  const VoltageLaw& law_of(const std::string& component) const;
};

// Strict loader: unknown or missing keys, wrong types, negative numbers and missing sources are errors
// (InputError naming the file and JSON path), all reported together. A table may name a "base" table (a
// file relative to it): it starts from the base's components and replaces what it lists (a component's
// description, single actions by name, area, leakage); name, node and voltage default to the base's.
TechTable load_tech(const std::string& file);

// Published node-scaling table (configs/tech/node_scaling.json).
struct NodeScalingTable {
  std::string file, source;
  struct Row {
    double node_nm, vdd_V, energy, area;
  };
  std::vector<Row> rows;  // sorted by node, descending
  // Relative switched capacitance (energy / Vdd_nominal^2) and relative area at NODE, interpolated
  // log-log between table rows. Throws InputError outside the table's range.
  double capacitance(double node_nm) const;
  double area(double node_nm) const;
  double vdd(double node_nm) const;  // the node's nominal supply, interpolated the same way
  double min_node() const;
  double max_node() const;
};
NodeScalingTable load_node_scaling(const std::string& file);

// Factors that take a table at (node0, vdd0) to (node, vdd).
struct Scaling {
  std::string tech_file, scaling_file;
  double tech_node_nm = 0, node_nm = 0, vdd_nominal_V = 0, vdd_V = 0;
  // voltage_factor and energy_factor are those of the default law; components under a named law use
  // capacitance_factor x their entry in law_factor.
  double capacitance_factor = 1, voltage_factor = 1, energy_factor = 1, area_factor = 1, leakage_factor = 1;
  std::map<std::string, double> law_factor;         // law name -> P(V)/P(V0)
  std::map<std::string, std::string> law_of_component;  // components under a named law
  std::set<std::string> node_independent;           // components whose energy ignores capacitance_factor
  // The nominal supply of the node simulated: the table's own, times the scaling table's ratio of the node's
  // nominal supply to the table node's (continuous in the node; not in to_json; models that reference delays
  // to the node's supply read it).
  double node_vdd_nominal_V = 0;
  json laws_json;                                   // the laws as applied, for stats
  // The dynamic-energy factor of tech component TYPE.
  double energy_factor_of(const std::string& type) const;
  json to_json() const;
};

// A supply no voltage law of the table covers (outside a fitted range, or a non-positive energy).
class SupplyError : public InputError {
 public:
  using InputError::InputError;
};

// NODE <= 0 keeps the table's node; VDD <= 0 keeps its nominal voltage. A node outside the scaling table:
// InputError; a supply a voltage law does not cover: SupplyError.
Scaling compute_scaling(const TechTable& tech, double node_nm, double vdd_V, const NodeScalingTable& table);

}  // namespace tf
