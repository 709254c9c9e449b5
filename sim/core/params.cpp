#include "core/params.h"

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

namespace tf {
namespace fs = std::filesystem;

std::string ParamSpec::type_name() const {
  switch (type) {
    case PType::Int: return "int";
    case PType::Float: return "float";
    case PType::Bool: return "bool";
    case PType::String: return "string";
    case PType::Enum: return "enum";
    case PType::Path: return "file";
    case PType::Objects: return "list";
  }
  return "?";
}

static std::string num(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9.2e18) return std::to_string((long long)v);
  return format_double(v, 6);
}

std::string ParamSpec::range_text() const {
  if (type == PType::Enum) {
    std::string s = "one of: ";
    for (size_t k = 0; k < choices.size(); ++k) s += (k ? ", " : "") + choices[k];
    return s;
  }
  if (type == PType::Objects) {
    std::string s = std::to_string(min_items) + "..";
    s += max_items == std::numeric_limits<size_t>::max() ? std::string("n") : std::to_string(max_items);
    return s + " items";
  }
  if (has_min && has_max) return "[" + num(min) + ", " + num(max) + "]";
  if (has_min) return ">= " + num(min);
  if (has_max) return "<= " + num(max);
  return "";
}

std::string ParamSpec::expected() const {
  switch (type) {
    case PType::Int: return "an integer" + (range_text().empty() ? "" : " in " + range_text());
    case PType::Float: return "a number" + (range_text().empty() ? "" : " in " + range_text());
    case PType::Bool: return "true or false";
    case PType::String: return "a string";
    case PType::Enum: return range_text();
    case PType::Path: return "a file path (string)";
    case PType::Objects: return "a list of " + range_text() + " (objects)";
  }
  return "?";
}

ParamSpec& ParamSet::add(ParamSpec s) {
  specs_.push_back(std::move(s));
  return specs_.back();
}

ParamSpec& ParamSet::integer(const std::string& path, int64_t def, int64_t min, int64_t max, const std::string& unit,
                             const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::Int;
  s.def = def;
  s.unit = unit;
  s.has_min = s.has_max = true;
  s.min = (double)min;
  s.max = (double)max;
  s.desc = desc;
  return add(std::move(s));
}

ParamSpec& ParamSet::real(const std::string& path, double def, double min, double max, const std::string& unit,
                          const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::Float;
  s.def = def;
  s.unit = unit;
  s.has_min = s.has_max = true;
  s.min = min;
  s.max = max;
  s.desc = desc;
  return add(std::move(s));
}

ParamSpec& ParamSet::boolean(const std::string& path, bool def, const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::Bool;
  s.def = def;
  s.desc = desc;
  return add(std::move(s));
}

ParamSpec& ParamSet::choice(const std::string& path, const std::string& def, const std::vector<std::string>& c,
                            const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::Enum;
  s.def = def;
  s.choices = c;
  s.desc = desc;
  return add(std::move(s));
}

ParamSpec& ParamSet::text(const std::string& path, const std::string& def, const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::String;
  s.def = def;
  s.desc = desc;
  return add(std::move(s));
}

ParamSpec& ParamSet::file(const std::string& path, const std::string& def, const std::string& builtin_dir,
                          const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::Path;
  s.def = def;
  s.builtin_dir = builtin_dir;
  s.desc = desc;
  return add(std::move(s));
}

ParamSpec& ParamSet::objects(const std::string& path, const json& def, const ParamSet& element, size_t min_items,
                             size_t max_items, const std::string& desc) {
  ParamSpec s;
  s.path = path;
  s.type = PType::Objects;
  s.def = def;
  s.element = std::make_shared<ParamSet>(element);
  s.min_items = min_items;
  s.max_items = max_items;
  s.desc = desc;
  return add(std::move(s));
}

const ParamSpec* ParamSet::find(const std::string& path) const {
  for (const auto& s : specs_)
    if (s.path == path) return &s;
  return nullptr;
}

bool ParamSet::is_group(const std::string& path) const {
  for (const auto& s : specs_)
    if (s.path.size() > path.size() && s.path.compare(0, path.size(), path) == 0 && s.path[path.size()] == '.')
      return true;
  return false;
}

std::vector<std::string> ParamSet::all_names() const {
  std::set<std::string> names;
  for (const auto& s : specs_) {
    names.insert(s.path);
    for (size_t p = s.path.find('.'); p != std::string::npos; p = s.path.find('.', p + 1))
      names.insert(s.path.substr(0, p));
  }
  return {names.begin(), names.end()};
}

bool split_path(const std::string& path, std::vector<std::string>& tokens) {
  tokens.clear();
  std::string cur;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '.') {
      if (cur.empty()) {
        if (!tokens.empty() && tokens.back()[0] == '[') continue;  // "a[0].b"
        return false;
      }
      tokens.push_back(cur);
      cur.clear();
    } else if (c == '[') {
      if (!cur.empty()) tokens.push_back(cur);
      cur.clear();
      size_t close = path.find(']', i);
      if (close == std::string::npos || close == i + 1) return false;
      std::string idx = path.substr(i + 1, close - i - 1);
      if (idx.size() > 6) return false;  // no list is that long
      for (char d : idx)
        if (!isdigit((unsigned char)d)) return false;
      tokens.push_back("[" + idx + "]");
      i = close;
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) tokens.push_back(cur);
  return !tokens.empty();
}

static const json* lookup(const json& tree, const std::string& path) {
  std::vector<std::string> toks;
  if (!split_path(path, toks)) return nullptr;
  const json* n = &tree;
  for (const auto& t : toks) {
    if (t[0] == '[') {
      size_t k = std::stoul(t.substr(1, t.size() - 2));
      if (!n->is_array() || k >= n->size()) return nullptr;
      n = &(*n)[k];
    } else {
      if (!n->is_object()) return nullptr;
      auto it = n->find(t);
      if (it == n->end()) return nullptr;
      n = &*it;
    }
  }
  return n;
}

static json* lookup_create(json& tree, const std::string& path) {
  std::vector<std::string> toks;
  if (!split_path(path, toks)) return nullptr;
  json* n = &tree;
  for (const auto& t : toks) {
    if (t[0] == '[') {
      size_t k = std::stoul(t.substr(1, t.size() - 2));
      if (!n->is_array() || k >= n->size()) return nullptr;
      n = &(*n)[k];
    } else {
      if (n->is_null()) *n = json::object();
      if (!n->is_object()) return nullptr;
      n = &(*n)[t];
    }
  }
  return n;
}

const json& Config::at(const std::string& path) const {
  const json* n = lookup(tree_, path);
  if (!n) throw std::logic_error("config has no parameter '" + path + "' (model bug: undeclared parameter)");
  return *n;
}

void Config::set(const std::string& path, const json& v) {
  json* n = lookup_create(tree_, path);
  if (!n) throw std::logic_error("cannot set config path '" + path + "'");
  *n = v;
}

std::string Config::origin(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = origin_.find(p);
    if (it != origin_.end()) return it->second;
    size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    p = p.substr(0, cut);
  }
  return main_file_.empty() ? std::string("(defaults)") : main_file_;
}

namespace {

struct Validator {
  const RawConfig& raw;
  Diagnostics diag;
  std::set<std::string> bad_paths;

  std::string origin(const std::string& path) const {
    Config c(json::object(), raw.origin, raw.main_file);
    return c.origin(path);
  }

  void error(const std::string& path, const json& v, const std::string& expected) {
    diag.error(origin(path), path, show(v), expected);
    bad_paths.insert(path);
  }

  // Checks one leaf value; returns the value to use in the effective tree (default on error).
  json check_leaf(const ParamSpec& s, const std::string& full, const json& v) {
    switch (s.type) {
      case PType::Int: {
        bool ok = v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
                                            std::fabs(v.get<double>()) < 9e15);
        if (!ok) return error(full, v, s.expected()), s.def;
        int64_t x = v.is_number_integer() ? v.get<int64_t>() : (int64_t)v.get<double>();
        if (v.is_number_unsigned() && v.get<uint64_t>() > (uint64_t)std::numeric_limits<int64_t>::max())
          return error(full, v, s.expected()), s.def;
        if ((s.has_min && x < s.min) || (s.has_max && x > s.max)) return error(full, v, s.expected()), s.def;
        return x;
      }
      case PType::Float: {
        if (!v.is_number()) return error(full, v, s.expected()), s.def;
        double x = v.get<double>();
        if (!std::isfinite(x) || (s.has_min && x < s.min) || (s.has_max && x > s.max))
          return error(full, v, s.expected()), s.def;
        return x;
      }
      case PType::Bool:
        if (!v.is_boolean()) return error(full, v, s.expected()), s.def;
        return v;
      case PType::String:
        if (!v.is_string()) return error(full, v, s.expected()), s.def;
        return v;
      case PType::Enum: {
        if (!v.is_string()) return error(full, v, s.expected()), s.def;
        std::string x = v.get<std::string>();
        for (const auto& c : s.choices)
          if (c == x) return v;
        std::string sug = closest(x, s.choices);
        error(full, v, s.expected() + (sug.empty() ? "" : " (did you mean '" + sug + "'?)"));
        return s.def;
      }
      case PType::Path: {
        if (!v.is_string()) return error(full, v, s.expected()), s.def;
        return v;  // resolved later, when the origin is known
      }
      case PType::Objects: return v;  // handled by the caller
    }
    return v;
  }

  // Validates OBJ (a JSON object at PREFIX) against PS; fills OUT with the effective values.
  void check_object(const ParamSet& ps, const json& obj, const std::string& prefix, json& out) {
    auto names = ps.all_names();
    // Unknown keys (recursively through groups).
    walk_unknown(ps, obj, prefix, "", names);
    for (const auto& s : ps.specs()) {
      std::string full = prefix.empty() ? s.path : prefix + "." + s.path;
      const json* v = lookup(obj, s.path);
      json val;
      if (!v) {
        val = s.def;
      } else if (s.type == PType::Objects) {
        val = check_objects(s, *v, full);
      } else {
        val = check_leaf(s, full, *v);
      }
      if (s.type == PType::Objects && !v) {
        // Defaults of a list are complete element objects already; still fill missing element defaults.
        val = check_objects(s, s.def, full);
      }
      if (s.type == PType::Path) val = resolve_path(s, full, val, v != nullptr);
      json* slot = lookup_create(out, s.path);
      *slot = val;
    }
  }

  void walk_unknown(const ParamSet& ps, const json& obj, const std::string& prefix, const std::string& rel,
                    const std::vector<std::string>& names) {
    if (!obj.is_object()) {
      std::string full = prefix.empty() ? rel : (rel.empty() ? prefix : prefix + "." + rel);
      error(full, obj, "an object");
      return;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      std::string r = rel.empty() ? it.key() : rel + "." + it.key();
      std::string full = prefix.empty() ? r : prefix + "." + r;
      bool plain = it.key().find_first_of(".[]") == std::string::npos;
      if (plain && ps.find(r)) continue;
      std::string now = renamed_to(ps, r);
      if (plain && !now.empty() && !(it.value().is_object() && ps.is_group(r))) {
        std::string p = prefix.empty() ? now : prefix + "." + now;
        diag.error(origin(full), full, show(it.value()),
                   "no such parameter: it was renamed to '" + p + "' (docs/architecture.md lists the renames)");
        bad_paths.insert(full);
        continue;
      }
      if (plain && ps.is_group(r)) {
        walk_unknown(ps, it.value(), prefix, r, names);
        continue;
      }
      std::string sug = closest(r, names);
      std::string expected = "no such parameter (unknown key)";
      if (!sug.empty()) expected += "; did you mean '" + (prefix.empty() ? sug : prefix + "." + sug) + "'?";
      diag.error(origin(full), full, show(it.value()), expected);
      bad_paths.insert(full);
    }
  }

  static std::string renamed_to(const ParamSet& ps, const std::string& path) {
    for (const auto& r : ps.renames())
      if (r.first == path) return r.second;
    return "";
  }

  json check_objects(const ParamSpec& s, const json& v, const std::string& full) {
    if (!v.is_array() || v.size() < s.min_items || v.size() > s.max_items) {
      error(full, v, s.expected());
      return json::array();
    }
    json out = json::array();
    for (size_t k = 0; k < v.size(); ++k) {
      std::string p = full + "[" + std::to_string(k) + "]";
      json el = json::object();
      if (!v[k].is_object()) {
        error(p, v[k], "an object");
        continue;
      }
      check_object(*s.element, v[k], p, el);
      out.push_back(el);
    }
    return out;
  }

  json resolve_path(const ParamSpec& s, const std::string& full, const json& val, bool user_set) {
    std::string p = val.get<std::string>();
    if (p.empty()) return p;
    fs::path resolved;
    if (s.is_builtin_name(p)) {
      resolved = fs::path(data_dir()) / "configs" / s.builtin_dir / (p + ".json");
    } else if (fs::path(p).is_absolute()) {
      resolved = p;
    } else if (!user_set) {
      resolved = fs::path(data_dir()) / "configs" / p;
    } else {
      std::string o = origin(full);
      // Command-line origins ("--set", "--program", ...) are relative to the working directory.
      const bool cli = o.rfind("--", 0) == 0;
      fs::path base = (cli || o == "(defaults)" || o.empty()) ? fs::current_path() : fs::path(o).parent_path();
      if (base.empty()) base = fs::current_path();
      resolved = base / p;
    }
    resolved = resolved.lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(resolved, ec)) {
      diag.error(
          origin(full), full, show(val) + " (resolved to " + resolved.string() + ")",
          "an existing file" +
              std::string(s.builtin_dir.empty() ? "" : " or a built-in name from configs/" + s.builtin_dir + "/"));
      bad_paths.insert(full);
      return p;
    }
    return fs::absolute(resolved, ec).lexically_normal().string();
  }
};

}  // namespace

Config validate(const ParamSet& params, const RawConfig& raw) {
  Validator v{raw, {}, {}};
  json eff = json::object();
  v.check_object(params, raw.tree, "", eff);
  Config cfg(eff, raw.origin, raw.main_file);
  // Cross-field rules see the effective config (invalid values replaced by defaults); their messages about
  // paths that already failed are dropped as consequential.
  for (const auto& r : params.rules()) {
    Diagnostics d;
    try {
      r(cfg, d);
    } catch (const std::exception&) {
      continue;  // a rule tripping over an invalid value already reported
    }
    for (const auto& m : d.messages()) {
      bool consequential = false;
      for (const auto& b : v.bad_paths)
        if (m.find(": " + b + ":") != std::string::npos) consequential = true;
      if (!consequential) v.diag.raw(m);
    }
  }
  v.diag.throw_if_any();
  return cfg;
}

static void describe_into(const ParamSet& ps, const std::string& prefix, std::vector<std::vector<std::string>>& rows) {
  for (const auto& s : ps.specs()) {
    std::string full = prefix + s.path;
    std::string def = s.type == PType::Objects ? std::string("(see below)") : s.def.dump();
    rows.push_back({full, s.type_name(), def, s.unit, s.range_text(), s.desc});
    if (s.type == PType::Objects) describe_into(*s.element, full + "[].", rows);
  }
}

std::string describe_params(const ParamSet& params) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"PATH", "TYPE", "DEFAULT", "UNIT", "RANGE", "DESCRIPTION"});
  describe_into(params, "", rows);
  std::vector<size_t> w(5, 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < 5; ++c) w[c] = std::max(w[c], r[c].size());
  std::ostringstream os;
  for (const auto& r : rows) {
    for (size_t c = 0; c < 5; ++c) {
      os << r[c] << std::string(w[c] - r[c].size() + 2, ' ');
    }
    os << r[5] << "\n";
  }
  return os.str();
}

}  // namespace tf
