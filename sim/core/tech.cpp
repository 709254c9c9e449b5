#include "core/tech.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/diagnostics.h"

namespace tf {

namespace {

struct Strict {
  std::string file;
  Diagnostics d;
  void keys(const json& obj, const std::string& path, const std::set<std::string>& allowed) {
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (!allowed.count(it.key())) {
        std::vector<std::string> c(allowed.begin(), allowed.end());
        std::string s = closest(it.key(), c);
        d.error(file, path.empty() ? it.key() : path + "." + it.key(), show(it.value()),
                "no such key" + (s.empty() ? std::string() : "; did you mean '" + s + "'?"));
      }
  }
  const json* need(const json& obj, const std::string& path, const std::string& key, const char* what) {
    auto it = obj.find(key);
    std::string p = path.empty() ? key : path + "." + key;
    if (it == obj.end()) {
      d.error(file, p, "nothing (missing)", what);
      return nullptr;
    }
    return &*it;
  }
  double number(const json& obj, const std::string& path, const std::string& key) {
    const json* v = need(obj, path, key, "a non-negative number");
    if (!v) return 0;
    if (!v->is_number() || v->get<double>() < 0 || !std::isfinite(v->get<double>())) {
      d.error(file, path.empty() ? key : path + "." + key, show(*v), "a non-negative number");
      return 0;
    }
    return v->get<double>();
  }
  std::string text(const json& obj, const std::string& path, const std::string& key, bool nonempty = true) {
    const json* v = need(obj, path, key, "a string");
    if (!v) return "";
    if (!v->is_string() || (nonempty && v->get<std::string>().empty())) {
      d.error(file, path.empty() ? key : path + "." + key, show(*v), nonempty ? "a non-empty string" : "a string");
      return "";
    }
    return v->get<std::string>();
  }
  bool object(const json& v, const std::string& path) {
    if (!v.is_object()) {
      d.error(file, path, show(v), "an object");
      return false;
    }
    return true;
  }
};

}  // namespace

TechTable load_tech(const std::string& file) {
  json j = load_json_file(file);
  Strict s{file, {}};
  TechTable t;
  t.file = file;
  if (!s.object(j, "")) s.d.throw_if_any();
  s.keys(j, "", {"name", "node_nm", "vdd_nominal_V", "description", "components"});
  t.name = s.text(j, "", "name");
  t.node_nm = s.number(j, "", "node_nm");
  t.vdd_V = s.number(j, "", "vdd_nominal_V");
  t.description = s.text(j, "", "description", false);
  const json* comps = s.need(j, "", "components", "an object of components");
  if (comps && s.object(*comps, "components")) {
    for (auto it = comps->begin(); it != comps->end(); ++it) {
      std::string p = "components." + it.key();
      const json& c = it.value();
      if (!s.object(c, p)) continue;
      s.keys(c, p, {"description", "actions", "area_um2", "leakage_pW"});
      TechComponent tc;
      tc.description = s.text(c, p, "description", false);
      const json* acts = s.need(c, p, "actions", "an object of actions");
      if (acts && s.object(*acts, p + ".actions")) {
        for (auto a = acts->begin(); a != acts->end(); ++a) {
          std::string ap = p + ".actions." + a.key();
          if (!s.object(a.value(), ap)) continue;
          s.keys(a.value(), ap, {"energy_pJ", "source"});
          TechAction ta;
          ta.energy_pJ = s.number(a.value(), ap, "energy_pJ");
          ta.source = s.text(a.value(), ap, "source");
          tc.actions[a.key()] = ta;
        }
      }
      for (const char* k : {"area_um2", "leakage_pW"}) {
        const json* v = s.need(c, p, k, "an object {\"value\": number, \"source\": string}");
        if (!v || !s.object(*v, p + "." + k)) continue;
        s.keys(*v, p + "." + k, {"value", "source"});
        double val = s.number(*v, p + "." + k, "value");
        std::string src = s.text(*v, p + "." + k, "source");
        if (std::string(k) == "area_um2") {
          tc.area_um2 = val;
          tc.area_source = src;
        } else {
          tc.leakage_pW = val;
          tc.leakage_source = src;
        }
      }
      t.components[it.key()] = tc;
    }
  }
  if (t.node_nm <= 0 && s.d.empty()) s.d.error(file, "node_nm", std::to_string(t.node_nm), "a positive number");
  if (t.vdd_V <= 0 && s.d.empty()) s.d.error(file, "vdd_nominal_V", std::to_string(t.vdd_V), "a positive number");
  s.d.throw_if_any();
  return t;
}

NodeScalingTable load_node_scaling(const std::string& file) {
  json j = load_json_file(file);
  Strict s{file, {}};
  NodeScalingTable t;
  t.file = file;
  if (!s.object(j, "")) s.d.throw_if_any();
  s.keys(j, "", {"description", "source", "reference_node_nm", "nodes", "notes"});
  t.source = s.text(j, "", "source");
  const json* nodes = s.need(j, "", "nodes", "a list of {node_nm, vdd_nominal_V, energy, area}");
  if (nodes && nodes->is_array()) {
    for (size_t k = 0; k < nodes->size(); ++k) {
      std::string p = "nodes[" + std::to_string(k) + "]";
      const json& r = (*nodes)[k];
      if (!s.object(r, p)) continue;
      s.keys(r, p, {"node_nm", "vdd_nominal_V", "energy", "area", "source", "note"});
      NodeScalingTable::Row row{s.number(r, p, "node_nm"), s.number(r, p, "vdd_nominal_V"), s.number(r, p, "energy"),
                                s.number(r, p, "area")};
      if (row.node_nm <= 0 || row.vdd_V <= 0 || row.energy <= 0 || row.area <= 0)
        s.d.error(file, p, show(r), "positive node_nm, vdd_nominal_V, energy and area");
      t.rows.push_back(row);
    }
  }
  if (t.rows.size() < 2) s.d.error(file, "nodes", "fewer than 2 rows", "at least 2 rows");
  s.d.throw_if_any();
  std::sort(t.rows.begin(), t.rows.end(), [](const auto& a, const auto& b) { return a.node_nm > b.node_nm; });
  return t;
}

double NodeScalingTable::min_node() const { return rows.back().node_nm; }
double NodeScalingTable::max_node() const { return rows.front().node_nm; }

static double interp_loglog(const std::vector<NodeScalingTable::Row>& rows, double node,
                            double (*val)(const NodeScalingTable::Row&)) {
  for (size_t k = 0; k + 1 < rows.size(); ++k) {
    const auto& hi = rows[k];
    const auto& lo = rows[k + 1];
    if (node <= hi.node_nm && node >= lo.node_nm) {
      if (hi.node_nm == lo.node_nm) return val(hi);
      double t = (std::log(node) - std::log(hi.node_nm)) / (std::log(lo.node_nm) - std::log(hi.node_nm));
      return std::exp(std::log(val(hi)) + t * (std::log(val(lo)) - std::log(val(hi))));
    }
  }
  throw std::logic_error("node outside scaling table");
}

double NodeScalingTable::capacitance(double node) const {
  if (node < min_node() || node > max_node())
    throw InputError(file + ": node " + format_double(node) + " nm is outside the scaling table's range [" +
                     format_double(min_node()) + ", " + format_double(max_node()) + "] nm");
  return interp_loglog(rows, node, [](const Row& r) { return r.energy / (r.vdd_V * r.vdd_V); });
}

double NodeScalingTable::area(double node) const {
  if (node < min_node() || node > max_node())
    throw InputError(file + ": node " + format_double(node) + " nm is outside the scaling table's range [" +
                     format_double(min_node()) + ", " + format_double(max_node()) + "] nm");
  return interp_loglog(rows, node, [](const Row& r) { return r.area; });
}

Scaling compute_scaling(const TechTable& tech, double node_nm, double vdd_V, const NodeScalingTable& table) {
  Scaling s;
  s.tech_file = tech.file;
  s.scaling_file = table.file;
  s.tech_node_nm = tech.node_nm;
  s.node_nm = node_nm > 0 ? node_nm : tech.node_nm;
  s.vdd_nominal_V = tech.vdd_V;
  s.vdd_V = vdd_V > 0 ? vdd_V : tech.vdd_V;
  if (s.node_nm != s.tech_node_nm) {
    s.capacitance_factor = table.capacitance(s.node_nm) / table.capacitance(s.tech_node_nm);
    s.area_factor = table.area(s.node_nm) / table.area(s.tech_node_nm);
  }
  double vr = s.vdd_V / s.vdd_nominal_V;
  s.voltage_factor = vr * vr;
  s.energy_factor = s.capacitance_factor * s.voltage_factor;
  // Leakage power ~ Vdd * I_leak, with I_leak taken proportional to device width (~ switched capacitance).
  // A first-order estimate: it ignores the exponential dependence of subthreshold current on Vth and DIBL.
  s.leakage_factor = s.capacitance_factor * vr;
  return s;
}

json Scaling::to_json() const {
  json j;
  j["tech_file"] = tech_file;
  j["scaling_table"] = scaling_file;
  j["tech_node_nm"] = tech_node_nm;
  j["node_nm"] = node_nm;
  j["vdd_nominal_V"] = vdd_nominal_V;
  j["vdd_V"] = vdd_V;
  j["capacitance_factor"] = capacitance_factor;
  j["voltage_factor"] = voltage_factor;
  j["energy_factor"] = energy_factor;
  j["area_factor"] = area_factor;
  j["leakage_factor"] = leakage_factor;
  j["method"] =
      "dynamic energy x C(node)/C(node0) x (V/V0)^2, C = energy/Vnom^2 from the node table interpolated "
      "log-log; area x A(node)/A(node0); leakage x C(node)/C(node0) x V/V0";
  return j;
}

}  // namespace tf
