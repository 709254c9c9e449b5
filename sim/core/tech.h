// Technology tables (configs/tech/*.json): per-action energy, per-instance area and leakage, each number with
// its source; and the node/voltage scaling applied to them.
#pragma once
#include <map>
#include <string>

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
};

struct TechTable {
  std::string file, name, description;
  double node_nm = 0, vdd_V = 0;
  std::map<std::string, TechComponent> components;
  json calibration;  // the table's "calibration" block (what was fitted, to what), or null
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
  double min_node() const;
  double max_node() const;
};
NodeScalingTable load_node_scaling(const std::string& file);

// Factors that take a table at (node0, vdd0) to (node, vdd).
struct Scaling {
  std::string tech_file, scaling_file;
  double tech_node_nm = 0, node_nm = 0, vdd_nominal_V = 0, vdd_V = 0;
  double capacitance_factor = 1, voltage_factor = 1, energy_factor = 1, area_factor = 1, leakage_factor = 1;
  json to_json() const;
};

// NODE <= 0 keeps the table's node; VDD <= 0 keeps its nominal voltage.
Scaling compute_scaling(const TechTable& tech, double node_nm, double vdd_V, const NodeScalingTable& table);

}  // namespace tf
