// Metric declarations: each model declares every metric its stats.json carries (name with its unit, which
// way is better, description), next to its parameters. The same declaration drives `tinyforge describe`,
// the check that a run's stats hold only declared metrics, and (for sweeps) the check of objectives before
// anything runs.
#pragma once
#include <string>
#include <vector>

#include "core/util.h"

namespace tf {

enum class Better { Lower, Higher, Neither };

struct MetricSpec {
  std::string name;  // as in stats.json, unit in the name: energy_pJ, latency_cycles, area_um2
  std::string unit;  // "pJ", "cycles", "" for counts and ratios
  Better better = Better::Neither;
  std::string desc;
  bool breakdown = false;  // an object of named parts (energy_by_component_pJ), not one number
  bool text = false;       // a string (workload name, units), not a number
};

class MetricSet {
 public:
  MetricSpec& lower(const std::string& name, const std::string& unit, const std::string& desc);
  MetricSpec& higher(const std::string& name, const std::string& unit, const std::string& desc);
  MetricSpec& neither(const std::string& name, const std::string& unit, const std::string& desc);
  MetricSpec& label(const std::string& name, const std::string& desc);  // a string-valued entry
  MetricSpec& breakdown(const std::string& name, const std::string& unit, const std::string& desc);
  const MetricSpec* find(const std::string& name) const;
  const std::vector<MetricSpec>& specs() const { return specs_; }

 private:
  MetricSpec& add(MetricSpec m);
  std::vector<MetricSpec> specs_;
};

const char* better_name(Better b);  // "min", "max", "-"

// `tinyforge describe` table of metrics.
std::string describe_metrics(const MetricSet& metrics);

// Problems of STATS against the declaration: undeclared entries, a number where a breakdown object is
// declared and the reverse. Empty when every entry is declared with its kind.
std::vector<std::string> check_stats(const MetricSet& metrics, const json& stats);

}  // namespace tf
