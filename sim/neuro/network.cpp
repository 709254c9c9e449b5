#include "neuro/network.h"

#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/diagnostics.h"

namespace tf::neuro {

int dash_from_tau(double tau_s, double dt_s) {
  if (tau_s <= 0 || dt_s <= 0) return 0;
  long d = std::lround(std::log2(tau_s / dt_s));
  return (int)std::max(0L, std::min(15L, d));
}

namespace {

struct R {
  std::string file;
  Diagnostics d;
  void err(const std::string& p, const json& v, const std::string& e) { d.error(file, p, show(v), e); }

  int integer(const json& v, const std::string& p, int lo, int hi, int def) {
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
      err(p, v, "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      return def;
    }
    return (int)v.get<int64_t>();
  }
  // A number for all N neurons, or a list of N.
  std::vector<int> per_neuron(const json& obj, const std::string& p, const char* key, int n, int lo, int hi, int def,
                              bool required) {
    std::vector<int> v(n, def);
    if (!obj.contains(key)) {
      if (required) err(p + "." + key, json(), "a number (all neurons) or a list of " + std::to_string(n));
      return v;
    }
    const json& j = obj[key];
    std::string q = p + "." + key;
    if (j.is_number()) {
      int x = integer(j, q, lo, hi, def);
      return std::vector<int>(n, x);
    }
    if (!j.is_array() || (int)j.size() != n) {
      err(q, j.is_array() ? json(std::to_string(j.size()) + " values") : j,
          "a number (all neurons) or a list of " + std::to_string(n));
      return v;
    }
    for (int k = 0; k < n; ++k) v[k] = integer(j[k], q + "[" + std::to_string(k) + "]", lo, hi, def);
    return v;
  }
  // An int8 tensor of the given shape, flattened row-major.
  std::vector<int8_t> int8s(const json& j, const std::string& p, const std::vector<int>& shape) {
    size_t n = 1;
    for (int s : shape) n *= (size_t)s;
    std::vector<int8_t> out;
    out.reserve(n);
    walk(j, p, shape, 0, out);
    if (out.size() != n) out.assign(n, 0);
    return out;
  }
  void walk(const json& j, const std::string& p, const std::vector<int>& shape, size_t dim, std::vector<int8_t>& out) {
    if (dim == shape.size()) {
      out.push_back((int8_t)integer(j, p, -128, 127, 0));
      return;
    }
    if (!j.is_array() || (int)j.size() != shape[dim]) {
      std::string want;
      for (size_t k = dim; k < shape.size(); ++k) want += "[" + std::to_string(shape[k]) + "]";
      err(p, j.is_array() ? json(std::to_string(j.size()) + " entries") : j, "a list shaped " + want);
      for (size_t k = 0, n = count(shape, dim); k < n; ++k) out.push_back(0);
      return;
    }
    for (size_t k = 0; k < j.size(); ++k) walk(j[k], p + "[" + std::to_string(k) + "]", shape, dim + 1, out);
  }
  static size_t count(const std::vector<int>& shape, size_t dim) {
    size_t n = 1;
    for (size_t k = dim; k < shape.size(); ++k) n *= (size_t)shape[k];
    return n;
  }
  void keys(const json& o, const std::string& p, std::initializer_list<const char*> allowed) {
    for (auto it = o.begin(); it != o.end(); ++it) {
      bool ok = false;
      std::vector<std::string> c;
      for (auto a : allowed) {
        c.push_back(a);
        ok = ok || it.key() == a;
      }
      if (!ok) {
        std::string s = closest(it.key(), c);
        err(p.empty() ? it.key() : p + "." + it.key(), it.value(),
            "no such key" + (s.empty() ? std::string() : "; did you mean '" + s + "'?"));
      }
    }
  }
};

void population(R& r, const json& j, const std::string& p, int n, int n_syn, bool hidden, Population& pop) {
  if (!j.is_object()) {
    r.err(p, j, "an object with dash_mem, dash_syn, threshold, bias, max_spikes" + std::string(hidden ? ", alias" : ""));
    return;
  }
  if (hidden)
    r.keys(j, p, {"dash_mem", "dash_syn", "threshold", "bias", "max_spikes", "alias"});
  else
    r.keys(j, p, {"dash_mem", "dash_syn", "threshold", "bias", "max_spikes"});
  pop.dash_mem = r.per_neuron(j, p, "dash_mem", n, 0, 15, 0, true);
  pop.threshold = r.per_neuron(j, p, "threshold", n, 1, 32767, 1, true);
  pop.bias = r.per_neuron(j, p, "bias", n, -32768, 32767, 0, false);
  pop.max_spikes = j.contains("max_spikes") ? r.integer(j["max_spikes"], p + ".max_spikes", 1, 31, 1) : (hidden ? 31 : 1);
  pop.dash_syn.assign(n, std::vector<int>(n_syn, 0));
  std::string q = p + ".dash_syn";
  if (!j.contains("dash_syn")) {
    r.err(q, json(), "a number (all synapses) or a list per neuron");
  } else if (j["dash_syn"].is_number()) {
    int x = r.integer(j["dash_syn"], q, 0, 15, 0);
    for (auto& v : pop.dash_syn) v.assign(n_syn, x);
  } else if (j["dash_syn"].is_array() && (int)j["dash_syn"].size() == n) {
    for (int k = 0; k < n; ++k) {
      const json& e = j["dash_syn"][k];
      std::string qk = q + "[" + std::to_string(k) + "]";
      if (hidden) {
        if (!e.is_array() || (int)e.size() != n_syn) {
          r.err(qk, e, "a list of n_syn = " + std::to_string(n_syn) + " values");
          continue;
        }
        for (int s = 0; s < n_syn; ++s) pop.dash_syn[k][s] = r.integer(e[s], qk + "[" + std::to_string(s) + "]", 0, 15, 0);
      } else {
        pop.dash_syn[k][0] = r.integer(e, qk, 0, 15, 0);
      }
    }
  } else {
    r.err(q, j["dash_syn"], hidden ? "a number or a list of " + std::to_string(n) + " lists of n_syn values"
                                   : "a number or a list of " + std::to_string(n));
  }
  if (hidden) pop.alias = r.per_neuron(j, p, "alias", n, -1, n - 1, -1, false);
}

}  // namespace

Network load_network(const std::string& file, const ChipLimits& lim) {
  json j = load_json_file(file);
  R r{file, {}};
  Network n;
  if (!j.is_object()) throw InputError(file + ": (top level): got " + show(j) + "; expected a network object");
  r.keys(j, "", {"description", "n_in", "n_hidden", "n_out", "n_syn", "weight_shift_in", "weight_shift_rec",
                 "weight_shift_out", "w_in", "w_rec", "rec", "w_out", "hidden", "output"});
  auto size = [&](const char* key, int max, const char* limit) {
    if (!j.contains(key)) {
      r.err(key, json(), "a size");
      return 1;
    }
    if (!j[key].is_number_integer() || j[key].get<int64_t>() < 1) {
      r.err(key, j[key], "a positive integer");
      return 1;
    }
    if (j[key].get<int64_t>() > max) {
      r.err(key, j[key], std::string("at most the chip limit ") + limit + " = " + std::to_string(max));
      return max;
    }
    return (int)j[key].get<int64_t>();
  };
  n.n_in = size("n_in", lim.max_in, "chip.max_in");
  n.n_hidden = size("n_hidden", lim.max_hidden, "chip.max_hidden");
  n.n_out = size("n_out", lim.max_out, "chip.max_out");
  n.n_syn = j.contains("n_syn") ? size("n_syn", lim.max_syn, "chip.max_syn") : 1;
  n.shift_in = j.contains("weight_shift_in") ? r.integer(j["weight_shift_in"], "weight_shift_in", 0, 7, 0) : 0;
  n.shift_rec = j.contains("weight_shift_rec") ? r.integer(j["weight_shift_rec"], "weight_shift_rec", 0, 7, 0) : 0;
  n.shift_out = j.contains("weight_shift_out") ? r.integer(j["weight_shift_out"], "weight_shift_out", 0, 7, 0) : 0;
  if (!r.d.empty()) r.d.throw_if_any();  // shapes below depend on the sizes
  if (j.contains("w_in"))
    n.w_in = r.int8s(j["w_in"], "w_in", {n.n_in, n.n_hidden, n.n_syn});
  else
    r.err("w_in", json(), "input weights [n_in][n_hidden][n_syn]");
  if (j.contains("w_out"))
    n.w_out = r.int8s(j["w_out"], "w_out", {n.n_hidden, n.n_out});
  else
    r.err("w_out", json(), "output weights [n_hidden][n_out]");
  if (j.contains("w_rec") && j.contains("rec")) r.err("rec", j["rec"], "either dense w_rec or sparse rec, not both");
  if (j.contains("w_rec")) {
    auto w = r.int8s(j["w_rec"], "w_rec", {n.n_hidden, n.n_hidden, n.n_syn});
    for (int s = 0; s < n.n_hidden; ++s)
      for (int d = 0; d < n.n_hidden; ++d)
        for (int y = 0; y < n.n_syn; ++y) {
          int8_t v = w[((size_t)s * n.n_hidden + d) * n.n_syn + y];
          if (v) n.rec.push_back({s, d, y, v});
        }
  } else if (j.contains("rec")) {
    const json& rl = j["rec"];
    if (!rl.is_array()) r.err("rec", rl, "a list of {\"src\", \"dst\", \"syn\", \"w\"}");
    for (size_t k = 0; rl.is_array() && k < rl.size(); ++k) {
      std::string p = "rec[" + std::to_string(k) + "]";
      const json& e = rl[k];
      if (!e.is_object()) {
        r.err(p, e, "an object {\"src\", \"dst\", \"syn\", \"w\"}");
        continue;
      }
      r.keys(e, p, {"src", "dst", "syn", "w"});
      RecSynapse s{r.integer(e.value("src", json()), p + ".src", 0, n.n_hidden - 1, 0),
                   r.integer(e.value("dst", json()), p + ".dst", 0, n.n_hidden - 1, 0),
                   e.contains("syn") ? r.integer(e["syn"], p + ".syn", 0, n.n_syn - 1, 0) : 0,
                   r.integer(e.value("w", json()), p + ".w", -128, 127, 0)};
      if (s.w) n.rec.push_back(s);
    }
    // One weight per (src, dst, syn), as in the dense form and in the chip's weight memory.
    std::map<std::array<int, 3>, size_t> seen;
    for (size_t k = 0; rl.is_array() && k < rl.size(); ++k) {
      const json& e = rl[k];
      if (!e.is_object() || !e.contains("src") || !e.contains("dst") || !e["src"].is_number_integer() || !e["dst"].is_number_integer()) continue;
      int sy = e.contains("syn") && e["syn"].is_number_integer() ? e["syn"].get<int>() : 0;
      auto key = std::array<int, 3>{e["src"].get<int>(), e["dst"].get<int>(), sy};
      auto [it, fresh] = seen.emplace(key, k);
      if (!fresh)
        r.err("rec[" + std::to_string(k) + "]", e,
              "one entry per (src, dst, syn); rec[" + std::to_string(it->second) + "] already connects " + std::to_string(key[0]) +
                  " -> " + std::to_string(key[1]) + " synapse " + std::to_string(key[2]));
    }
    std::stable_sort(n.rec.begin(), n.rec.end(), [](const RecSynapse& a, const RecSynapse& b) {
      return a.src != b.src ? a.src < b.src : (a.dst != b.dst ? a.dst < b.dst : a.syn < b.syn);
    });
  }
  // Fan-out limit.
  std::vector<int> fan(n.n_hidden, 0);
  for (const auto& s : n.rec) fan[s.src]++;
  for (int h = 0; h < n.n_hidden; ++h)
    if (fan[h] > lim.max_fanout) {
      r.err(j.contains("w_rec") ? "w_rec[" + std::to_string(h) + "]" : "rec", json(std::to_string(fan[h]) + " recurrent targets of neuron " + std::to_string(h)),
            "at most the chip limit chip.max_fanout = " + std::to_string(lim.max_fanout));
      break;
    }
  if (j.contains("hidden"))
    population(r, j["hidden"], "hidden", n.n_hidden, n.n_syn, true, n.hidden);
  else
    r.err("hidden", json(), "the hidden population's parameters");
  if (j.contains("output"))
    population(r, j["output"], "output", n.n_out, 1, false, n.output);
  else
    r.err("output", json(), "the output population's parameters");
  r.d.throw_if_any();
  return n;
}

json network_to_json(const Network& n) {
  json j;
  j["n_in"] = n.n_in;
  j["n_hidden"] = n.n_hidden;
  j["n_out"] = n.n_out;
  j["n_syn"] = n.n_syn;
  j["weight_shift_in"] = n.shift_in;
  j["weight_shift_rec"] = n.shift_rec;
  j["weight_shift_out"] = n.shift_out;
  json w_in = json::array();
  for (int i = 0; i < n.n_in; ++i) {
    json a = json::array();
    for (int h = 0; h < n.n_hidden; ++h) {
      json s = json::array();
      for (int y = 0; y < n.n_syn; ++y) s.push_back((int)n.w_in[((size_t)i * n.n_hidden + h) * n.n_syn + y]);
      a.push_back(s);
    }
    w_in.push_back(a);
  }
  j["w_in"] = w_in;
  json rec = json::array();
  for (const auto& s : n.rec) rec.push_back({{"src", s.src}, {"dst", s.dst}, {"syn", s.syn}, {"w", s.w}});
  j["rec"] = rec;
  json w_out = json::array();
  for (int h = 0; h < n.n_hidden; ++h) {
    json a = json::array();
    for (int o = 0; o < n.n_out; ++o) a.push_back((int)n.w_out[(size_t)h * n.n_out + o]);
    w_out.push_back(a);
  }
  j["w_out"] = w_out;
  auto pop = [](const Population& p, bool hidden) {
    json o;
    o["dash_mem"] = p.dash_mem;
    if (hidden) {
      o["dash_syn"] = p.dash_syn;
    } else {
      json d = json::array();
      for (auto& v : p.dash_syn) d.push_back(v[0]);
      o["dash_syn"] = d;
    }
    o["threshold"] = p.threshold;
    o["bias"] = p.bias;
    o["max_spikes"] = p.max_spikes;
    if (hidden) o["alias"] = p.alias;
    return o;
  };
  j["hidden"] = pop(n.hidden, true);
  j["output"] = pop(n.output, false);
  return j;
}

Network random_network(const RandomNetworkSpec& s, std::mt19937_64& rng) {
  Network n;
  n.n_in = s.n_in;
  n.n_hidden = s.n_hidden;
  n.n_out = s.n_out;
  n.n_syn = s.n_syn;
  // Tuned so the default 16-1000-8 network with Poisson input at 10% activity fires sparsely (a few percent of
  // the hidden neurons per step), like the published Xylo applications: excitatory inputs, recurrence that is
  // inhibitory on average, thresholds well above a single input event.
  n.shift_in = 5;
  n.shift_rec = 3;
  n.shift_out = 4;
  auto uni = [&](int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); };
  n.w_in.assign((size_t)n.n_in * n.n_hidden * n.n_syn, 0);
  for (auto& w : n.w_in)
    if (rng() % 4 == 0) w = (int8_t)uni(-40, 60);  // a quarter of the input synapses, excitatory on average
  for (int h = 0; h < n.n_hidden; ++h) {
    std::vector<int> dst;
    while ((int)dst.size() < std::min(s.fanout, n.n_hidden)) {
      int d = uni(0, n.n_hidden - 1);
      if (std::find(dst.begin(), dst.end(), d) == dst.end()) dst.push_back(d);
    }
    std::sort(dst.begin(), dst.end());
    for (int d : dst) {
      int w = uni(-100, 20);
      if (w) n.rec.push_back({h, d, n.n_syn > 1 ? uni(0, n.n_syn - 1) : 0, w});
    }
  }
  n.w_out.assign((size_t)n.n_hidden * n.n_out, 0);
  for (auto& w : n.w_out)
    if (rng() % 8 == 0) w = (int8_t)uni(-30, 60);
  auto fill = [&](Population& p, int cnt, int syn, bool hidden) {
    p.dash_mem.resize(cnt);
    p.dash_syn.assign(cnt, std::vector<int>(syn));
    p.threshold.resize(cnt);
    p.bias.resize(cnt);
    for (int k = 0; k < cnt; ++k) {
      p.dash_mem[k] = uni(3, 6);
      for (auto& d : p.dash_syn[k]) d = uni(2, 5);
      p.threshold[k] = uni(12000, 24000);
      p.bias[k] = uni(-30, 10);
    }
    p.max_spikes = hidden ? 31 : 1;
    if (hidden) p.alias.assign(cnt, -1);
  };
  fill(n.hidden, n.n_hidden, n.n_syn, true);
  fill(n.output, n.n_out, 1, false);
  return n;
}

Raster load_raster(const std::string& file, int n_in) {
  Raster r;
  Diagnostics d;
  bool csv = file.size() > 4 && file.substr(file.size() - 4) == ".csv";
  if (!csv) {
    json j = load_json_file(file);
    if (!j.is_object() || !j.contains("spikes") || !j["spikes"].is_array())
      throw InputError(file + ": spikes: got " + show(j.is_object() ? j.value("spikes", json()) : j) +
                       "; expected {\"spikes\": [[counts per channel] per step]}");
    const json& s = j["spikes"];
    for (size_t t = 0; t < s.size(); ++t) {
      std::string p = "spikes[" + std::to_string(t) + "]";
      if (!s[t].is_array() || (int)s[t].size() != n_in) {
        d.error(file, p, s[t].is_array() ? std::to_string(s[t].size()) + " channels" : show(s[t]),
                "counts for the network's " + std::to_string(n_in) + " input channels");
        if (d.size() > 20) break;
        continue;
      }
      std::vector<int> row;
      for (size_t c = 0; c < s[t].size(); ++c) {
        const json& v = s[t][c];
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 31) {
          d.error(file, p + "[" + std::to_string(c) + "]", show(v), "a spike count in [0, 31]");
          row.push_back(0);
        } else {
          row.push_back((int)v.get<int64_t>());
        }
      }
      r.push_back(row);
    }
  } else {
    std::istringstream in(read_file(file));
    std::string line;
    int ln = 0;
    while (std::getline(in, line)) {
      ++ln;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      std::vector<int> row;
      std::stringstream ls(line);
      std::string cell;
      bool bad = false;
      while (std::getline(ls, cell, ',')) {
        char* end = nullptr;
        long v = std::strtol(cell.c_str(), &end, 10);
        if (cell.empty() || *end || v < 0 || v > 31) bad = true;
        row.push_back((int)v);
      }
      if (bad || (int)row.size() != n_in) {
        d.raw(file + ":" + std::to_string(ln) + ": got \"" + line.substr(0, 60) + "\"; expected " + std::to_string(n_in) +
              " comma-separated spike counts in [0, 31]");
        if (d.size() > 20) break;
        continue;
      }
      r.push_back(row);
    }
  }
  d.throw_if_any();
  if (r.empty()) throw InputError(file + ": no time steps");
  return r;
}

Raster poisson_raster(int n_in, int steps, double rate_Hz, double dt_s, std::mt19937_64& rng) {
  // Knuth's method on the generator's raw output (the same sequence on every platform).
  double lambda = rate_Hz * dt_s, L = std::exp(-lambda);
  Raster r(steps, std::vector<int>(n_in, 0));
  for (auto& row : r)
    for (auto& c : row) {
      int k = 0;
      double p = 1.0;
      do {
        p *= (double)(rng() >> 11) * (1.0 / 9007199254740992.0);
        ++k;
      } while (p > L && k < 40);
      c = std::min(31, k - 1);
    }
  return r;
}

}  // namespace tf::neuro
