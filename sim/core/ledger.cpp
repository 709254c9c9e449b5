#include "core/ledger.h"

#include <stdexcept>

#include "core/diagnostics.h"

namespace tf {

int Ledger::component(const std::string& name, const std::string& type, double instances, double energy_scale) {
  auto it = tech_.components.find(type);
  if (it == tech_.components.end())
    throw InputError(tech_.file + ": components." + type + ": missing; expected a component '" + type +
                     "' (needed by model component '" + name + "')");
  comps_.push_back({name, type, instances, energy_scale, &it->second});
  return (int)comps_.size() - 1;
}

int Ledger::action(int component, const std::string& action) {
  const Comp& c = comps_.at(component);
  auto it = c.tech->actions.find(action);
  if (it == c.tech->actions.end())
    throw InputError(tech_.file + ": components." + c.type + ".actions." + action + ": missing; expected action '" +
                     action + "' (needed by model component '" + c.name + "')");
  acts_.push_back({component, action, it->second.energy_pJ * c.energy_scale * scaling_.energy_factor_of(c.type)});
  counts_.resize(acts_.size() * ntags_cap_, 0);
  return (int)acts_.size() - 1;
}

int Ledger::tag(const std::string& name) {
  for (size_t k = 0; k < tags_.size(); ++k)
    if (tags_[k] == name) return (int)k;
  if ((int)tags_.size() >= ntags_cap_) throw std::logic_error("ledger: too many tags");
  tags_.push_back(name);
  return (int)tags_.size() - 1;
}

std::map<std::string, int> Ledger::bind(const std::vector<ComponentSpec>& components,
                                        const std::vector<std::string>& actions) {
  std::map<std::string, int> comp_ids, ids;
  for (const auto& c : components) comp_ids[c.name] = component(c.name, c.type, c.instances, c.energy_scale);
  for (const auto& a : actions) {
    size_t dot = a.find('.');
    auto it = dot == std::string::npos ? comp_ids.end() : comp_ids.find(a.substr(0, dot));
    if (it == comp_ids.end()) throw std::logic_error("ledger: action '" + a + "' names no listed component");
    ids[a] = action(it->second, a.substr(dot + 1));
  }
  return ids;
}

double Ledger::energy_per_action_pJ(int action) const { return acts_.at(action).energy_pJ; }

uint64_t Ledger::count(int action) const {
  uint64_t n = 0;
  for (int t = 0; t < ntags_cap_; ++t) n += counts_[action * ntags_cap_ + t];
  return n;
}

void Ledger::clear() { std::fill(counts_.begin(), counts_.end(), 0); }

EnergyReport Ledger::report(double sim_time_s) const {
  EnergyReport r;
  std::vector<double> comp_e(comps_.size(), 0), tag_e(tags_.size(), 0);
  for (size_t a = 0; a < acts_.size(); ++a) {
    double e_one = energy_per_action_pJ((int)a);
    double e_act = 0;
    uint64_t n = 0;
    for (size_t t = 0; t < tags_.size(); ++t) {
      uint64_t c = counts_[a * ntags_cap_ + t];
      n += c;
      e_act += e_one * (double)c;
      tag_e[t] += e_one * (double)c;
    }
    comp_e[acts_[a].comp] += e_act;
    r.dynamic_pJ += e_act;
    r.by_action.push_back({comps_[acts_[a].comp].name + "." + acts_[a].name, e_act});
    r.counts.push_back({comps_[acts_[a].comp].name + "." + acts_[a].name, n});
  }
  for (size_t c = 0; c < comps_.size(); ++c) {
    const Comp& k = comps_[c];
    double leak = k.instances * k.tech->leakage_pW * 1e-12 * scaling_.leakage_factor * sim_time_s * 1e12;  // pJ
    r.leakage_pJ += leak;
    r.by_action.push_back({k.name + ".leakage", leak});
    r.by_component.push_back({k.name, comp_e[c] + leak});
    double area = k.instances * k.tech->area_um2 * scaling_.area_factor;
    r.area_um2 += area;
    r.area_by_component.push_back({k.name, area});
  }
  for (size_t t = 0; t < tags_.size(); ++t) r.by_tag.push_back({tags_[t], tag_e[t]});
  r.total_pJ = r.dynamic_pJ + r.leakage_pJ;
  return r;
}

}  // namespace tf
