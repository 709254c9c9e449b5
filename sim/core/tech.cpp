#include "core/tech.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "core/diagnostics.h"
#include "core/reader.h"

namespace tf {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
// A name of NAMES one typo away from WORD (1 edit, 2 for words of 6 or more characters), or "": a new
// component or action of a based table that close to an existing one is taken for a misspelling.
std::string typo_of(const std::string& word, const std::vector<std::string>& names) {
  const size_t limit = word.size() >= 6 ? 2 : 1;
  for (const std::string& n : names)
    if (n != word && edit_distance(word, n) <= limit) return n;
  return "";
}
double nonnegative(const JsonNode& n) { return n.number(0, kInf, 0, "a non-negative number"); }
}  // namespace

namespace {

std::string canonical_key(const std::filesystem::path& p) {
  std::error_code ec;
  std::filesystem::path c = std::filesystem::weakly_canonical(p, ec);
  return (ec ? p.lexically_normal() : c).string();
}

// "voltage_laws": {"default": {coefficients, [range_V], source}, "<name>": {coefficients, components,
// [range_V], source}, ...}. Replaces a base table's laws as a whole. Positivity is checked afterwards, at the
// final nominal supply (check_voltage_laws).
void read_voltage_laws(const JsonNode& block, TechTable& t) {
  if (!block.expect_object("an object of voltage laws {\"default\" or a name: {coefficients, components, source}}"))
    return;
  if (block.value().empty()) {
    block.fail("at least one law (\"default\" or a named one); an empty block would drop the base table's laws");
    return;
  }
  t.default_law = VoltageLaw();
  t.laws.clear();
  t.has_laws = true;
  std::map<std::string, std::string> owner;  // component -> law
  block.for_each_member([&](const std::string& name, const JsonNode& n) {
    if (!n.expect_object()) return;
    if (name.empty()) {
      n.fail("a law with a name (\"default\" or the name of a class of components)");
      return;
    }
    const size_t before = n.diag().size();
    const bool is_default = name == "default";
    if (is_default)
      n.only_keys({"coefficients", "range_V", "source"});
    else
      n.only_keys({"coefficients", "components", "range_V", "source"});
    VoltageLaw law;
    law.name = name;
    law.file = t.file;
    law.source = n["source"].text(true);
    JsonNode co = n["coefficients"];
    if (co.expect_list("[a, b, c] of E(V) ~ a V^2 + b V + c (three numbers)", 3, 3)) {
      law.a = co[0].number(-1e6, 1e6, 0, "a number in [-1e6, 1e6]");
      law.b = co[1].number(-1e6, 1e6, 0, "a number in [-1e6, 1e6]");
      law.c = co[2].number(-1e6, 1e6, 0, "a number in [-1e6, 1e6]");
    }
    if (n.has("range_V")) {
      JsonNode r = n["range_V"];
      if (r.expect_list("[min_V, max_V] (two voltages)", 2, 2)) {
        law.min_V = r[0].number(1e-3, 100, 0, "a voltage in [0.001, 100]");
        law.max_V = r[1].number(1e-3, 100, 0, "a voltage in [0.001, 100]");
        if (law.max_V > 0 && law.max_V < law.min_V) r.fail("[min_V, max_V] with min_V <= max_V");
      }
    }
    if (!is_default) {
      JsonNode cs = n["components"];
      if (cs.expect_list("a non-empty list of component names of this table", 1))
        for (size_t k = 0; k < cs.size(); ++k) {
          std::string c = cs[k].text(true);
          if (c.empty()) continue;
          if (!t.components.count(c))
            cs[k].fail("a component of this table (or its base)");
          else if (owner.count(c))
            cs[k].fail("a component under one law only (already under '" + owner[c] + "')");
          else {
            owner[c] = name;
            law.components.push_back(c);
          }
        }
    }
    if (n.diag().size() != before) return;  // reported; no follow-on errors from fallback values
    law.checked = true;
    if (is_default)
      t.default_law = law;
    else
      t.laws.push_back(law);
  });
}

// Every law (its own or inherited) must give a positive energy at the table's nominal supply, the anchor of
// E(V0), and over its fitted range.
void check_voltage_laws(const TechTable& t, Diagnostics& d) {
  std::vector<const VoltageLaw*> all{&t.default_law};
  for (const VoltageLaw& l : t.laws) all.push_back(&l);
  for (const VoltageLaw* law : all) {
    if (!law->checked) continue;
    std::vector<double> at{t.vdd_V};
    if (law->max_V > 0) {
      at.push_back(law->min_V);
      at.push_back(law->max_V);
      double vertex = law->a != 0 ? -law->b / (2 * law->a) : -1;
      if (vertex > law->min_V && vertex < law->max_V) at.push_back(vertex);
    }
    for (double v : at)
      if (!(law->p(v) > 0)) {
        d.error(law->file, "voltage_laws." + law->name + ".coefficients",
                "[" + format_double(law->a) + ", " + format_double(law->b) + ", " + format_double(law->c) + "]",
                "a V^2 + b V + c > 0 at the nominal supply " + format_double(t.vdd_V) + " V and over range_V (it is " +
                    format_double(law->p(v)) + " at " + format_double(v) + " V)");
        break;
      }
  }
}

TechTable load_tech_chain(const std::string& file, std::vector<std::string>& chain) {
  namespace fs = std::filesystem;
  json j = load_json_file(file);
  Diagnostics d;
  JsonNode root(j, file, d);
  TechTable t;
  if (!root.expect_object()) d.throw_if_any();
  root.only_keys(
      {"name", "node_nm", "vdd_nominal_V", "description", "components", "base", "calibration", "voltage_laws"});
  const bool based = root.has("base");
  if (based) {
    const json& b = root["base"].value();
    if (!b.is_string() || b.get<std::string>().empty())
      throw InputError(file + ": base: got " + show(b) + "; expected a technology table file relative to this file");
    const fs::path bp = (fs::path(file).parent_path() / b.get<std::string>()).lexically_normal();
    const std::string key = canonical_key(bp);
    if (std::find(chain.begin(), chain.end(), key) != chain.end() || chain.size() > 8)
      throw InputError(file + ": base: got " + show(b) + "; expected a table that does not lead back to this one " +
                       "(at most 8 levels of base)");
    chain.push_back(key);
    try {
      t = load_tech_chain(bp.string(), chain);
    } catch (const InputError& e) {
      throw InputError(file + ": base: got " + show(b) + "; expected a readable technology table (" + e.what() + ")");
    }
    t.calibration = json();
  }
  t.file = file;
  if (!based || root.has("name")) t.name = root["name"].text(true);
  if (!based || root.has("node_nm")) t.node_nm = nonnegative(root["node_nm"]);
  if (!based || root.has("vdd_nominal_V")) t.vdd_V = nonnegative(root["vdd_nominal_V"]);
  if (root.has("description")) t.description = root["description"].text();
  if (root.has("calibration")) {
    if (root["calibration"].expect_object("an object (targets, fitted values, residuals, the command)"))
      t.calibration = root["calibration"].value();
  }
  JsonNode comps = root["components"];
  if ((based && !root.has("components")) || comps.expect_object("an object of components")) {
    if (root.has("components"))
      comps.for_each_member([&](const std::string& name, const JsonNode& c) {
        if (!c.expect_object()) return;
        c.only_keys({"description", "actions", "area_um2", "leakage_pW", "node_independent_energy"});
        auto old = t.components.find(name);
        const bool replaces = old != t.components.end();  // a base component: only what is listed changes
        if (based && !replaces) {  // a new component next to the base's: a misspelt one is an error
          std::vector<std::string> names;
          for (const auto& kv : t.components) names.push_back(kv.first);
          const std::string near = typo_of(name, names);
          if (!near.empty()) {
            c.fail("a component of the base table (did you mean '" + near + "'?) or a new one with a distinct name");
            return;
          }
        }
        TechComponent tc = replaces ? old->second : TechComponent();
        if (c.has("description")) tc.description = c["description"].text();
        if (c.has("node_independent_energy")) tc.node_independent_energy = c["node_independent_energy"].boolean();
        JsonNode acts = c["actions"];
        if ((replaces && !c.has("actions")) || acts.expect_object("an object of actions")) {
          if (c.has("actions"))
            acts.for_each_member([&](const std::string& an, const JsonNode& a) {
              if (!a.expect_object()) return;
              if (replaces && !tc.actions.count(an)) {  // a new action of a base component: not a misspelt one
                std::vector<std::string> names;
                for (const auto& kv : tc.actions) names.push_back(kv.first);
                const std::string near = typo_of(an, names);
                if (!near.empty()) {
                  a.fail("an action of the base component (did you mean '" + near +
                         "'?) or a new one with a distinct name");
                  return;
                }
              }
              a.only_keys({"energy_pJ", "source"});
              tc.actions[an] = TechAction{nonnegative(a["energy_pJ"]), a["source"].text(true)};
            });
        }
        for (const char* k : {"area_um2", "leakage_pW"}) {
          if (replaces && !c.has(k)) continue;
          JsonNode v = c[k];
          if (!v.expect_object("an object {\"value\": number, \"source\": string}")) continue;
          v.only_keys({"value", "source"});
          double val = nonnegative(v["value"]);
          std::string src = v["source"].text(true);
          if (std::string(k) == "area_um2") {
            tc.area_um2 = val;
            tc.area_source = src;
          } else {
            tc.leakage_pW = val;
            tc.leakage_source = src;
          }
        }
        t.components[name] = tc;
      });
  }
  if (t.node_nm <= 0 && d.empty()) root["node_nm"].fail("a positive number");
  if (t.vdd_V <= 0 && d.empty()) root["vdd_nominal_V"].fail("a positive number");
  if (root.has("voltage_laws")) read_voltage_laws(root["voltage_laws"], t);
  if (d.empty() && t.vdd_V > 0) check_voltage_laws(t, d);
  d.throw_if_any();
  return t;
}

}  // namespace

TechTable load_tech(const std::string& file) {
  std::vector<std::string> chain{canonical_key(file)};
  return load_tech_chain(file, chain);
}

NodeScalingTable load_node_scaling(const std::string& file) {
  json j = load_json_file(file);
  Diagnostics d;
  JsonNode root(j, file, d);
  NodeScalingTable t;
  t.file = file;
  if (!root.expect_object()) d.throw_if_any();
  root.only_keys({"description", "source", "reference_node_nm", "nodes", "notes"});
  t.source = root["source"].text(true);
  JsonNode nodes = root["nodes"];
  if (nodes.expect_list("a list of {node_nm, vdd_nominal_V, energy, area}")) {
    for (size_t k = 0; k < nodes.size(); ++k) {
      JsonNode r = nodes[k];
      if (!r.expect_object()) continue;
      r.only_keys({"node_nm", "vdd_nominal_V", "energy", "area", "source", "note"});
      NodeScalingTable::Row row{nonnegative(r["node_nm"]), nonnegative(r["vdd_nominal_V"]), nonnegative(r["energy"]),
                                nonnegative(r["area"])};
      if (row.node_nm <= 0 || row.vdd_V <= 0 || row.energy <= 0 || row.area <= 0)
        r.fail("positive node_nm, vdd_nominal_V, energy and area");
      t.rows.push_back(row);
    }
  }
  if (t.rows.size() < 2) nodes.fail_got("fewer than 2 rows", "at least 2 rows");
  d.throw_if_any();
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

double NodeScalingTable::vdd(double node) const {
  if (node < min_node() || node > max_node())
    throw InputError(file + ": node " + format_double(node) + " nm is outside the scaling table's range [" +
                     format_double(min_node()) + ", " + format_double(max_node()) + "] nm");
  return interp_loglog(rows, node, [](const Row& r) { return r.vdd_V; });
}

Scaling compute_scaling(const TechTable& tech, double node_nm, double vdd_V, const NodeScalingTable& table) {
  Scaling s;
  s.tech_file = tech.file;
  s.scaling_file = table.file;
  s.tech_node_nm = tech.node_nm;
  s.node_nm = node_nm > 0 ? node_nm : tech.node_nm;
  s.vdd_nominal_V = tech.vdd_V;
  s.vdd_V = vdd_V > 0 ? vdd_V : tech.vdd_V;
  s.node_vdd_nominal_V = tech.vdd_V;
  if (s.node_nm != s.tech_node_nm) {
    s.capacitance_factor = table.capacitance(s.node_nm) / table.capacitance(s.tech_node_nm);
    s.area_factor = table.area(s.node_nm) / table.area(s.tech_node_nm);
    s.node_vdd_nominal_V = tech.vdd_V * table.vdd(s.node_nm) / table.vdd(s.tech_node_nm);  // continuous in the node
  }
  double vr = s.vdd_V / s.vdd_nominal_V;
  auto factor = [&](const VoltageLaw& law) {
    const std::string where = law.file + ": voltage_laws." + law.name;
    if (law.max_V > 0 && (s.vdd_V < law.min_V || s.vdd_V > law.max_V))
      throw SupplyError(where + ": supply " + format_double(s.vdd_V) + " V is outside the range [" +
                        format_double(law.min_V) + ", " + format_double(law.max_V) +
                        "] V the law was fitted on; expected tech.vdd_V within it");
    if (law.a == 1 && law.b == 0 && law.c == 0) return vr * vr;  // pure V^2, in the same arithmetic as always
    const double pv = law.p(s.vdd_V), p0 = law.p(s.vdd_nominal_V);
    if (!(pv > 0) || !(p0 > 0))
      throw SupplyError(where + ": a V^2 + b V + c is " + format_double(pv) + " at " + format_double(s.vdd_V) +
                        " V and " + format_double(p0) + " at the nominal " + format_double(s.vdd_nominal_V) +
                        " V; expected a supply where the law gives a positive energy");
    return pv / p0;
  };
  s.voltage_factor = factor(tech.default_law);
  s.energy_factor = s.capacitance_factor * s.voltage_factor;
  for (const auto& kv : tech.components)
    if (kv.second.node_independent_energy) s.node_independent.insert(kv.first);
  if (tech.has_laws) {
    s.laws_json = json::object();
    auto describe = [&](const VoltageLaw& law, double f) {
      json l;
      l["coefficients"] = {law.a, law.b, law.c};
      if (law.max_V > 0) l["range_V"] = {law.min_V, law.max_V};
      l["factor"] = f;
      if (!law.components.empty()) l["components"] = law.components;
      return l;
    };
    s.laws_json["default"] = describe(tech.default_law, s.voltage_factor);
    for (const VoltageLaw& law : tech.laws) {
      double f = factor(law);
      s.law_factor[law.name] = f;
      for (const std::string& c : law.components) s.law_of_component[c] = law.name;
      s.laws_json[law.name] = describe(law, f);
    }
  }
  // Leakage power ~ Vdd * I_leak, with I_leak taken proportional to device width (~ switched capacitance).
  // A first-order estimate: it ignores the exponential dependence of subthreshold current on Vth and DIBL.
  s.leakage_factor = s.capacitance_factor * vr;
  return s;
}

const VoltageLaw& TechTable::law_of(const std::string& component) const {
  for (const VoltageLaw& l : laws)
    if (std::find(l.components.begin(), l.components.end(), component) != l.components.end()) return l;
  return default_law;
}

double Scaling::energy_factor_of(const std::string& type) const {
  const double cap = node_independent.count(type) ? 1.0 : capacitance_factor;
  auto it = law_of_component.find(type);
  return cap * (it == law_of_component.end() ? voltage_factor : law_factor.at(it->second));
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
  if (laws_json.is_null()) {
    j["method"] =
        "dynamic energy x C(node)/C(node0) x (V/V0)^2, C = energy/Vnom^2 from the node table interpolated "
        "log-log; area x A(node)/A(node0); leakage x C(node)/C(node0) x V/V0";
  } else {
    j["voltage_laws"] = laws_json;
    j["method"] =
        "dynamic energy x C(node)/C(node0) x P(V)/P(V0), P(V) = a V^2 + b V + c per voltage law (voltage_laws), "
        "C = energy/Vnom^2 from the node table interpolated log-log; area x A(node)/A(node0); leakage x "
        "C(node)/C(node0) x V/V0";
  }
  return j;
}

}  // namespace tf
