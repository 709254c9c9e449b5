// Parameter declarations: each model declares every parameter once (path, type, default, unit, range or
// choices, description). The same declaration drives validation, `tinyforge describe` and the effective
// config written to every run directory.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/diagnostics.h"
#include "core/util.h"

namespace tf {

enum class PType { Int, Float, Bool, String, Enum, Path, Objects };

class ParamSet;

struct ParamSpec {
  std::string path;  // dotted, e.g. "macro.rows"
  PType type = PType::Int;
  json def;
  std::string unit;
  bool has_min = false, has_max = false;
  double min = 0, max = 0;
  std::vector<std::string> choices;
  std::string desc;
  std::string builtin_dir;            // Path: a bare name NAME means configs/<builtin_dir>/NAME.json
  std::shared_ptr<ParamSet> element;  // Objects: schema of one element
  size_t min_items = 0, max_items = std::numeric_limits<size_t>::max();

  std::string type_name() const;
  // Path: whether VALUE names a built-in file (a bare NAME, no '/' and no .json, where builtin_dir is set).
  bool is_builtin_name(const std::string& value) const {
    return !builtin_dir.empty() && value.find('/') == std::string::npos && value.find(".json") == std::string::npos;
  }
  std::string range_text() const;  // "[2, 4096]", "one of: a, b", ""
  std::string expected() const;    // "an integer in [2, 4096]"
};

class Config;

// A cross-field rule: inspects the effective config, reports problems.
using Rule = std::function<void(const Config&, Diagnostics&)>;

class ParamSet {
 public:
  ParamSpec& integer(const std::string& path, int64_t def, int64_t min, int64_t max, const std::string& unit,
                     const std::string& desc);
  ParamSpec& real(const std::string& path, double def, double min, double max, const std::string& unit,
                  const std::string& desc);
  ParamSpec& boolean(const std::string& path, bool def, const std::string& desc);
  ParamSpec& choice(const std::string& path, const std::string& def, const std::vector<std::string>& choices,
                    const std::string& desc);
  ParamSpec& text(const std::string& path, const std::string& def, const std::string& desc);
  ParamSpec& file(const std::string& path, const std::string& def, const std::string& builtin_dir,
                  const std::string& desc);
  ParamSpec& objects(const std::string& path, const json& def, const ParamSet& element, size_t min_items,
                     size_t max_items, const std::string& desc);
  void rule(Rule r) { rules_.push_back(std::move(r)); }
  // A parameter path that an earlier version used: a config that sets OLD gets an error naming NEW.
  void renamed(const std::string& old_path, const std::string& new_path) { renamed_.push_back({old_path, new_path}); }
  const std::vector<std::pair<std::string, std::string>>& renames() const { return renamed_; }
  ParamSpec& add_spec(const ParamSpec& s) { return add(s); }

  const std::vector<ParamSpec>& specs() const { return specs_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const ParamSpec* find(const std::string& path) const;
  bool is_group(const std::string& path) const;  // a proper prefix of some parameter path
  std::vector<std::string> all_names() const;    // parameter and group paths

 private:
  ParamSpec& add(ParamSpec s);
  std::vector<ParamSpec> specs_;
  std::vector<Rule> rules_;
  std::vector<std::pair<std::string, std::string>> renamed_;
};

// A configuration as loaded: the merged JSON tree and, per path, the file (or "--set") that set it.
struct RawConfig {
  json tree = json::object();
  std::map<std::string, std::string> origin;
  std::string main_file;  // the --config file, or "" for defaults only
};

// A validated, complete configuration (every declared parameter present).
class Config {
 public:
  Config() = default;
  Config(json tree, std::map<std::string, std::string> origin, std::string main_file)
      : tree_(std::move(tree)), origin_(std::move(origin)), main_file_(std::move(main_file)) {}
  const json& tree() const { return tree_; }
  const json& at(const std::string& path) const;  // dotted path, may contain [i]
  int64_t i(const std::string& path) const { return at(path).get<int64_t>(); }
  double f(const std::string& path) const { return at(path).get<double>(); }
  bool b(const std::string& path) const { return at(path).get<bool>(); }
  std::string s(const std::string& path) const { return at(path).get<std::string>(); }
  // The file that set this path (longest recorded prefix), else the main config file, else "(defaults)".
  std::string origin(const std::string& path) const;
  void set(const std::string& path, const json& v);  // for tests and internal adjustments

 private:
  json tree_ = json::object();
  std::map<std::string, std::string> origin_;
  std::string main_file_;
};

// Splits "a.b[2].c" into tokens {"a","b","[2]","c"}; returns false on syntax error.
bool split_path(const std::string& path, std::vector<std::string>& tokens);

// Validates RAW against the declaration: unknown keys (with the closest valid key), types, ranges, choices,
// files, then cross-field rules. Reports everything at once by throwing InputError.
Config validate(const ParamSet& params, const RawConfig& raw);

// `tinyforge describe` table.
std::string describe_params(const ParamSet& params);

}  // namespace tf
