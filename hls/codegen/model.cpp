#include "model.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "core/diagnostics.h"

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
  if (type == "dense") return (long long)in_size() * units;
  if (type == "conv1d" || type == "conv2d") {
    long long k = 1;
    for (int v : kernel) k *= v;
    return k * in_shape.back() * filters;  // per output position
  }
  return 0;
}

Window window_of(const Layer& L) {
  bool two = L.in_shape.size() == 3;
  return {two ? L.in_shape[0] : 1,   two ? L.in_shape[1] : L.in_shape[0],   L.in_shape.back(),
          two ? L.kernel[0] : 1,     two ? L.kernel[1] : L.kernel[0],       two ? L.strides[0] : 1,
          two ? L.strides[1] : L.strides[0], two ? L.pad_begin[0] : 0,      two ? L.pad_begin[1] : L.pad_begin[0],
          two ? L.out_shape[0] : 1,  two ? L.out_shape[1] : L.out_shape[0]};
}

std::vector<int> valid_reuse_factors(long long n) {
  std::vector<int> v;
  for (long long r = 1; r <= n && r <= 1 << 20; ++r)
    if (n % r == 0) v.push_back((int)r);
  return v;
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

namespace {

const std::set<std::string> kTypes = {"dense",     "conv1d",     "conv2d",    "batchnorm", "relu",
                                      "leaky_relu", "sigmoid",    "tanh",      "hard_sigmoid",
                                      "hard_tanh", "softmax",    "maxpool1d", "avgpool1d", "maxpool2d",
                                      "avgpool2d", "flatten"};
const std::set<std::string> kActivations = {"relu", "leaky_relu", "sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "softmax", "linear"};

struct Reader {
  std::string file;
  Diagnostics d;

  void err(const std::string& path, const json& v, const std::string& expected) { d.error(file, path, show(v), expected); }

  void keys(const json& o, const std::string& path, const std::set<std::string>& allowed) {
    for (auto it = o.begin(); it != o.end(); ++it)
      if (!allowed.count(it.key())) {
        std::vector<std::string> c(allowed.begin(), allowed.end());
        std::string s = closest(it.key(), c);
        err(path.empty() ? it.key() : path + "." + it.key(), it.value(),
            "no such key" + (s.empty() ? std::string() : "; did you mean '" + s + "'?"));
      }
  }

  bool format(const json& o, const std::string& path, FixedFormat& f) {
    std::string why;
    if (!o.is_string() || !FixedFormat::parse(o.get<std::string>(), f, why)) {
      err(path, o, why.empty() ? "a fixed-point type such as \"fixed<16,6>\"" : why);
      return false;
    }
    return true;
  }

  void precision(const json& o, const std::string& path, LayerPrecision& p) {
    if (!o.is_object()) {
      err(path, o, "an object with weight, bias, accum, result, table");
      return;
    }
    keys(o, path, {"weight", "bias", "accum", "result", "table"});
    if (o.contains("weight")) format(o["weight"], path + ".weight", p.weight);
    if (o.contains("bias")) format(o["bias"], path + ".bias", p.bias);
    if (o.contains("accum")) format(o["accum"], path + ".accum", p.accum);
    if (o.contains("result")) format(o["result"], path + ".result", p.result);
    if (o.contains("table")) format(o["table"], path + ".table", p.table);
  }

  int integer(const json& o, const std::string& path, int lo, int hi) {
    if (!o.is_number_integer() || o.get<int64_t>() < lo || o.get<int64_t>() > hi) {
      err(path, o, "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      return lo;
    }
    return (int)o.get<int64_t>();
  }

  std::vector<int> ints(const json& o, const std::string& path, size_t n, int lo, int hi) {
    std::vector<int> v;
    if (o.is_number_integer()) return std::vector<int>(n, integer(o, path, lo, hi));
    if (!o.is_array() || o.size() != n) {
      err(path, o, "an integer or a list of " + std::to_string(n));
      return std::vector<int>(n, lo);
    }
    for (size_t k = 0; k < n; ++k) v.push_back(integer(o[k], path + "[" + std::to_string(k) + "]", lo, hi));
    return v;
  }

  // Numbers: nested lists (flattened row-major) or {"file", "dtype", "shape", "offset"}.
  std::vector<double> tensor(const json& o, const std::string& path, const std::vector<int>& shape) {
    size_t n = 1;
    for (int s : shape) n *= (size_t)s;
    std::vector<double> v;
    if (o.is_object()) {
      keys(o, path, {"file", "dtype", "shape", "offset"});
      if (!o.contains("file") || !o["file"].is_string()) {
        err(path + ".file", o.value("file", json()), "a binary file name (relative to the model file)");
        return v;
      }
      std::string dtype = "float32";
      if (o.contains("dtype")) {
        if (o["dtype"] == "float32" || o["dtype"] == "float64")
          dtype = o["dtype"].get<std::string>();
        else
          err(path + ".dtype", o["dtype"], "\"float32\" or \"float64\"");
      }
      if (o.contains("shape")) {
        std::vector<int> sh;
        if (o["shape"].is_array())
          for (auto& x : o["shape"]) sh.push_back(x.is_number_integer() ? x.get<int>() : -1);
        if (sh != shape) {
          std::string want;
          for (int s : shape) want += (want.empty() ? "" : ", ") + std::to_string(s);
          err(path + ".shape", o["shape"], "[" + want + "]");
          return v;
        }
      }
      size_t offset = 0;
      if (o.contains("offset")) {
        if (!o["offset"].is_number_unsigned() || o["offset"].get<uint64_t>() > (1ULL << 40)) {
          err(path + ".offset", o["offset"], "a byte offset (non-negative integer)");
          return v;
        }
        offset = o["offset"].get<size_t>();
      }
      fs::path p = fs::path(file).parent_path() / o["file"].get<std::string>();
      std::ifstream in(p, std::ios::binary);
      if (!in) {
        err(path + ".file", o["file"], "an existing file (resolved to " + p.lexically_normal().string() + ")");
        return v;
      }
      size_t es = dtype == "float64" ? 8 : 4;
      in.seekg(0, std::ios::end);
      size_t size = (size_t)in.tellg();
      if (size < offset + n * es) {
        err(path + ".file", o["file"], std::to_string(offset + n * es) + " bytes from offset " + std::to_string(offset) +
                                           " (file has " + std::to_string(size) + ")");
        return v;
      }
      in.seekg((std::streamoff)offset);
      std::vector<char> buf(n * es);
      if (!in.read(buf.data(), (std::streamsize)buf.size())) {
        err(path + ".file", o["file"], "a readable file");
        return v;
      }
      for (size_t k = 0; k < n; ++k) {  // little-endian (the only byte order of the machines we build on)
        if (es == 4) {
          float f;
          std::memcpy(&f, &buf[k * 4], 4);
          v.push_back(f);
        } else {
          double f;
          std::memcpy(&f, &buf[k * 8], 8);
          v.push_back(f);
        }
      }
    } else {
      flatten(o, path, v);
      if (v.size() != n) {
        std::string want;
        for (int s : shape) want += (want.empty() ? "" : " x ") + std::to_string(s);
        err(path, json(std::to_string(v.size()) + " numbers"), want + " = " + std::to_string(n) + " numbers");
      }
    }
    for (double x : v)
      if (!std::isfinite(x)) {
        err(path, json("non-finite value"), "finite numbers");
        break;
      }
    return v;
  }

  void flatten(const json& o, const std::string& path, std::vector<double>& out) {
    if (o.is_number()) {
      out.push_back(o.get<double>());
    } else if (o.is_array()) {
      for (size_t k = 0; k < o.size(); ++k) flatten(o[k], path, out);
    } else {
      err(path, o, "numbers (nested lists) or {\"file\": ..., \"dtype\": ..., \"shape\": [...]}");
    }
  }
};

void resolve_padding(Reader& R, const json& lj, const std::string& p, Layer& L, const std::vector<int>& spatial) {
  size_t nd = spatial.size();
  L.pad_begin.assign(nd, 0);
  L.pad_end.assign(nd, 0);
  std::string mode = "valid";
  if (lj.contains("padding")) {
    if (lj["padding"].is_string()) {
      mode = lj["padding"].get<std::string>();
      if (mode != "valid" && mode != "same") R.err(p + ".padding", lj["padding"], "\"valid\", \"same\" or explicit [[begin, end], ...]");
    } else if (lj["padding"].is_array() && lj["padding"].size() == nd) {
      mode = "explicit";
      for (size_t k = 0; k < nd; ++k) {
        auto be = R.ints(lj["padding"][k], p + ".padding[" + std::to_string(k) + "]", 2, 0, 64);
        L.pad_begin[k] = be[0];
        L.pad_end[k] = be[1];
      }
    } else {
      R.err(p + ".padding", lj["padding"], "\"valid\", \"same\" or explicit [[begin, end], ...] per spatial dimension");
    }
  }
  for (size_t k = 0; k < nd; ++k) {
    int in = spatial[k], kk = L.kernel[k], s = L.strides[k];
    if (mode == "same") {
      int out = (in + s - 1) / s;
      int total = std::max((out - 1) * s + kk - in, 0);
      L.pad_begin[k] = total / 2;
      L.pad_end[k] = total - total / 2;
    }
    int span = in + L.pad_begin[k] + L.pad_end[k];
    if (span < kk) {
      R.err(p + ".kernel", json(kk), "a window no larger than the padded input (" + std::to_string(span) + ")");
      L.out_shape.push_back(1);
    } else {
      L.out_shape.push_back((span - kk) / s + 1);
    }
  }
}

}  // namespace

Model load_model_json(const std::string& file) { return load_model(load_json_file(file), file); }

Model load_model(const json& j, const std::string& file) {
  Reader R{file, {}};
  Model m;
  m.file = file;
  if (!j.is_object()) throw InputError(file + ": (top level): got " + show(j) + "; expected a model object");
  R.keys(j, "", {"name", "description", "input", "precision", "strategy", "reuse_factor", "layers", "test_vectors"});
  if (j.contains("test_vectors")) {
    if (!j["test_vectors"].is_string())
      R.err("test_vectors", j["test_vectors"], "a test-vector file name (relative to the model file)");
    else
      m.test_vectors = (fs::path(file).parent_path() / j["test_vectors"].get<std::string>()).lexically_normal().string();
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
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string p = "layers[" + std::to_string(i) + "]";
    const json& lj = layers[i];
    if (!lj.is_object() || !lj.contains("type") || !lj["type"].is_string()) {
      R.err(p + ".type", lj.is_object() ? lj.value("type", json()) : lj, "a layer object with a \"type\"");
      continue;
    }
    Layer L;
    L.type = lj["type"].get<std::string>();
    if (!kTypes.count(L.type)) {
      std::string s = closest(L.type, std::vector<std::string>(kTypes.begin(), kTypes.end()));
      R.err(p + ".type", lj["type"], "a layer type (dense, conv1d, conv2d, batchnorm, relu, leaky_relu, sigmoid, tanh, "
                                    "hard_sigmoid, hard_tanh, softmax, maxpool1d, avgpool1d, maxpool2d, avgpool2d, flatten)" +
                                        (s.empty() ? std::string() : "; did you mean '" + s + "'?"));
      continue;
    }
    std::set<std::string> allowed = {"name", "type", "precision", "reuse_factor", "strategy"};
    const std::string& t = L.type;
    if (t == "dense") allowed.insert({"units", "weights", "bias", "activation"});
    if (t == "conv1d" || t == "conv2d") allowed.insert({"filters", "kernel", "strides", "padding", "weights", "bias", "activation"});
    if (t.find("pool") != std::string::npos) allowed.insert({"pool", "strides", "padding"});
    if (t == "batchnorm") allowed.insert({"scale", "bias"});
    if (t == "leaky_relu") allowed.insert({"alpha"});
    if (t == "softmax") allowed.insert({"argmax_only"});
    if (t == "sigmoid" || t == "tanh") allowed.insert({"table_size", "table_range_log2"});
    R.keys(lj, p, allowed);
    L.name = lj.contains("name") && lj["name"].is_string() ? lj["name"].get<std::string>() : t + std::to_string(i);
    if (lj.contains("name") && !lj["name"].is_string()) R.err(p + ".name", lj["name"], "a string");
    if (names.count(L.name)) R.err(p + ".name", json(L.name), "a name not used by another layer");
    names.insert(L.name);
    L.prec = def;
    if (lj.contains("precision")) R.precision(lj["precision"], p + ".precision", L.prec);
    L.strategy = strategy;
    if (lj.contains("strategy")) {
      if (lj["strategy"] != "latency" && lj["strategy"] != "resource")
        R.err(p + ".strategy", lj["strategy"], "\"latency\" or \"resource\"");
      else
        L.strategy = lj["strategy"].get<std::string>();
    }
    L.reuse_factor = lj.contains("reuse_factor") ? R.integer(lj["reuse_factor"], p + ".reuse_factor", 1, 1 << 20) : reuse;
    L.in_shape = shape;
    std::string activation;
    if (t == "dense") {
      if (shape.size() != 1) R.err(p + ".type", lj["type"], "a 1-D input for dense (add a flatten layer first)");
      L.units = lj.contains("units") ? R.integer(lj["units"], p + ".units", 1, 1 << 16) : 0;
      if (!lj.contains("units")) R.err(p + ".units", json(), "the number of outputs");
      L.out_shape = {L.units};
      int n_in = L.in_size();
      if (lj.contains("weights")) L.weights = R.tensor(lj["weights"], p + ".weights", {n_in, L.units});
      else R.err(p + ".weights", json(), "weights [n_in][units]");
      L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {L.units}) : std::vector<double>(L.units, 0.0);
    } else if (t == "conv1d" || t == "conv2d") {
      size_t nd = t == "conv1d" ? 1 : 2;
      if (shape.size() != nd + 1) {
        R.err(p + ".type", lj["type"], "an input of " + std::to_string(nd + 1) + " dimensions (spatial..., channels)");
        continue;
      }
      L.filters = lj.contains("filters") ? R.integer(lj["filters"], p + ".filters", 1, 4096) : 1;
      if (!lj.contains("filters")) R.err(p + ".filters", json(), "the number of filters");
      L.kernel = lj.contains("kernel") ? R.ints(lj["kernel"], p + ".kernel", nd, 1, 64) : std::vector<int>(nd, 1);
      if (!lj.contains("kernel")) R.err(p + ".kernel", json(), "the kernel size");
      L.strides = lj.contains("strides") ? R.ints(lj["strides"], p + ".strides", nd, 1, 64) : std::vector<int>(nd, 1);
      std::vector<int> spatial(shape.begin(), shape.end() - 1);
      resolve_padding(R, lj, p, L, spatial);
      L.out_shape.push_back(L.filters);
      std::vector<int> wshape = L.kernel;
      wshape.push_back(shape.back());
      wshape.push_back(L.filters);
      if (lj.contains("weights")) L.weights = R.tensor(lj["weights"], p + ".weights", wshape);
      else R.err(p + ".weights", json(), "weights [kernel...][channels][filters]");
      L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {L.filters}) : std::vector<double>(L.filters, 0.0);
    } else if (t.find("pool") != std::string::npos) {
      size_t nd = t.back() == '1' || t.find("1d") != std::string::npos ? 1 : 2;
      if (shape.size() != nd + 1) {
        R.err(p + ".type", lj["type"], "an input of " + std::to_string(nd + 1) + " dimensions (spatial..., channels)");
        continue;
      }
      L.kernel = lj.contains("pool") ? R.ints(lj["pool"], p + ".pool", nd, 1, 64) : std::vector<int>(nd, 2);
      L.strides = lj.contains("strides") ? R.ints(lj["strides"], p + ".strides", nd, 1, 64) : L.kernel;
      std::vector<int> spatial(shape.begin(), shape.end() - 1);
      resolve_padding(R, lj, p, L, spatial);
      L.out_shape.push_back(shape.back());
    } else if (t == "batchnorm") {
      L.out_shape = shape;
      int c = shape.back();
      if (lj.contains("scale")) L.weights = R.tensor(lj["scale"], p + ".scale", {c});
      else R.err(p + ".scale", json(), "the folded scale per channel");
      L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {c}) : std::vector<double>(c, 0.0);
    } else if (t == "flatten") {
      L.out_shape = {L.in_size()};
    } else {
      L.out_shape = shape;
      if (t == "leaky_relu" && lj.contains("alpha")) {
        if (!lj["alpha"].is_number() || lj["alpha"].get<double>() < 0 || lj["alpha"].get<double>() >= 1)
          R.err(p + ".alpha", lj["alpha"], "a number in [0, 1)");
        else
          L.alpha = lj["alpha"].get<double>();
      }
      if (t == "softmax" && lj.contains("argmax_only")) {
        if (!lj["argmax_only"].is_boolean()) R.err(p + ".argmax_only", lj["argmax_only"], "true or false");
        else L.argmax_only = lj["argmax_only"].get<bool>();
      }
      if (t == "sigmoid" || t == "tanh") {
        if (lj.contains("table_size")) {
          L.table_size = R.integer(lj["table_size"], p + ".table_size", 2, 1 << 16);
          if (L.table_size & (L.table_size - 1)) R.err(p + ".table_size", lj["table_size"], "a power of two");
        }
        if (lj.contains("table_range_log2")) L.table_range_log2 = R.integer(lj["table_range_log2"], p + ".table_range_log2", -4, 8);
      }
    }
    if (lj.contains("activation")) {
      if (!lj["activation"].is_string() || !kActivations.count(lj["activation"].get<std::string>()))
        R.err(p + ".activation", lj["activation"], "one of relu, leaky_relu, sigmoid, tanh, hard_sigmoid, hard_tanh, softmax, linear");
      else
        activation = lj["activation"].get<std::string>();
    }
    long long mults = L.mults();
    if (mults > 0 && mults % L.reuse_factor != 0)
      R.err(p + ".reuse_factor", json(L.reuse_factor),
            "a divisor of the layer's " + std::to_string(mults) + " multiplications; nearest valid: " +
                nearest_reuse_factors(mults, L.reuse_factor));
    shape = L.out_shape;
    m.layers.push_back(L);
    if (!activation.empty() && activation != "linear") {
      Layer A;
      A.type = activation;
      A.name = L.name + "_" + activation;
      A.in_shape = A.out_shape = shape;
      A.prec = L.prec;
      m.layers.push_back(A);
    }
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

TestVectors load_test_vectors(const std::string& file, int n_in, int n_out) {
  json j = load_json_file(file);
  Diagnostics d;
  TestVectors tv;
  if (!j.is_object() || !j.contains("inputs") || !j["inputs"].is_array()) {
    d.error(file, "inputs", j.is_object() ? show(j.value("inputs", json())) : show(j), "a list of input vectors");
    d.throw_if_any();
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "inputs" && it.key() != "outputs" && it.key() != "labels" && it.key() != "description")
      d.error(file, it.key(), show(it.value()), "no such key (inputs, outputs, labels, description)");
  auto rows = [&](const char* key, int width, std::vector<std::vector<double>>& out) {
    const json& a = j[key];
    for (size_t k = 0; k < a.size(); ++k) {
      std::string p = std::string(key) + "[" + std::to_string(k) + "]";
      if (!a[k].is_array() || (int)a[k].size() != width) {
        d.error(file, p, show(a[k]), "a list of " + std::to_string(width) + " numbers");
        continue;
      }
      std::vector<double> v;
      for (auto& x : a[k]) {
        if (!x.is_number()) {
          d.error(file, p, show(x), "numbers");
          break;
        }
        v.push_back(x.get<double>());
      }
      out.push_back(v);
    }
  };
  rows("inputs", n_in, tv.inputs);
  if (j.contains("outputs")) {
    if (!j["outputs"].is_array() || j["outputs"].size() != j["inputs"].size())
      d.error(file, "outputs", show(j["outputs"]), "one output vector per input");
    else
      rows("outputs", n_out, tv.outputs);
  }
  if (j.contains("labels")) {
    if (!j["labels"].is_array() || j["labels"].size() != j["inputs"].size())
      d.error(file, "labels", show(j["labels"]), "one label per input");
    else
      for (size_t k = 0; k < j["labels"].size(); ++k) {
        const json& l = j["labels"][k];
        if (!l.is_number_integer() || l.get<int>() < 0 || l.get<int>() >= n_out)
          d.error(file, "labels[" + std::to_string(k) + "]", show(l), "a class index in [0, " + std::to_string(n_out - 1) + "]");
        else
          tv.labels.push_back(l.get<int>());
      }
  }
  d.throw_if_any();
  return tv;
}

}  // namespace tf::hlsgen
