// Parameters bound to a typed config struct: each parameter is declared once, with the struct member it
// fills, so a model names every JSON path in exactly one place. Schema<S> builds the ParamSet that drives
// validation, `tinyforge describe` and the effective config, and reads a validated Config back into an S.
//
//   struct Geometry { int rows; std::string cell; };
//   Schema<Geometry> g;
//   g.integer("macro.rows", &Geometry::rows, 256, 4, 4096, "rows", "rows of the array");
//   Geometry x = g.read(config);
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/params.h"

namespace tf {

template <class S>
class Schema {
 public:
  using Setter = std::function<void(S&, const json&)>;
  using StructRule = std::function<void(const S&, const Config&, Diagnostics&)>;

  // Integer parameter into an int or int64_t member.
  template <class I>
  ParamSpec& integer(const std::string& path, I S::*field, int64_t def, int64_t min, int64_t max,
                     const std::string& unit, const std::string& desc) {
    bind(path, [field](S& s, const json& v) { s.*field = (I)v.template get<int64_t>(); });
    return params_.integer(path, def, min, max, unit, desc);
  }
  ParamSpec& real(const std::string& path, double S::*field, double def, double min, double max,
                  const std::string& unit, const std::string& desc) {
    bind(path, [field](S& s, const json& v) { s.*field = v.get<double>(); });
    return params_.real(path, def, min, max, unit, desc);
  }
  ParamSpec& boolean(const std::string& path, bool S::*field, bool def, const std::string& desc) {
    bind(path, [field](S& s, const json& v) { s.*field = v.get<bool>(); });
    return params_.boolean(path, def, desc);
  }
  ParamSpec& choice(const std::string& path, std::string S::*field, const std::string& def,
                    const std::vector<std::string>& choices, const std::string& desc) {
    bind(path, [field](S& s, const json& v) { s.*field = v.get<std::string>(); });
    return params_.choice(path, def, choices, desc);
  }
  // An enumeration: each choice's name and the value it stands for.
  template <class E>
  ParamSpec& choice(const std::string& path, E S::*field, const std::string& def,
                    const std::vector<std::pair<std::string, E>>& choices, const std::string& desc) {
    std::vector<std::string> names;
    for (const auto& c : choices) names.push_back(c.first);
    bind(path, [field, choices](S& s, const json& v) {
      for (const auto& c : choices)
        if (c.first == v.get<std::string>()) s.*field = c.second;
    });
    return params_.choice(path, def, names, desc);
  }
  ParamSpec& text(const std::string& path, std::string S::*field, const std::string& def, const std::string& desc) {
    bind(path, [field](S& s, const json& v) { s.*field = v.get<std::string>(); });
    return params_.text(path, def, desc);
  }
  ParamSpec& file(const std::string& path, std::string S::*field, const std::string& def,
                  const std::string& builtin_dir, const std::string& desc) {
    bind(path, [field](S& s, const json& v) { s.*field = v.get<std::string>(); });
    return params_.file(path, def, builtin_dir, desc);
  }
  // A list of objects, each read with ELEMENT into one T.
  template <class T>
  ParamSpec& objects(const std::string& path, std::vector<T> S::*field, const json& def, const Schema<T>& element,
                     size_t min_items, size_t max_items, const std::string& desc) {
    bind(path, [field, element](S& s, const json& v) {
      (s.*field).clear();
      for (const auto& e : v) (s.*field).push_back(element.read(e));
    });
    return params_.objects(path, def, element.params(), min_items, max_items, desc);
  }
  // A parameter read by a custom setter (e.g. into an array element).
  template <class Declare>
  ParamSpec& custom(const std::string& path, Setter set, Declare declare) {
    bind(path, std::move(set));
    return declare(params_);
  }
  // Every parameter (and rule) of GROUP, filling the member FIELD; the group's paths are used as they are.
  template <class G>
  void include(G S::*field, const Schema<G>& group) {
    for (const auto& s : group.params().specs()) params_.add_spec(s);
    for (const auto& r : group.params().rules()) params_.rule(r);
    binds_.push_back({"", [field, group](S& s, const json& tree) { s.*field = group.read(tree); }, {}});
  }
  // A cross-field rule that sees the typed struct (read from the effective config) and the config itself
  // (for the origin of each path in messages).
  void rule(StructRule r) {
    Schema copy = *this;  // the rule reads with the parameters declared so far
    params_.rule([copy, r](const Config& c, Diagnostics& d) { r(copy.read(c), c, d); });
  }

  const ParamSet& params() const { return params_; }

  // Reads a validated config (every declared path present) into a fresh S.
  S read(const Config& c) const { return read(c.tree()); }
  S read(const json& tree) const {
    S s{};
    for (const auto& b : binds_) {
      if (b.path.empty()) {
        b.set(s, tree);
        continue;
      }
      const json* n = &tree;
      for (const auto& t : b.tokens) n = &(*n).at(t);
      b.set(s, *n);
    }
    return s;
  }

 private:
  struct Bind {
    std::string path;
    Setter set;
    std::vector<std::string> tokens;
  };
  void bind(const std::string& path, Setter set) {
    std::vector<std::string> tokens;
    split_path(path, tokens);
    binds_.push_back({path, std::move(set), std::move(tokens)});
  }
  ParamSet params_;
  std::vector<Bind> binds_;
};

}  // namespace tf
