#include "sweep/spec.h"

#include <cmath>
#include <memory>
#include <filesystem>
#include <random>
#include <thread>

#include <muParser.h>

#include "core/reader.h"
#include "core/run.h"
#include "core/rundir.h"

namespace tf::sweep {
namespace fs = std::filesystem;

namespace {

// Numbers as JSON integers when they are whole (so an int parameter accepts them), else as doubles.
json number(double v) {
  double r = std::round(v * 1e9) / 1e9;  // 0.1-step ranges: 0.7, not 0.7000000000000001
  if (std::floor(r) == r && std::fabs(r) < 9e15) return (int64_t)r;
  return r;
}

// The values an axis spec stands for: a list, {"range": [lo, hi, step]} or {"log2": [lo, hi]}.
std::vector<json> axis_values(const JsonNode& n) {
  std::vector<json> v;
  if (n.is_list()) {
    if (n.size() == 0) n.fail("a non-empty list of values, {\"range\": [lo, hi, step]} or {\"log2\": [lo, hi]}");
    for (size_t k = 0; k < n.size(); ++k) v.push_back(n[k].value());
    return v;
  }
  if (n.is_object() && n.size() == 1 && n.has("range")) {
    JsonNode r = n["range"];
    if (!r.expect_list("[lo, hi, step] with step > 0 and lo <= hi", 3, 3)) return v;
    double lo = r[0].number(-1e15, 1e15), hi = r[1].number(-1e15, 1e15), step = r[2].number(1e-12, 1e15, 1);
    if (lo > hi) {
      r.fail("[lo, hi, step] with lo <= hi");
      return v;
    }
    if ((hi - lo) / step > 1e6) {
      r.fail("a range of at most 1,000,000 values");
      return v;
    }
    for (size_t k = 0; lo + (double)k * step <= hi + 1e-9 * step; ++k) v.push_back(number(lo + (double)k * step));
    return v;
  }
  if (n.is_object() && n.size() == 1 && n.has("log2")) {
    JsonNode r = n["log2"];
    if (!r.expect_list("[lo, hi]: powers of two, lo <= hi", 2, 2)) return v;
    int64_t lo = r[0].integer(1, (int64_t)1 << 52, 1), hi = r[1].integer(1, (int64_t)1 << 52, 1);
    if ((lo & (lo - 1)) || (hi & (hi - 1)) || lo > hi) {
      r.fail("[lo, hi]: powers of two, lo <= hi");
      return v;
    }
    for (int64_t x = lo; x <= hi; x *= 2) v.push_back(x);
    return v;
  }
  n.fail("a non-empty list of values, {\"range\": [lo, hi, step]} or {\"log2\": [lo, hi]}");
  return v;
}

// The declaration of PATH: a parameter, or a field of an element of a list parameter ("layers[0].w_bits").
const ParamSpec* find_param(const ParamSet& ps, const std::string& path) {
  if (const ParamSpec* s = ps.find(path)) return s;
  size_t open = path.find('[');
  if (open == std::string::npos) return nullptr;
  size_t close = path.find(']', open);
  const ParamSpec* list = ps.find(path.substr(0, open));
  if (!list || list->type != PType::Objects || close == std::string::npos) return nullptr;
  for (size_t i = open + 1; i < close; ++i)
    if (!isdigit((unsigned char)path[i])) return nullptr;
  if (close + 1 == path.size()) return nullptr;  // a whole element: not an axis
  if (path[close + 1] != '.') return nullptr;
  return find_param(*list->element, path.substr(close + 2));
}

// Checks VALUE against one declared parameter alone (type, range, choices); "" when it fits.
std::string check_value(const ParamSpec& s, const json& value) {
  ParamSet one;
  ParamSpec copy = s;
  copy.path = "x";
  one.add_spec(copy);
  RawConfig raw;
  raw.tree["x"] = value;
  raw.origin["x"] = "--set";
  try {
    validate(one, raw);
  } catch (const InputError&) {
    return s.expected();
  }
  return "";
}

// Numeric and boolean leaves of a config tree as muparser variables (paths with dots; lists are skipped).
void leaves(const json& tree, const std::string& prefix, std::vector<std::pair<std::string, double>>& out) {
  for (auto it = tree.begin(); it != tree.end(); ++it) {
    std::string p = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object())
      leaves(it.value(), p, out);
    else if (it.value().is_number())
      out.push_back({p, it.value().get<double>()});
    else if (it.value().is_boolean())
      out.push_back({p, it.value().get<bool>() ? 1.0 : 0.0});
  }
}

// One constraint compiled once, evaluated per point with the point's effective values.
class Constraint {
 public:
  Constraint(const std::string& expr, const json& tree) {
    std::vector<std::pair<std::string, double>> vars;
    leaves(tree, "", vars);
    names_.reserve(vars.size());
    values_.assign(vars.size(), 0.0);
    parser_.DefineNameChars("0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.");
    for (size_t k = 0; k < vars.size(); ++k) {
      names_.push_back(vars[k].first);
      values_[k] = vars[k].second;
      parser_.DefineVar(vars[k].first, &values_[k]);
    }
    parser_.SetExpr(expr);
  }
  // Throws mu::Parser::exception_type on a bad expression.
  bool keep(const json& tree) {
    std::vector<std::pair<std::string, double>> vars;
    leaves(tree, "", vars);
    for (size_t k = 0; k < vars.size() && k < values_.size(); ++k)
      if (vars[k].first == names_[k]) values_[k] = vars[k].second;
    return parser_.Eval() != 0;
  }

 private:
  mu::Parser parser_;
  std::vector<std::string> names_;
  std::vector<double> values_;
};

}  // namespace

SweepSpec load_spec(const std::string& file) {
  json j = load_json_file(file);
  Diagnostics d;
  JsonNode root(j, file, d);
  SweepSpec s;
  s.file = file;
  if (!root.expect_object("a sweep spec object (docs/sweep.md)")) d.throw_if_any();
  root.only_keys(
      {"description", "model", "base", "mode", "axes", "points", "samples", "sampling", "where", "objectives", "run"});
  std::vector<std::string> models;
  for (const auto& e : all_models()) models.push_back(e.name);
  s.model = root["model"].choice(models);
  d.throw_if_any();  // everything below is checked against the model's declarations
  std::unique_ptr<Model> model = find_model(s.model)->make();
  ParamSet ps;
  model->declare(ps);
  MetricSet ms;
  model->metrics(ms);
  if (root.has("base")) {
    std::string b = root["base"].text(true);
    fs::path p = fs::path(b).is_absolute() ? fs::path(b) : fs::path(file).parent_path() / b;
    if (!b.empty() && !fs::is_regular_file(p))
      root["base"].fail("an existing config file (resolved to " + p.lexically_normal().string() + ")");
    else if (!b.empty())
      s.base = fs::absolute(p).lexically_normal().string();
  }
  s.mode = root.has("mode") ? root["mode"].choice({"product", "zip", "list", "random"}, "product") : "product";
  std::vector<std::string> names = ps.all_names();
  // Axis values of a file parameter are relative to the spec, as its base is (a bare built-in name stays).
  auto rebase = [&](const ParamSpec& spec, json& v) {
    if (spec.type != PType::Path || !v.is_string()) return;
    const std::string p = v.get<std::string>();
    if (p.empty() || fs::path(p).is_absolute() || spec.is_builtin_name(p)) return;
    v = fs::absolute(fs::path(file).parent_path() / p).lexically_normal().string();
  };
  auto check_axis = [&](const JsonNode& at, const std::string& path, std::vector<json>& values) {
    const ParamSpec* spec = find_param(ps, path);
    if (!spec) {
      std::string sug = closest(path, names);
      at.fail_got("'" + path + "'",
                  "a parameter of model " + s.model + (sug.empty() ? "" : "; did you mean '" + sug + "'?"));
      return false;
    }
    for (size_t k = 0; k < values.size(); ++k) {
      rebase(*spec, values[k]);
      std::string why = check_value(*spec, values[k]);
      if (!why.empty())
        d.error(file, at.path() + "[" + std::to_string(k) + "]", show(values[k]), why + " (" + path + ")");
    }
    return true;
  };
  if (s.mode == "list") {
    JsonNode pts = root["points"];
    if (pts.expect_list("a non-empty list of points {\"PATH\": value, ...}", 1))
      for (size_t k = 0; k < pts.size(); ++k) {
        JsonNode pt = pts[k];
        if (!pt.expect_object("a point {\"PATH\": value, ...}")) continue;
        json point = pt.value();
        pt.for_each_member([&](const std::string& path, const JsonNode& v) {
          std::vector<json> one{v.value()};
          check_axis(v, path, one);
          point[path] = one[0];
        });
        s.list.push_back(point);
      }
    if (root.has("axes")) root["axes"].fail("no axes in list mode (the points name their values)");
  } else {
    JsonNode axes = root["axes"];
    if (axes.expect_object("an object of axes {\"PATH\": values, ...}") && axes.size() == 0)
      axes.fail("at least one axis");
    axes.for_each_member([&](const std::string& path, const JsonNode& v) {
      Axis a{path, axis_values(v)};
      if (check_axis(v, path, a.values)) s.axes.push_back(std::move(a));
    });
    if (s.mode == "zip")
      for (const auto& a : s.axes)
        if (a.values.size() != s.axes.front().values.size())
          axes[a.path].fail_got(std::to_string(a.values.size()) + " values",
                                std::to_string(s.axes.front().values.size()) + " values, as many as every axis (zip)");
    if (s.mode == "random") {
      s.samples = (size_t)root["samples"].integer(1, 10000000, 1);
      if (root.has("sampling")) s.latin = root["sampling"].choice({"uniform", "lhs"}, "uniform") == "lhs";
    } else {
      if (root.has("samples")) root["samples"].fail("no samples except in random mode");
      if (root.has("sampling")) root["sampling"].fail("no sampling except in random mode");
    }
  }
  if (root.has("where")) {
    JsonNode w = root["where"];
    if (w.expect_list("a list of constraints such as \"macro.rows * macro.cols <= 65536\""))
      for (size_t k = 0; k < w.size(); ++k) s.where.push_back(w[k].text(true));
  }
  if (root.has("objectives")) {
    JsonNode o = root["objectives"];
    if (o.expect_object("an object {\"METRIC\": \"min\" | \"max\", ...}"))
      o.for_each_member([&](const std::string& name, const JsonNode& v) {
        const MetricSpec* m = ms.find(name);
        if (!m || m->breakdown || m->text) {
          std::vector<std::string> cand;
          for (const auto& x : ms.specs())
            if (!x.breakdown && !x.text) cand.push_back(x.name);
          std::string sug = closest(name, cand);
          v.fail_got("'" + name + "'",
                     "a numeric metric of model " + s.model + (sug.empty() ? "" : "; did you mean '" + sug + "'?"));
          return;
        }
        std::string dir = v.choice({"min", "max"}, "min");
        s.objectives.push_back({name, dir == "max" ? Better::Higher : Better::Lower});
      });
  }
  if (root.has("run")) {
    JsonNode r = root["run"];
    if (r.expect_object()) {
      r.only_keys({"jobs", "timeout_s", "seed"});
      if (r.has("jobs")) s.jobs = (int)r["jobs"].integer(1, 256, 2);
      if (r.has("timeout_s")) s.timeout_s = r["timeout_s"].number(0.001, 1e7, 600);
      if (r.has("seed")) s.seed = r["seed"].integer(0, (int64_t)1 << 62, 1);
    }
  }
  d.throw_if_any();
  // Constraints: syntax and names, on the base config's values (before any point runs).
  if (!s.where.empty()) {
    Config base = load_and_validate(ps, resolve_config_file(*model, s.base), {});
    for (size_t k = 0; k < s.where.size(); ++k) try {
        Constraint(s.where[k], base.tree()).keep(base.tree());
      } catch (const mu::Parser::exception_type& e) {
        d.error(file, "where[" + std::to_string(k) + "]", show(json(s.where[k])),
                "an expression over numeric parameter paths (column " + std::to_string(e.GetPos() + 1) + ": " +
                    e.GetMsg() + ")");
      }
  }
  d.throw_if_any();
  return s;
}

std::vector<Point> enumerate(const SweepSpec& s, size_t max_points) {
  std::vector<Point> pts;
  auto too_many = [&](double n) {
    if (n > (double)max_points)
      throw InputError(s.file + ": the spec describes " + format_double(n, 12) +
                       " points; expected at most --max-points " + std::to_string(max_points) +
                       " (raise it to run them)");
  };
  auto add = [&](const std::vector<std::pair<std::string, json>>& kv) {
    Point p;
    p.index = pts.size();
    for (const auto& e : kv) {
      p.sets.push_back(e.first + "=" + e.second.dump());
      p.values[e.first] = e.second;
    }
    pts.push_back(std::move(p));
  };
  if (s.mode == "list") {
    too_many((double)s.list.size());
    for (const auto& o : s.list) {
      std::vector<std::pair<std::string, json>> kv;
      for (auto it = o.begin(); it != o.end(); ++it) kv.push_back({it.key(), it.value()});
      add(kv);
    }
  } else if (s.mode == "zip") {
    too_many((double)s.axes.front().values.size());
    for (size_t i = 0; i < s.axes.front().values.size(); ++i) {
      std::vector<std::pair<std::string, json>> kv;
      for (const auto& a : s.axes) kv.push_back({a.path, a.values[i]});
      add(kv);
    }
  } else if (s.mode == "random") {
    too_many((double)s.samples);
    std::mt19937_64 rng((uint64_t)s.seed);
    if (s.latin) {
      // Latin hypercube: per axis, the samples fall one each into n equal strata of [0, 1) in a random order; a
      // stratum's point picks the value at that fraction of the axis, so every axis is covered evenly.
      std::vector<std::vector<size_t>> pick(s.axes.size());
      for (size_t k = 0; k < s.axes.size(); ++k) {
        std::vector<size_t> strata(s.samples);
        for (size_t n = 0; n < s.samples; ++n) strata[n] = n;
        for (size_t n = s.samples; n > 1; --n) std::swap(strata[n - 1], strata[rng() % n]);  // Fisher-Yates
        for (size_t n = 0; n < s.samples; ++n) {
          double u = (strata[n] + (double)(rng() >> 11) * 0x1.0p-53) / (double)s.samples;
          pick[k].push_back(std::min(s.axes[k].values.size() - 1, (size_t)(u * (double)s.axes[k].values.size())));
        }
      }
      for (size_t n = 0; n < s.samples; ++n) {
        std::vector<std::pair<std::string, json>> kv;
        for (size_t k = 0; k < s.axes.size(); ++k) kv.push_back({s.axes[k].path, s.axes[k].values[pick[k][n]]});
        add(kv);
      }
    } else {
      for (size_t n = 0; n < s.samples; ++n) {
        std::vector<std::pair<std::string, json>> kv;
        for (const auto& a : s.axes) kv.push_back({a.path, a.values[rng() % a.values.size()]});
        add(kv);
      }
    }
  } else {  // product: the last axis varies fastest
    double total = 1;
    for (const auto& a : s.axes) total *= (double)a.values.size();
    too_many(total);
    std::vector<size_t> idx(s.axes.size(), 0);
    for (size_t n = 0; n < (size_t)total; ++n) {
      std::vector<std::pair<std::string, json>> kv;
      for (size_t k = 0; k < s.axes.size(); ++k) kv.push_back({s.axes[k].path, s.axes[k].values[idx[k]]});
      add(kv);
      for (size_t k = s.axes.size(); k-- > 0;) {
        if (++idx[k] < s.axes[k].values.size()) break;
        idx[k] = 0;
      }
    }
  }
  return pts;
}

std::vector<Prepared> prepare(const SweepSpec& s, const Model& model, const std::vector<Point>& points, int threads) {
  ParamSet ps;
  model.declare(ps);
  const std::string base = resolve_config_file(model, s.base);
  const RawConfig raw0 = base.empty() ? RawConfig{} : load_config(base);
  // Each point is validated on its own, so contiguous slices go to THREADS threads; the results keep the point
  // order, and the first expression error (in point order) is the one reported.
  std::vector<Prepared> all(points.size());
  std::vector<char> kept(points.size(), 0);
  const size_t n_threads = std::max<size_t>(1, std::min<size_t>((size_t)std::max(threads, 1), points.size() / 256 + 1));
  std::vector<std::string> errors(n_threads);
  std::vector<size_t> error_at(n_threads, points.size());
  auto slice = [&](size_t t) {
    size_t lo = points.size() * t / n_threads, hi = points.size() * (t + 1) / n_threads;
    std::vector<std::unique_ptr<Constraint>> cons;  // the parser holds pointers into its Constraint
    for (size_t i = lo; i < hi; ++i) {
      Prepared& r = all[i];
      r.point = points[i];
      RawConfig raw = raw0;
      Diagnostics d;
      for (const auto& set : r.point.sets) apply_set(raw, set, d);
      try {
        d.throw_if_any();
        r.config = validate(ps, raw);
        r.valid = true;
      } catch (const InputError& e) {
        r.problem = e.what();
      }
      if (r.valid) {
        if (cons.empty())
          for (const auto& w : s.where) cons.push_back(std::make_unique<Constraint>(w, r.config.tree()));
        bool keep = true;
        for (size_t k = 0; k < cons.size() && keep; ++k) try {
            keep = cons[k]->keep(r.config.tree());
          } catch (const mu::Parser::exception_type& e) {
            errors[t] = s.file + ": where[" + std::to_string(k) + "]: " + e.GetMsg();
            error_at[t] = i;
            return;
          }
        if (!keep) continue;
        r.hash = config_hash(r.config.tree());
      }
      kept[i] = 1;
    }
  };
  run_parallel(n_threads, slice);
  for (size_t t = 0; t < n_threads; ++t)
    if (error_at[t] < points.size()) throw InputError(errors[t]);
  std::vector<Prepared> out;
  out.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i)
    if (kept[i]) out.push_back(std::move(all[i]));
  return out;
}

}  // namespace tf::sweep
