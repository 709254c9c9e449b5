#include "model.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <algorithm>
#include <charconv>
#include <system_error>
#include <fstream>
#include <random>
#include <set>

#include "core/diagnostics.h"
#include "core/reader.h"
#include "layer_kind.h"
#include "model_reader.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

int Layer::in_size() const {
  int n = 1;
  for (int d : in_shape) n *= d;
  return n;
}
int Layer::out_size() const {
  int n = 1;
  for (int d : out_shape) n *= d;
  return n;
}
long long Layer::mults() const {
  const LayerKind* k = find_layer_kind(type);
  return k ? k->mults(*this) : 0;
}

Window window_of(const Layer& L) {
  bool two = L.in_shape.size() == 3;
  return {two ? L.in_shape[0] : 1,
          two ? L.in_shape[1] : L.in_shape[0],
          L.in_shape.back(),
          two ? L.kernel[0] : 1,
          two ? L.kernel[1] : L.kernel[0],
          two ? L.strides[0] : 1,
          two ? L.strides[1] : L.strides[0],
          two ? L.pad_begin[0] : 0,
          two ? L.pad_begin[1] : L.pad_begin[0],
          two ? L.out_shape[0] : 1,
          two ? L.out_shape[1] : L.out_shape[0]};
}

std::vector<int> valid_reuse_factors(long long n) {
  std::vector<int> v;
  for (long long r = 1; r <= n && r <= 1 << 20; ++r)
    if (n % r == 0) v.push_back((int)r);
  return v;
}

std::string hls4ml_resource_problem(const Layer& L) {
  if (L.type != "dense" || L.accumulation != "hls4ml" || L.strategy != "resource") return "";
  const int n_in = L.in_size(), r = L.reuse_factor;
  if (r >= n_in || n_in % r == 0) return "";
  return "with \"accumulation\": \"hls4ml\" and the resource strategy, a reuse factor that divides n_in (" +
         std::to_string(n_in) + ") or is at least n_in, as hls4ml's dense_resource requires";
}

std::string nearest_reuse_factors(long long n, int r) {
  auto v = valid_reuse_factors(n);
  int below = 0, above = 0;
  for (int x : v) {
    if (x < r) below = x;
    if (x > r && !above) above = x;
  }
  std::string s;
  if (below) s += std::to_string(below);
  if (above) s += (s.empty() ? "" : ", ") + std::to_string(above);
  return s;
}

Hls4mlSoftmax::Hls4mlSoftmax() {
  std::string why;
  FixedFormat::parse("fixed<18,8,RND,SAT>", exp_table_t, why);
  inv_table_t = accum_t = inv_inp_t = exp_table_t;
  FixedFormat::parse("ufixed<15,5>", inp_norm_t, why);
}

namespace {

// What every layer inherits from the model unless it says otherwise.
struct LayerDefaults {
  LayerPrecision prec;
  std::string strategy;
  int reuse;
  std::string accumulation = "exact";
  std::string softmax_impl = "tinyforge";
  Hls4mlSoftmax sm;
};

// Layer I of the model (LJ), on an input of SHAPE: its common fields here, its own through its kind. Appends
// it to M, and its "activation", if any, as a layer of its own; SHAPE becomes the output shape, NAMES gets its
// name. Problems go to R; a layer without a known type or a shape is left out.
void read_layer(JsonReader& R, const json& lj, size_t i, const LayerDefaults& d, std::vector<int>& shape,
                std::set<std::string>& names, Model& m) {
  std::string p = "layers[" + std::to_string(i) + "]";
  if (!lj.is_object() || !lj.contains("type") || !lj["type"].is_string()) {
    R.err(p + ".type", lj.is_object() ? lj.value("type", json()) : lj, "a layer object with a \"type\"");
    return;
  }
  Layer L;
  L.type = lj["type"].get<std::string>();
  const LayerKind* kind = find_layer_kind(L.type);
  if (!kind) {
    std::string s = closest_layer_kind(L.type);
    R.err(p + ".type", lj["type"],
          "a layer type (" + layer_kind_list() + ")" + (s.empty() ? std::string() : "; did you mean '" + s + "'?"));
    return;
  }
  std::set<std::string> allowed = {"name", "type", "precision", "reuse_factor", "strategy"};
  for (const std::string& k : kind->json_keys()) allowed.insert(k);
  R.keys(lj, p, allowed);
  L.name = lj.contains("name") && lj["name"].is_string() ? lj["name"].get<std::string>() : L.type + std::to_string(i);
  if (lj.contains("name") && !lj["name"].is_string()) R.err(p + ".name", lj["name"], "a string");
  if (names.count(L.name)) R.err(p + ".name", json(L.name), "a name not used by another layer");
  names.insert(L.name);
  L.prec = d.prec;
  if (lj.contains("precision")) {
    R.precision(lj["precision"], p + ".precision", L.prec);
    for (const char* k : {"state", "matrix"})
      if (lj["precision"].is_object() && lj["precision"].contains(k) && L.type != "lmu")
        R.err(p + ".precision." + k, lj["precision"][k], "no '" + std::string(k) + "' type: only lmu layers have one");
  }
  L.strategy = d.strategy;
  if (lj.contains("strategy")) {
    if (lj["strategy"] != "latency" && lj["strategy"] != "resource")
      R.err(p + ".strategy", lj["strategy"], "\"latency\" or \"resource\"");
    else
      L.strategy = lj["strategy"].get<std::string>();
  }
  L.reuse_factor =
      lj.contains("reuse_factor") ? R.integer(lj["reuse_factor"], p + ".reuse_factor", 1, 1 << 20) : d.reuse;
  L.accumulation = d.accumulation;
  L.softmax_impl = d.softmax_impl;
  L.sm = d.sm;
  L.in_shape = shape;
  if (!kind->parse(R, lj, p, L)) return;
  std::string activation;
  if (lj.contains("activation") && !kind->own_activation()) {
    const json& a = lj["activation"];
    const LayerKind* ak = a.is_string() ? find_layer_kind(a.get<std::string>()) : nullptr;
    if (!a.is_string() || (a != "linear" && !(ak && ak->is_activation()))) {
      std::string list;
      for (const LayerKind* k : layer_kinds())
        if (k->is_activation()) list += k->name() + ", ";
      R.err(p + ".activation", a, "one of " + list + "linear");
    } else {
      activation = a.get<std::string>();
    }
  }
  long long mults = L.mults();
  if (mults > 0 && mults % L.reuse_factor != 0)
    R.err(p + ".reuse_factor", json(L.reuse_factor),
          "a divisor of the layer's " + std::to_string(mults) +
              " multiplications; nearest valid: " + nearest_reuse_factors(mults, L.reuse_factor));
  else if (!hls4ml_resource_problem(L).empty())
    R.err(p + ".reuse_factor", json(L.reuse_factor), hls4ml_resource_problem(L));
  shape = L.out_shape;
  m.layers.push_back(L);
  if (!activation.empty() && activation != "linear") {
    Layer A;
    A.type = activation;
    A.name = L.name + "_" + activation;
    A.in_shape = A.out_shape = shape;
    A.prec = L.prec;
    A.softmax_impl = d.softmax_impl;
    A.sm = d.sm;
    m.layers.push_back(A);
  }
}

// The hls4ml softmax modes' table sizes and normalized-input type for input format IN, as hls4ml derives them:
// the table size is capped at 2^min(input width, inv_table_t width); the stable mode's default inp_norm_t is
// ufixed<W - s, I - s> of the input fixed<W, I> (s = 1 when signed), whose exp table is then capped at 2^(W-1).
void resolve_softmax(JsonReader& R, const std::string& p, const FixedFormat& in, Layer& L) {
  if (L.softmax_impl == "tinyforge" || L.argmax_only) return;
  Hls4mlSoftmax& sm = L.sm;
  const bool stable = L.softmax_impl == "hls4ml_stable";
  long long t = sm.table_size;
  int cap = std::min(in.W, sm.inv_table_t.W);
  if (cap < 40 && (1LL << cap) < t) t = 1LL << cap;
  sm.exp_size = sm.inv_size = (int)t;
  if (stable && !sm.inp_norm_given) {
    int s = in.S ? 1 : 0;
    sm.inp_norm_t = FixedFormat{in.W - s, in.I - s, false, tinyforge::hls::TRN, tinyforge::hls::WRAP};
    if (in.S && in.W - 1 < 40 && (1LL << (in.W - 1)) < sm.exp_size) sm.exp_size = 1 << (in.W - 1);
  }
  const FixedFormat& idx_t = stable ? sm.inp_norm_t : in;
  auto bits = [](int n) {
    int b = 0;
    while ((1LL << b) < n) ++b;
    return b;
  };
  if (idx_t.W < 1 || idx_t.W > 64 || bits(sm.exp_size) > idx_t.W) {
    const std::string what = " to 64 bits for an exp table of " + std::to_string(sm.exp_size) + " entries";
    if (stable && sm.inp_norm_given)
      R.err(p + ".hls4ml.inp_norm_t", json(idx_t.str()), "a type of " + std::to_string(bits(sm.exp_size)) + what);
    else
      R.err(p, json(L.type), "an input (" + idx_t.str() + " here, which indexes the exp table) of " +
                                 std::to_string(bits(sm.exp_size)) + what);
  }
  if (sm.inv_inp_t.W > 64 || bits(sm.inv_size) > sm.inv_inp_t.W)
    R.err(p + ".hls4ml.inv_inp_t", json(sm.inv_inp_t.str()),
          "a type of " + std::to_string(bits(sm.inv_size)) + " to 64 bits for an inverse table of " +
              std::to_string(sm.inv_size) + " entries");
  for (const FixedFormat* f : {&sm.exp_table_t, &sm.inv_table_t, &sm.accum_t})
    if (f->W > 64)
      R.err(p + ".hls4ml", json(f->str()), "table and accumulator types of at most 64 bits");
}

}  // namespace

Model load_model_json(const std::string& file) { return load_model(load_json_file(file), file); }

Model load_model(const json& j, const std::string& file) {
  JsonReader R{file, {}};
  Model m;
  m.file = file;
  if (!j.is_object()) throw InputError(file + ": (top level): got " + show(j) + "; expected a model object");
  R.keys(j, "", {"name", "description", "input", "precision", "strategy", "reuse_factor", "layers", "test_vectors",
                 "accumulation", "softmax"});
  if (j.contains("test_vectors")) {
    if (!j["test_vectors"].is_string())
      R.err("test_vectors", j["test_vectors"], "a test-vector file name (relative to the model file)");
    else
      m.test_vectors =
          (fs::path(file).parent_path() / j["test_vectors"].get<std::string>()).lexically_normal().string();
  }
  m.name = fs::path(file).stem().string();
  if (j.contains("name")) {
    if (j["name"].is_string())
      m.name = j["name"].get<std::string>();
    else
      R.err("name", j["name"], "a string");
  }
  LayerPrecision def;
  R.format(json("fixed<16,6>"), "", def.weight);
  def.bias = def.weight;
  def.result = def.weight;
  R.format(json("fixed<32,12>"), "", def.accum);
  R.format(json("fixed<18,2,RND,SAT>"), "", def.table);
  R.format(json("fixed<24,6,RND,SAT>"), "", def.state);   // lmu (docs/hls.md, "lmu")
  R.format(json("fixed<18,2,RND,SAT>"), "", def.matrix);
  if (j.contains("precision")) R.precision(j["precision"], "precision", def);
  std::string strategy = "latency";
  if (j.contains("strategy")) {
    if (j["strategy"] != "latency" && j["strategy"] != "resource")
      R.err("strategy", j["strategy"], "\"latency\" or \"resource\"");
    else
      strategy = j["strategy"].get<std::string>();
  }
  int reuse = j.contains("reuse_factor") ? R.integer(j["reuse_factor"], "reuse_factor", 1, 1 << 20) : 1;
  // Input.
  if (!j.contains("input") || !j["input"].is_object()) {
    R.err("input", j.value("input", json()), "{\"shape\": [...], \"precision\": \"fixed<...>\"}");
  } else {
    const json& in = j["input"];
    R.keys(in, "input", {"shape", "precision"});
    if (!in.contains("shape") || !in["shape"].is_array() || in["shape"].empty() || in["shape"].size() > 3)
      R.err("input.shape", in.value("shape", json()), "a list of 1 to 3 positive sizes (channels last)");
    else
      for (size_t k = 0; k < in["shape"].size(); ++k)
        m.input_shape.push_back(R.integer(in["shape"][k], "input.shape[" + std::to_string(k) + "]", 1, 1 << 16));
    int64_t elements = 1;  // the generated code and the emulator size the input with int
    for (int d : m.input_shape) elements *= d;
    if (elements > (1 << 24)) {
      R.err("input.shape", in["shape"], "at most 16777216 input values in all (got " + std::to_string(elements) + ")");
      R.d.throw_if_any();  // the layers' sizes (int) would overflow
    }
    m.input = def.result;
    if (in.contains("precision")) R.format(in["precision"], "input.precision", m.input);
  }
  if (!j.contains("layers") || !j["layers"].is_array() || j["layers"].empty()) {
    R.err("layers", j.value("layers", json()), "a non-empty list of layers");
    R.d.throw_if_any();
  }
  if (m.input_shape.empty()) R.d.throw_if_any();  // layer shapes need the input shape
  std::vector<int> shape = m.input_shape;
  std::set<std::string> names;
  const json& layers = j["layers"];
  LayerDefaults inherited;
  inherited.prec = def;
  inherited.strategy = strategy;
  inherited.reuse = reuse;
  if (j.contains("accumulation")) R.accumulation(j["accumulation"], "accumulation", inherited.accumulation);
  if (j.contains("softmax")) {
    if (!j["softmax"].is_object()) {
      R.err("softmax", j["softmax"], "an object with implementation and hls4ml (defaults of every softmax layer)");
    } else {
      R.keys(j["softmax"], "softmax", {"implementation", "hls4ml"});
      R.softmax_options(j["softmax"], "softmax", inherited.softmax_impl, inherited.sm);
    }
  }
  for (size_t i = 0; i < layers.size(); ++i) read_layer(R, layers[i], i, inherited, shape, names, m);
  R.d.throw_if_any();
  // Table layers index their table by shifting the input by its fractional bits: keep that shift well inside
  // 128-bit arithmetic (formats allow -127 to 128 fractional bits; tables need far fewer).
  const FixedFormat* in = &m.input;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Layer& L = m.layers[i];
    if ((L.type == "sigmoid" || L.type == "tanh" || L.type == "softmax") && (in->F() < -96 || in->F() > 96))
      R.err("layers[" + std::to_string(i) + "]", json(L.type),
            "an input with -96 to 96 fractional bits for a table-based " + L.type + " (its input " + in->str() +
                " has " + std::to_string(in->F()) + ")");
    if (L.type == "softmax") resolve_softmax(R, "layers[" + std::to_string(i) + "]", *in, m.layers[i]);
    in = &L.prec.result;
  }
  R.d.throw_if_any();
  return m;
}

}  // namespace tf::hlsgen

namespace tf::hlsgen {

std::vector<std::vector<double>> random_test_inputs(const Model& m, int count) {
  int n_in = 1;
  for (int d : m.input_shape) n_in *= d;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(-1, 1);
  double span = std::ldexp(1.0, m.input.I - (m.input.S ? 1 : 0));
  std::vector<std::vector<double>> inputs;
  for (int k = 0; k < count; ++k) {
    std::vector<double> x(n_in);
    for (auto& e : x) e = m.input.S ? u(rng) * span : (u(rng) + 1) * span / 2;
    inputs.push_back(x);
  }
  return inputs;
}

// The text form: one input vector per line, numbers separated by spaces, tabs or commas (hls4ml's
// tb_input_features.dat reads as is, as does a CSV without a header); blank lines and lines starting with '#'
// are skipped. Parsed with from_chars: about 30x faster than the JSON form for large vector sets.
// SEQUENTIAL: a blank line ends a sequence.
static TestVectors load_text_vectors(const std::string& file, int n_in, bool sequential) {
  const std::string text = read_file(file);
  TestVectors tv;
  tv.inputs.reserve(std::count(text.begin(), text.end(), '\n') + 1);
  const char* p = text.data();
  const char* end = p + text.size();
  size_t line = 0;
  auto fail = [&](const std::string& what) { throw InputError(file + ":" + std::to_string(line) + ": " + what); };
  std::vector<double> v;
  while (p < end) {
    ++line;
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', (size_t)(end - p)));
    if (!eol) eol = end;
    v.clear();
    const char* q = p;
    auto skip = [&] {
      while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r' || *q == ',')) ++q;
    };
    skip();
    if (sequential && q == eol && (tv.seq_start.empty() ? !tv.inputs.empty() : tv.seq_start.back() < tv.inputs.size()))
      tv.seq_start.push_back(tv.inputs.size());  // (a run of blank lines ends one sequence)
    if (q < eol && *q != '#') {
      if (sequential && tv.seq_start.empty()) tv.seq_start.push_back(0);
      while (q < eol) {
        double d;
        const char* s = q + (*q == '+' && q + 1 < eol && q[1] != '-' && q[1] != '+');  // "+1", not "+-1"
        auto r = std::from_chars(s, eol, d);
        const char* stop = r.ptr;
        const bool separated = stop == eol || *stop == ' ' || *stop == '\t' || *stop == '\r' || *stop == ',';
        if (r.ec == std::errc::result_out_of_range && separated) {  // underflow too; only overflow is bad
          char* e2;
          d = std::strtod(std::string(s, r.ptr).c_str(), &e2);
          if (!std::isfinite(d)) fail("got '" + std::string(q, r.ptr) + "'; expected a number within a double's range");
        } else if (r.ec != std::errc() || !std::isfinite(d) || !separated) {
          const char* t = q;
          while (t < eol && *t != ' ' && *t != '\t' && *t != '\r' && *t != ',' && t - q < 40) ++t;
          fail("got '" + std::string(q, t) + "' (value " + std::to_string(v.size() + 1) + "); expected a number");
        }
        if ((int)v.size() == n_in)
          fail("got more than " + std::to_string(n_in) + " numbers; expected one input vector of " +
               std::to_string(n_in) + " numbers per line");
        v.push_back(d);
        q = stop;
        skip();
      }
      if ((int)v.size() != n_in)
        fail("got " + std::to_string(v.size()) + " numbers; expected one input vector of " + std::to_string(n_in) +
             " numbers per line");
      tv.inputs.push_back(v);
    }
    p = eol == end ? end : eol + 1;
  }
  if (tv.inputs.empty()) throw InputError(file + ": no input vectors; expected one vector of " + std::to_string(n_in) +
                                          " numbers per line");
  if (sequential && tv.seq_start.back() == tv.inputs.size()) tv.seq_start.pop_back();  // blank lines at the end
  return tv;
}

bool text_vectors_file(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  return ext == ".dat" || ext == ".csv" || ext == ".txt";
}

TestVectors load_test_vectors(const std::string& file, int n_in, int n_out, bool sequential) {
  if (text_vectors_file(file)) return load_text_vectors(file, n_in, sequential);
  json j = load_json_file(file);
  Diagnostics d;
  JsonNode root(j, file, d);
  TestVectors tv;
  const char* key = sequential ? "sequences" : "inputs";
  if (j.is_object() && j.contains(sequential ? "inputs" : "sequences")) {
    root[sequential ? "inputs" : "sequences"].fail(
        sequential ? "\"sequences\" (the model keeps a state across inputs: its test vectors are sequences of frames)"
                   : "\"inputs\" (sequences are for models with a stateful layer such as lmu)");
    d.throw_if_any();
  }
  JsonNode inputs = root[key];
  if (!inputs.is_list()) {
    inputs.fail_got(show(j.is_object() ? inputs.value() : j),
                    sequential ? "a list of sequences, each a list of input frames" : "a list of input vectors");
    d.throw_if_any();
  }
  root.only_keys({key, "outputs", "labels", "description"},
                 std::string("no such key (") + key + ", outputs, labels, description)");
  auto rows = [&](const JsonNode& a, int width, std::vector<std::vector<double>>& out) {
    for (size_t k = 0; k < a.size(); ++k) {
      JsonNode row = a[k];
      if (!row.is_list() || (int)row.size() != width) {
        row.fail("a list of " + std::to_string(width) + " numbers");
        continue;
      }
      std::vector<double> v;
      for (size_t i = 0; i < row.size(); ++i) {
        if (!row[i].is_number()) {
          row.fail_got(show(row[i].value()), "numbers");
          break;
        }
        v.push_back(row[i].value().get<double>());
      }
      out.push_back(v);
    }
  };
  if (sequential) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      JsonNode seq = inputs[k];
      if (!seq.is_list() || seq.size() == 0) {
        seq.fail("a non-empty list of input frames of " + std::to_string(n_in) + " numbers");
        continue;
      }
      tv.seq_start.push_back(tv.inputs.size());
      rows(seq, n_in, tv.inputs);
    }
  } else {
    rows(inputs, n_in, tv.inputs);
  }
  if (root.has("outputs")) {
    if (!root["outputs"].is_list() || root["outputs"].size() != inputs.size())
      root["outputs"].fail(sequential ? "one output vector per sequence (its last frame's)" : "one output vector per input");
    else
      rows(root["outputs"], n_out, tv.outputs);
  }
  if (root.has("labels")) {
    JsonNode labels = root["labels"];
    if (!labels.is_list() || labels.size() != inputs.size())
      labels.fail(sequential ? "one label per sequence" : "one label per input");
    else
      for (size_t k = 0; k < labels.size(); ++k)
        tv.labels.push_back(
            (int)labels[k].integer(0, n_out - 1, 0, "a class index in [0, " + std::to_string(n_out - 1) + "]"));
  }
  d.throw_if_any();
  return tv;
}

}  // namespace tf::hlsgen
