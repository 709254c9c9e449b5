#include "neuro/network.h"

#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/diagnostics.h"
#include "core/reader.h"

namespace tf::neuro {

int dash_from_tau(double tau_s, double dt_s) {
  if (tau_s <= 0 || dt_s <= 0) return 0;
  long d = std::lround(std::log2(tau_s / dt_s));
  return (int)std::max(0L, std::min(15L, d));
}

namespace {

// A number for all N neurons, or a list of N; a missing key is an error if REQUIRED.
std::vector<int> per_neuron(const JsonNode& obj, const char* key, int n, int lo, int hi, int def, bool required) {
  std::vector<int> v(n, def);
  JsonNode j = obj[key];
  std::string want = "a number (all neurons) or a list of " + std::to_string(n);
  if (j.missing()) {
    if (required) j.fail(want);
    return v;
  }
  if (j.is_number()) return std::vector<int>(n, (int)j.integer(lo, hi, def));
  if (!j.is_list() || (int)j.size() != n) {
    if (j.is_list())
      j.fail_got(show(json(std::to_string(j.size()) + " values")), want);
    else
      j.fail(want);
    return v;
  }
  for (int k = 0; k < n; ++k) v[k] = (int)j[k].integer(lo, hi, def);
  return v;
}

size_t count(const std::vector<int>& shape, size_t dim) {
  size_t n = 1;
  for (size_t k = dim; k < shape.size(); ++k) n *= (size_t)shape[k];
  return n;
}

void walk(const JsonNode& j, const std::vector<int>& shape, size_t dim, std::vector<int8_t>& out) {
  if (dim == shape.size()) {
    out.push_back((int8_t)j.integer(-128, 127, 0));
    return;
  }
  if (!j.is_list() || (int)j.size() != shape[dim]) {
    std::string want;
    for (size_t k = dim; k < shape.size(); ++k) want += "[" + std::to_string(shape[k]) + "]";
    if (j.is_list())
      j.fail_got(show(json(std::to_string(j.size()) + " entries")), "a list shaped " + want);
    else
      j.fail("a list shaped " + want);
    for (size_t k = 0, n = count(shape, dim); k < n; ++k) out.push_back(0);
    return;
  }
  for (size_t k = 0; k < j.size(); ++k) walk(j[k], shape, dim + 1, out);
}

// An int8 tensor of the given shape, flattened row-major.
std::vector<int8_t> int8s(const JsonNode& j, const std::vector<int>& shape) {
  std::vector<int8_t> out;
  out.reserve(count(shape, 0));
  walk(j, shape, 0, out);
  if (out.size() != count(shape, 0)) out.assign(count(shape, 0), 0);
  return out;
}

void population(const JsonNode& j, int n, int n_syn, bool hidden, Population& pop) {
  if (!j.is_object()) {
    j.fail(j.missing() ? std::string(hidden ? "the hidden" : "the output") + " population's parameters"
                       : "an object with dash_mem, dash_syn, threshold, bias, max_spikes" +
                             std::string(hidden ? ", alias" : ""));
    return;
  }
  if (hidden)
    j.only_keys({"dash_mem", "dash_syn", "threshold", "bias", "max_spikes", "alias"});
  else
    j.only_keys({"dash_mem", "dash_syn", "threshold", "bias", "max_spikes"});
  pop.dash_mem = per_neuron(j, "dash_mem", n, 0, 15, 0, true);
  pop.threshold = per_neuron(j, "threshold", n, 1, 32767, 1, true);
  pop.bias = per_neuron(j, "bias", n, -32768, 32767, 0, false);
  pop.max_spikes = j.has("max_spikes") ? (int)j["max_spikes"].integer(1, 31, 1) : (hidden ? 31 : 1);
  pop.dash_syn.assign(n, std::vector<int>(n_syn, 0));
  JsonNode ds = j["dash_syn"];
  if (ds.missing()) {
    ds.fail("a number (all synapses) or a list per neuron");
  } else if (ds.is_number()) {
    int x = (int)ds.integer(0, 15, 0);
    for (auto& v : pop.dash_syn) v.assign(n_syn, x);
  } else if (ds.is_list() && (int)ds.size() == n) {
    for (int k = 0; k < n; ++k) {
      JsonNode e = ds[k];
      if (!hidden) {
        pop.dash_syn[k][0] = (int)e.integer(0, 15, 0);
        continue;
      }
      if (!e.is_list() || (int)e.size() != n_syn) {
        e.fail("a list of n_syn = " + std::to_string(n_syn) + " values");
        continue;
      }
      for (int y = 0; y < n_syn; ++y) pop.dash_syn[k][y] = (int)e[y].integer(0, 15, 0);
    }
  } else {
    ds.fail(hidden ? "a number or a list of " + std::to_string(n) + " lists of n_syn values"
                   : "a number or a list of " + std::to_string(n));
  }
  if (hidden) pop.alias = per_neuron(j, "alias", n, -1, n - 1, -1, false);
}

// A size: a positive integer at most the chip limit.
int size_of(const JsonNode& v, int max, const char* limit) {
  if (v.missing()) {
    v.fail("a size");
    return 1;
  }
  if (!v.integral() || v.value().get<int64_t>() < 1) {
    v.fail("a positive integer");
    return 1;
  }
  if (v.value().get<int64_t>() > max) {
    v.fail(std::string("at most the chip limit ") + limit + " = " + std::to_string(max));
    return max;
  }
  return (int)v.value().get<int64_t>();
}

// Sparse recurrent synapses: {"src", "dst", "syn", "w"} each, one per (src, dst, syn).
void sparse_rec(const JsonNode& rl, Network& n) {
  if (!rl.is_list()) {
    rl.fail("a list of {\"src\", \"dst\", \"syn\", \"w\"}");
    return;
  }
  std::map<std::array<int, 3>, size_t> seen;
  for (size_t k = 0; k < rl.size(); ++k) {
    JsonNode e = rl[k];
    if (!e.is_object()) {
      e.fail("an object {\"src\", \"dst\", \"syn\", \"w\"}");
      continue;
    }
    e.only_keys({"src", "dst", "syn", "w"});
    RecSynapse s{(int)e["src"].integer(0, n.n_hidden - 1, 0), (int)e["dst"].integer(0, n.n_hidden - 1, 0),
                 e.has("syn") ? (int)e["syn"].integer(0, n.n_syn - 1, 0) : 0, (int)e["w"].integer(-128, 127, 0)};
    if (s.w) n.rec.push_back(s);
  }
  // One weight per (src, dst, syn), as in the dense form and in the chip's weight memory.
  for (size_t k = 0; k < rl.size(); ++k) {
    JsonNode e = rl[k];
    if (!e["src"].integral() || !e["dst"].integral()) continue;
    int sy = e["syn"].integral() ? e["syn"].value().get<int>() : 0;
    auto key = std::array<int, 3>{e["src"].value().get<int>(), e["dst"].value().get<int>(), sy};
    auto [it, fresh] = seen.emplace(key, k);
    if (!fresh)
      e.fail("one entry per (src, dst, syn); rec[" + std::to_string(it->second) + "] already connects " +
             std::to_string(key[0]) + " -> " + std::to_string(key[1]) + " synapse " + std::to_string(key[2]));
  }
  std::stable_sort(n.rec.begin(), n.rec.end(), [](const RecSynapse& a, const RecSynapse& b) {
    return a.src != b.src ? a.src < b.src : (a.dst != b.dst ? a.dst < b.dst : a.syn < b.syn);
  });
}

}  // namespace

Network load_network(const std::string& file, const ChipLimits& lim) {
  json j = load_json_file(file);
  Diagnostics d;
  JsonNode root(j, file, d);
  Network n;
  if (!j.is_object()) throw InputError(file + ": (top level): got " + show(j) + "; expected a network object");
  root.only_keys({"description", "n_in", "n_hidden", "n_out", "n_syn", "weight_shift_in", "weight_shift_rec",
                  "weight_shift_out", "w_in", "w_rec", "rec", "w_out", "hidden", "output"});
  n.n_in = size_of(root["n_in"], lim.max_in, "chip.max_in");
  n.n_hidden = size_of(root["n_hidden"], lim.max_hidden, "chip.max_hidden");
  n.n_out = size_of(root["n_out"], lim.max_out, "chip.max_out");
  n.n_syn = root.has("n_syn") ? size_of(root["n_syn"], lim.max_syn, "chip.max_syn") : 1;
  n.shift_in = root.has("weight_shift_in") ? (int)root["weight_shift_in"].integer(0, 7, 0) : 0;
  n.shift_rec = root.has("weight_shift_rec") ? (int)root["weight_shift_rec"].integer(0, 7, 0) : 0;
  n.shift_out = root.has("weight_shift_out") ? (int)root["weight_shift_out"].integer(0, 7, 0) : 0;
  d.throw_if_any();  // shapes below depend on the sizes
  if (root.has("w_in"))
    n.w_in = int8s(root["w_in"], {n.n_in, n.n_hidden, n.n_syn});
  else
    root["w_in"].fail("input weights [n_in][n_hidden][n_syn]");
  if (root.has("w_out"))
    n.w_out = int8s(root["w_out"], {n.n_hidden, n.n_out});
  else
    root["w_out"].fail("output weights [n_hidden][n_out]");
  if (root.has("w_rec") && root.has("rec")) root["rec"].fail("either dense w_rec or sparse rec, not both");
  if (root.has("w_rec")) {
    auto w = int8s(root["w_rec"], {n.n_hidden, n.n_hidden, n.n_syn});
    for (int s = 0; s < n.n_hidden; ++s)
      for (int t = 0; t < n.n_hidden; ++t)
        for (int y = 0; y < n.n_syn; ++y) {
          int8_t v = w[((size_t)s * n.n_hidden + t) * n.n_syn + y];
          if (v) n.rec.push_back({s, t, y, v});
        }
  } else if (root.has("rec")) {
    sparse_rec(root["rec"], n);
  }
  // Fan-out limit.
  std::vector<int> fan(n.n_hidden, 0);
  for (const auto& s : n.rec) fan[s.src]++;
  for (int h = 0; h < n.n_hidden; ++h)
    if (fan[h] > lim.max_fanout) {
      JsonNode at = root.has("w_rec") ? root["w_rec"][(size_t)h] : root["rec"];
      at.fail_got(show(json(std::to_string(fan[h]) + " recurrent targets of neuron " + std::to_string(h))),
                  "at most the chip limit chip.max_fanout = " + std::to_string(lim.max_fanout));
      break;
    }
  population(root["hidden"], n.n_hidden, n.n_syn, true, n.hidden);
  population(root["output"], n.n_out, 1, false, n.output);
  d.throw_if_any();
  return n;
}

json network_to_json_head(const Network& n) {
  json j;
  j["n_in"] = n.n_in;
  j["n_hidden"] = n.n_hidden;
  j["n_out"] = n.n_out;
  j["n_syn"] = n.n_syn;
  j["weight_shift_in"] = n.shift_in;
  j["weight_shift_rec"] = n.shift_rec;
  j["weight_shift_out"] = n.shift_out;
  j["w_in"] = nullptr;  // placeholders: network_to_json and network_to_text fill them in
  j["rec"] = nullptr;
  j["w_out"] = nullptr;
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

json network_to_json(const Network& n) {
  json j = network_to_json_head(n);
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
  return j;
}

std::string network_to_text(const Network& n) {
  // The small entries through nlohmann (its formatting), the three large arrays written directly where the
  // placeholders stand: the same bytes as network_to_json(n).dump() (a unit test holds them equal), without
  // building a JSON tree of a hundred thousand nodes.
  json j = network_to_json_head(n);
  std::string head = j.dump();
  std::string w_in, rec, w_out;
  w_in.reserve((size_t)n.n_in * n.n_hidden * (n.n_syn * 4 + 3));
  w_in += '[';
  for (int i = 0; i < n.n_in; ++i) {
    w_in += i ? ",[" : "[";
    for (int h = 0; h < n.n_hidden; ++h) {
      w_in += h ? ",[" : "[";
      for (int y = 0; y < n.n_syn; ++y) {
        if (y) w_in += ',';
        append_int(w_in, n.w_in[((size_t)i * n.n_hidden + h) * n.n_syn + y]);
      }
      w_in += ']';
    }
    w_in += ']';
  }
  w_in += ']';
  rec.reserve(n.rec.size() * 40 + 2);
  rec += '[';
  for (size_t k = 0; k < n.rec.size(); ++k) {
    const auto& r = n.rec[k];
    rec += k ? ",{\"src\":" : "{\"src\":";
    append_int(rec, r.src);
    rec += ",\"dst\":";
    append_int(rec, r.dst);
    rec += ",\"syn\":";
    append_int(rec, r.syn);
    rec += ",\"w\":";
    append_int(rec, r.w);
    rec += '}';
  }
  rec += ']';
  w_out.reserve((size_t)n.n_hidden * (n.n_out * 4 + 3));
  w_out += '[';
  for (int h = 0; h < n.n_hidden; ++h) {
    w_out += h ? ",[" : "[";
    for (int o = 0; o < n.n_out; ++o) {
      if (o) w_out += ',';
      append_int(w_out, n.w_out[(size_t)h * n.n_out + o]);
    }
    w_out += ']';
  }
  w_out += ']';
  std::string out;
  out.reserve(head.size() + w_in.size() + rec.size() + w_out.size());
  size_t at = 0;
  for (const auto& [key, text] : {std::pair<const char*, const std::string*>{"\"w_in\":null", &w_in},
                                  {"\"rec\":null", &rec},
                                  {"\"w_out\":null", &w_out}}) {
    size_t p = head.find(key, at);
    size_t value = p + std::string(key).size() - 4;  // where "null" starts
    out.append(head, at, value - at);
    out += *text;
    at = value + 4;
  }
  out.append(head, at, std::string::npos);
  return out;
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
  std::vector<char> taken(n.n_hidden, 0);          // membership in DST: the same draws as a search of DST, in O(1)
  for (int h = 0; h < n.n_hidden; ++h) {
    std::vector<int> dst;
    while ((int)dst.size() < std::min(s.fanout, n.n_hidden)) {
      int d = uni(0, n.n_hidden - 1);
      if (!taken[d]) taken[d] = 1, dst.push_back(d);
    }
    for (int d : dst) taken[d] = 0;
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
    JsonNode root(j, file, d);
    JsonNode s = root["spikes"];
    if (!s.is_list())
      throw InputError(file + ": spikes: got " + show(j.is_object() ? s.value() : j) +
                       "; expected {\"spikes\": [[counts per channel] per step]}");
    root.only_keys({"spikes", "description"});
    for (size_t t = 0; t < s.size() && d.size() <= 20; ++t) {
      JsonNode row_node = s[t];
      if (!row_node.is_list() || (int)row_node.size() != n_in) {
        std::string got = row_node.is_list() ? std::to_string(row_node.size()) + " channels" : show(row_node.value());
        row_node.fail_got(got, "counts for the network's " + std::to_string(n_in) + " input channels");
        continue;
      }
      std::vector<int> row;
      for (size_t c = 0; c < row_node.size(); ++c)
        row.push_back((int)row_node[c].integer(0, 31, 0, "a spike count in [0, 31]"));
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
        // The whole cell must be the number: a NUL byte inside it ends the C string early, not the cell.
        if (cell.empty() || end != cell.c_str() + cell.size() || v < 0 || v > 31) bad = true;
        row.push_back((int)v);
      }
      if (!line.empty() && line.back() == ',') bad = true;  // a trailing comma: an empty last count
      if (bad || (int)row.size() != n_in) {
        std::string shown = line.substr(0, 60);
        for (char& ch : shown)
          if ((unsigned char)ch < 32 || ch == 127) ch = '?';  // control bytes (a NUL) shown, not printed
        d.raw(file + ":" + std::to_string(ln) + ": got \"" + shown + "\"; expected " + std::to_string(n_in) +
              " comma-separated spike counts in [0, 31]");
        if (d.size() > 20) break;
        continue;
      }
      r.push_back(row);
    }
  }
  d.throw_if_any();
  if (r.empty())
    throw InputError(file + ": got no rows; expected at least one time step of " + std::to_string(n_in) +
                     " comma-separated spike counts in [0, 31]");
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
