// Energy ledger (Accelergy-style): model components record (component, action, count) per tag (an operation
// type); the ledger prices them with the technology table and the scaling factors. Leakage is power x time.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tech.h"

namespace tf {

struct EnergyReport {
  double dynamic_pJ = 0, leakage_pJ = 0, total_pJ = 0, area_um2 = 0;
  // Ordered as registered. Per component: dynamic + its leakage. Per action: "component.action" and
  // "component.leakage". Per tag: dynamic only.
  std::vector<std::pair<std::string, double>> by_component, by_action, by_tag, area_by_component;
  std::vector<std::pair<std::string, uint64_t>> counts;  // "component.action" -> count
};

// Table-driven binding: a model lists its components (name, technology-table type, instances, energy scale)
// and the actions it charges, as data; what one model event costs is a ChargePlan, a list of (action, count)
// pairs built once and added with one call.
struct ComponentSpec {
  std::string name, type;
  double instances = 1, energy_scale = 1.0;
};
struct Charge {
  int action;
  uint64_t count;
};
using ChargePlan = std::vector<Charge>;

class Ledger {
 public:
  Ledger(const TechTable& tech, const Scaling& scaling) : tech_(tech), scaling_(scaling) {}

  // INSTANCES copies of tech component TYPE under NAME; ENERGY_SCALE multiplies every action's energy
  // (e.g. bitline energy scales with rows/256). Unknown TYPE: InputError naming the tech file.
  int component(const std::string& name, const std::string& type, double instances, double energy_scale = 1.0);
  // An action of a registered component; unknown ACTION: InputError naming the tech file.
  int action(int component, const std::string& action);
  int tag(const std::string& name);
  // Registers COMPONENTS, then ACTIONS ("component.action", in the order reports list them). Returns the
  // action ids by name. Unknown types or actions in the technology table: InputError naming the tech file.
  std::map<std::string, int> bind(const std::vector<ComponentSpec>& components,
                                  const std::vector<std::string>& actions);

  // Hot path: no allocation, no lookup.
  void add(int action, int tag, uint64_t count) { counts_[action * ntags_cap_ + tag] += count; }
  void add(const ChargePlan& plan, int tag) {
    for (const Charge& c : plan) add(c.action, tag, c.count);
  }

  // Energy of one action instance (scaled), for tests and docs.
  double energy_per_action_pJ(int action) const;
  uint64_t count(int action) const;
  EnergyReport report(double sim_time_s) const;
  const Scaling& scaling() const { return scaling_; }
  const TechTable& tech() const { return tech_; }
  void clear();

 private:
  struct Comp {
    std::string name, type;
    double instances, energy_scale;
    const TechComponent* tech;
  };
  struct Act {
    int comp;
    std::string name;
    double energy_pJ;  // table value x component energy_scale x node/voltage factor of its component
  };
  static constexpr int ntags_cap_ = 32;
  const TechTable& tech_;
  Scaling scaling_;
  std::vector<Comp> comps_;
  std::vector<Act> acts_;
  std::vector<std::string> tags_;
  std::vector<uint64_t> counts_;
};

}  // namespace tf
