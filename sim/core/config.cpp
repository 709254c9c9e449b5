#include "core/config.h"

#include <filesystem>
#include <set>

namespace tf {
namespace fs = std::filesystem;

static void record_leaves(const json& node, const std::string& prefix, const std::string& file,
                          std::map<std::string, std::string>& origin) {
  if (node.is_object() && !node.empty()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      record_leaves(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), file, origin);
  } else {
    // Drop stale records below this path (a list replaced wholesale).
    for (auto it = origin.lower_bound(prefix);
         it != origin.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
      if (it->first.size() > prefix.size() && (it->first[prefix.size()] == '.' || it->first[prefix.size()] == '['))
        it = origin.erase(it);
      else
        ++it;
    }
    origin[prefix] = file;
  }
}

static void merge_into(json& dst, const json& src) {
  for (auto it = src.begin(); it != src.end(); ++it) {
    auto d = dst.find(it.key());
    if (d != dst.end() && d->is_object() && it.value().is_object())
      merge_into(*d, it.value());
    else
      dst[it.key()] = it.value();
  }
}

static RawConfig load_rec(const std::string& file, std::vector<std::string>& chain) {
  fs::path abs = fs::absolute(file).lexically_normal();
  for (const auto& c : chain)
    if (c == abs.string()) throw InputError(file + ": base: circular \"base\" chain through " + abs.string());
  chain.push_back(abs.string());
  json j = load_json_file(file);
  if (!j.is_object()) throw InputError(file + ": (top level): got " + show(j) + "; expected a JSON object");
  RawConfig raw;
  raw.main_file = file;
  if (j.contains("base")) {
    const json& b = j["base"];
    if (!b.is_string() || b.get<std::string>().empty())
      throw InputError(file + ": base: got " + show(b) + "; expected a file name (string) relative to this file");
    fs::path bp = fs::path(file).parent_path() / b.get<std::string>();
    if (!fs::exists(bp) || fs::is_directory(bp))
      throw InputError(file + ": base: got " + show(b) + " (resolved to " + bp.lexically_normal().string() +
                       "); expected an existing config file" + (fs::is_directory(bp) ? ", not a directory" : ""));
    raw = load_rec(bp.lexically_normal().string(), chain);
    raw.main_file = file;
    j.erase("base");
  }
  if (j.contains("description")) {
    if (!j["description"].is_string())
      throw InputError(file + ": description: got " + show(j["description"]) + "; expected a string");
    j.erase("description");
  }
  merge_into(raw.tree, j);
  record_leaves(j, "", file, raw.origin);
  return raw;
}

RawConfig load_config(const std::string& file) {
  std::vector<std::string> chain;
  return load_rec(file, chain);
}

void apply_set(RawConfig& raw, const std::string& assignment, Diagnostics& diag, const std::string& origin) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    diag.raw(origin + ": got '" + assignment + "'; expected PATH=VALUE, e.g. macro.rows=128");
    return;
  }
  std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  std::vector<std::string> toks;
  if (!split_path(path, toks)) {
    diag.raw("--set: got path '" + path + "'; expected a dotted JSON path such as macro.rows or workload.layers[0].m");
    return;
  }
  json value;
  if (json::accept(text)) {
    try {
      value = parse_json_text(text, "--set " + path);  // limits: nesting, number range
    } catch (const InputError& e) {
      diag.raw(e.what());
      return;
    }
  } else {
    value = text;  // bare words are strings
  }
  json* n = &raw.tree;
  std::string walked;
  for (size_t k = 0; k < toks.size(); ++k) {
    const auto& t = toks[k];
    if (t[0] == '[') {
      size_t idx = std::stoul(t.substr(1, t.size() - 2));
      if (!n->is_array() || idx >= n->size()) {
        diag.raw("--set: " + path + ": got index " + t + " of " + (walked.empty() ? "(top)" : walked) +
                 "; expected an index into an existing list (give the whole list instead, e.g. " + walked +
                 "='[...]')");
        return;
      }
      n = &(*n)[idx];
      walked += t;
    } else {
      if (n->is_null()) *n = json::object();
      if (!n->is_object()) {
        diag.raw("--set: " + path + ": got " + walked + " = " + n->dump().substr(0, 60) + "; expected an object there (" +
                 walked + " is a value, so " + path + " cannot name a key inside it)");
        return;
      }
      n = &(*n)[t];
      walked += (walked.empty() ? "" : ".") + t;
    }
  }
  *n = value;
  record_leaves(value, path, origin, raw.origin);
}

Config load_and_validate(const ParamSet& params, const std::string& file, const std::vector<std::string>& sets,
                         const std::vector<std::string>& origins) {
  RawConfig raw;
  if (!file.empty()) raw = load_config(file);
  Diagnostics d;
  for (size_t k = 0; k < sets.size(); ++k) apply_set(raw, sets[k], d, k < origins.size() ? origins[k] : "--set");
  // The overrides' problems and the validation's, each once (the validation's throw is caught here; the
  // overrides' are thrown after it).
  std::vector<std::string> invalid;
  try {
    Config c = validate(params, raw);
    if (d.empty()) return c;
  } catch (const InputError& e) {
    if (d.empty()) throw;
    invalid = e.messages();
  }
  Diagnostics all;
  all.merge(d);
  for (const auto& m : invalid) all.raw(m);
  all.throw_if_any();
  throw InputError("invalid configuration");  // not reached: ALL holds D's problems
}

}  // namespace tf
