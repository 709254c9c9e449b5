#include "onnx_import.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <onnx/onnx_pb.h>

#include "core/diagnostics.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

namespace {

struct Init {
  std::vector<int64_t> dims;
  std::vector<double> v;
};

std::string dims_text(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t k = 0; k < d.size(); ++k) s += (k ? ", " : "") + std::to_string(d[k]);
  return s + "]";
}

Init tensor_values(const onnx::TensorProto& t, const std::string& file) {
  Init r;
  for (auto d : t.dims()) r.dims.push_back(d);
  size_t n = 1;
  for (auto d : r.dims) n *= (size_t)d;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (t.has_raw_data()) {
        const std::string& raw = t.raw_data();
        if (raw.size() != n * 4) throw InputError(file + ": initializer '" + t.name() + "': raw data size mismatch");
        for (size_t k = 0; k < n; ++k) {
          float f;
          std::memcpy(&f, raw.data() + 4 * k, 4);
          r.v.push_back(f);
        }
      } else {
        for (float f : t.float_data()) r.v.push_back(f);
      }
      break;
    case onnx::TensorProto::DOUBLE:
      if (t.has_raw_data()) {
        const std::string& raw = t.raw_data();
        if (raw.size() != n * 8) throw InputError(file + ": initializer '" + t.name() + "': raw data size mismatch");
        for (size_t k = 0; k < n; ++k) {
          double f;
          std::memcpy(&f, raw.data() + 8 * k, 8);
          r.v.push_back(f);
        }
      } else {
        for (double f : t.double_data()) r.v.push_back(f);
      }
      break;
    case onnx::TensorProto::INT64:
      if (t.has_raw_data()) {
        const std::string& raw = t.raw_data();
        for (size_t k = 0; k + 8 <= raw.size(); k += 8) {
          int64_t x;
          std::memcpy(&x, raw.data() + k, 8);
          r.v.push_back((double)x);
        }
      } else {
        for (auto x : t.int64_data()) r.v.push_back((double)x);
      }
      break;
    default:
      throw InputError(file + ": initializer '" + t.name() + "': data type " + std::to_string(t.data_type()) +
                       " is not supported (float32, float64 or int64)");
  }
  if (r.v.size() != n) throw InputError(file + ": initializer '" + t.name() + "': expected " + std::to_string(n) + " values");
  return r;
}

struct NodeCtx {
  const onnx::NodeProto& n;
  std::string file, name;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file + ": node '" + name + "' (op " + n.op_type() + "): " + what);
  }
  const onnx::AttributeProto* attr(const std::string& a) const {
    for (const auto& x : n.attribute())
      if (x.name() == a) return &x;
    return nullptr;
  }
  std::vector<int64_t> ints(const std::string& a, std::vector<int64_t> def) const {
    const auto* x = attr(a);
    if (!x) return def;
    return std::vector<int64_t>(x->ints().begin(), x->ints().end());
  }
  int64_t i(const std::string& a, int64_t def) const {
    const auto* x = attr(a);
    return x ? x->i() : def;
  }
  double f(const std::string& a, double def) const {
    const auto* x = attr(a);
    return x ? x->f() : def;
  }
  std::string s(const std::string& a, const std::string& def) const {
    const auto* x = attr(a);
    return x ? x->s() : def;
  }
  // Attributes outside ALLOWED are errors naming them.
  void only(const std::set<std::string>& allowed) const {
    for (const auto& x : n.attribute())
      if (!allowed.count(x.name())) fail("attribute '" + x.name() + "' is not supported");
  }
  void unsupported_value(const std::string& a, const std::string& value, const std::string& expected) const {
    fail("attribute '" + a + "' = " + value + " is not supported (expected " + expected + ")");
  }
};

json list(const std::vector<double>& v) { return json(v); }

}  // namespace

Model import_onnx(const std::string& file, const std::string& precision_file) {
  onnx::ModelProto mp;
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(file + ": cannot open file");
    if (!mp.ParseFromIstream(&in)) throw InputError(file + ": not a valid ONNX model (protobuf parse failed)");
  }
  const onnx::GraphProto& g = mp.graph();
  std::map<std::string, Init> inits;
  for (const auto& t : g.initializer()) inits[t.name()] = tensor_values(t, file);

  // The one graph input that is not an initializer.
  const onnx::ValueInfoProto* input = nullptr;
  for (const auto& vi : g.input())
    if (!inits.count(vi.name())) {
      if (input) throw InputError(file + ": graph has more than one input ('" + input->name() + "', '" + vi.name() + "'); expected one");
      input = &vi;
    }
  if (!input) throw InputError(file + ": graph has no input");
  std::vector<int64_t> in_dims;
  for (const auto& d : input->type().tensor_type().shape().dim()) in_dims.push_back(d.has_dim_value() ? d.dim_value() : 1);
  if (in_dims.size() < 2 || in_dims.size() > 4)
    throw InputError(file + ": input '" + input->name() + "' has shape " + dims_text(in_dims) +
                     "; expected [N, features], [N, C, W] or [N, C, H, W]");
  // Channels first -> channels last; drop the batch dimension.
  std::vector<int> shape;
  if (in_dims.size() == 2) shape = {(int)in_dims[1]};
  if (in_dims.size() == 3) shape = {(int)in_dims[2], (int)in_dims[1]};
  if (in_dims.size() == 4) shape = {(int)in_dims[2], (int)in_dims[3], (int)in_dims[1]};

  json model;
  model["name"] = g.name().empty() ? fs::path(file).stem().string() : g.name();
  model["input"] = {{"shape", shape}};
  json layers = json::array();
  std::string cur = input->name();
  // After a Flatten of a channels-last tensor of shape CL_SHAPE, the next dense layer's weight rows come in
  // channels-first order and must be permuted.
  std::vector<int> pending_perm_shape;
  const auto& nodes = g.node();
  for (int k = 0; k < nodes.size(); ++k) {
    const onnx::NodeProto& n = nodes[k];
    NodeCtx c{n, file, n.name().empty() ? (n.output_size() ? n.output(0) : "node" + std::to_string(k)) : n.name()};
    if (n.input_size() == 0 || n.input(0) != cur)
      c.fail("the graph must be a chain: this node's first input is '" + (n.input_size() ? n.input(0) : std::string()) +
             "', the previous output is '" + cur + "'");
    if (n.output_size() < 1) c.fail("no output");
    std::string out = n.output(0);
    const std::string& op = n.op_type();
    auto init = [&](int idx, const char* what) -> const Init& {
      if (n.input_size() <= idx || !inits.count(n.input(idx))) c.fail(std::string("its ") + what + " must be a constant initializer");
      return inits.at(n.input(idx));
    };
    json L;
    L["name"] = c.name;
    if (op == "Identity" || op == "Dropout") {
      cur = out;
      continue;
    } else if (op == "Gemm" || op == "MatMul") {
      if (op == "Gemm") {
        c.only({"alpha", "beta", "transA", "transB"});
        if (c.f("alpha", 1.0) != 1.0) c.unsupported_value("alpha", std::to_string(c.f("alpha", 1.0)), "1");
        if (c.f("beta", 1.0) != 1.0) c.unsupported_value("beta", std::to_string(c.f("beta", 1.0)), "1");
        if (c.i("transA", 0) != 0) c.unsupported_value("transA", "1", "0");
      } else {
        c.only({});
      }
      const Init& B = init(1, "weight matrix B");
      if (B.dims.size() != 2) c.fail("weight matrix has shape " + dims_text(B.dims) + "; expected 2 dimensions");
      bool transB = op == "Gemm" && c.i("transB", 0) == 1;
      int K = (int)(transB ? B.dims[1] : B.dims[0]), N = (int)(transB ? B.dims[0] : B.dims[1]);
      std::vector<double> w((size_t)K * N);
      for (int i = 0; i < K; ++i)
        for (int j = 0; j < N; ++j) w[(size_t)i * N + j] = transB ? B.v[(size_t)j * K + i] : B.v[(size_t)i * N + j];
      if (!pending_perm_shape.empty()) {
        // Row r of the channels-last flatten is (h, w, c) [or (w, c)]; ONNX's row is (c, h, w) [or (c, w)].
        std::vector<double> p(w.size());
        const auto& s = pending_perm_shape;
        int C = s.back(), HW = K / C;
        for (int r = 0; r < K; ++r) {
          int cch = r % C, pos = r / C;
          int onnx_row = cch * HW + pos;
          for (int j = 0; j < N; ++j) p[(size_t)r * N + j] = w[(size_t)onnx_row * N + j];
        }
        w.swap(p);
        pending_perm_shape.clear();
      }
      std::vector<double> bias(N, 0.0);
      if (op == "Gemm" && n.input_size() > 2 && !n.input(2).empty()) {
        const Init& C = init(2, "bias C");
        if ((int)C.v.size() != N) c.fail("bias has shape " + dims_text(C.dims) + "; expected " + std::to_string(N) + " values");
        bias = C.v;
      }
      if (op == "MatMul" && k + 1 < nodes.size() && nodes[k + 1].op_type() == "Add" && nodes[k + 1].input_size() == 2) {
        const auto& a = nodes[k + 1];
        std::string other = a.input(0) == out ? a.input(1) : (a.input(1) == out ? a.input(0) : "");
        if (!other.empty() && inits.count(other) && (int)inits.at(other).v.size() == N) {
          bias = inits.at(other).v;
          out = a.output(0);
          ++k;
        }
      }
      L["type"] = "dense";
      L["units"] = N;
      json rows = json::array();
      for (int i = 0; i < K; ++i) rows.push_back(std::vector<double>(w.begin() + (size_t)i * N, w.begin() + (size_t)(i + 1) * N));
      L["weights"] = rows;
      L["bias"] = list(bias);
    } else if (op == "Add") {
      c.fail("a standalone Add is not supported (only MatMul followed by Add of a bias)");
    } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh") {
      c.only({});
      L["type"] = op == "Relu" ? "relu" : op == "Sigmoid" ? "sigmoid" : "tanh";
    } else if (op == "LeakyRelu") {
      c.only({"alpha"});
      L["type"] = "leaky_relu";
      L["alpha"] = c.f("alpha", 0.01);
    } else if (op == "Softmax") {
      c.only({"axis"});
      int64_t axis = c.i("axis", -1);
      if (axis != -1 && axis != 1) c.unsupported_value("axis", std::to_string(axis), "-1 or 1 (the feature axis)");
      if (shape.size() != 1) c.fail("Softmax is supported on a flat (1-D) tensor only; add a Flatten first");
      L["type"] = "softmax";
    } else if (op == "Conv" || op == "MaxPool" || op == "AveragePool") {
      bool conv = op == "Conv";
      if (conv)
        c.only({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
      else
        c.only({"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "count_include_pad", "storage_order"});
      size_t nd = shape.size() - 1;
      if (nd < 1 || nd > 2) c.fail("expects a 1-D or 2-D spatial input");
      for (auto d : c.ints("dilations", std::vector<int64_t>(nd, 1)))
        if (d != 1) c.unsupported_value("dilations", dims_text(c.ints("dilations", {})), "all 1");
      if (conv && c.i("group", 1) != 1) c.unsupported_value("group", std::to_string(c.i("group", 1)), "1");
      if (!conv && c.i("ceil_mode", 0) != 0) c.unsupported_value("ceil_mode", "1", "0");
      if (!conv && c.i("storage_order", 0) != 0) c.unsupported_value("storage_order", "1", "0");
      if (op == "AveragePool" && c.i("count_include_pad", 0) != 0)
        c.unsupported_value("count_include_pad", "1", "0 (padding excluded from the average)");
      std::string auto_pad = c.s("auto_pad", "NOTSET");
      std::vector<int64_t> ks = c.ints("kernel_shape", {});
      Init W;
      if (conv) {
        W = init(1, "weight tensor W");
        if (W.dims.size() != nd + 2) c.fail("weights have shape " + dims_text(W.dims) + "; expected [F, C, k...]");
        if (ks.empty()) ks.assign(W.dims.begin() + 2, W.dims.end());
      }
      if (ks.size() != nd) c.fail("kernel_shape must have " + std::to_string(nd) + " entries");
      std::vector<int64_t> st = c.ints("strides", std::vector<int64_t>(nd, 1));
      std::vector<int64_t> pads = c.ints("pads", std::vector<int64_t>(2 * nd, 0));
      if (st.size() != nd) c.unsupported_value("strides", dims_text(st), std::to_string(nd) + " entries");
      if (pads.size() != 2 * nd) c.unsupported_value("pads", dims_text(pads), std::to_string(2 * nd) + " entries (begins, then ends)");
      L["type"] = conv ? (nd == 1 ? "conv1d" : "conv2d") : std::string(op == "MaxPool" ? "maxpool" : "avgpool") + (nd == 1 ? "1d" : "2d");
      L[conv ? "kernel" : "pool"] = ks;
      L["strides"] = st;
      if (auto_pad == "SAME_UPPER")
        L["padding"] = "same";
      else if (auto_pad == "VALID")
        L["padding"] = "valid";
      else if (auto_pad == "NOTSET") {
        json p = json::array();
        for (size_t d = 0; d < nd; ++d) p.push_back({pads[d], pads[d + nd]});
        L["padding"] = p;
      } else {
        c.unsupported_value("auto_pad", auto_pad, "NOTSET, SAME_UPPER or VALID");
      }
      if (conv) {
        int F = (int)W.dims[0], C = (int)W.dims[1];
        int KH = nd == 2 ? (int)W.dims[2] : 1, KW = (int)W.dims[nd + 1];
        std::vector<double> w((size_t)F * C * KH * KW);
        for (int f = 0; f < F; ++f)
          for (int ch = 0; ch < C; ++ch)
            for (int kh = 0; kh < KH; ++kh)
              for (int kw = 0; kw < KW; ++kw)
                w[(((size_t)kh * KW + kw) * C + ch) * F + f] = W.v[(((size_t)f * C + ch) * KH + kh) * KW + kw];
        L["filters"] = F;
        L["weights"] = list(w);
        if (n.input_size() > 2 && !n.input(2).empty()) L["bias"] = list(init(2, "bias B").v);
      }
    } else if (op == "BatchNormalization") {
      c.only({"epsilon", "momentum", "training_mode"});
      if (c.i("training_mode", 0) != 0) c.unsupported_value("training_mode", "1", "0");
      const Init &sc = init(1, "scale"), &b = init(2, "B"), &mean = init(3, "mean"), &var = init(4, "var");
      size_t ch = (size_t)shape.back();
      for (const Init* t : {&sc, &b, &mean, &var})
        if (t->v.size() != ch) c.fail("scale, B, mean and var must each have " + std::to_string(ch) + " values (one per channel)");
      if (!pending_perm_shape.empty())
        c.fail("a BatchNormalization after a Flatten of a channels-first tensor is not supported (its feature order differs)");
      double eps = c.f("epsilon", 1e-5);
      std::vector<double> s(sc.v.size()), bb(sc.v.size());
      for (size_t ch = 0; ch < sc.v.size(); ++ch) {
        s[ch] = sc.v[ch] / std::sqrt(var.v[ch] + eps);
        bb[ch] = b.v[ch] - mean.v[ch] * s[ch];
      }
      L["type"] = "batchnorm";
      L["scale"] = list(s);
      L["bias"] = list(bb);
    } else if (op == "Flatten" || op == "Reshape") {
      if (op == "Flatten") {
        c.only({"axis"});
        if (c.i("axis", 1) != 1) c.unsupported_value("axis", std::to_string(c.i("axis", 1)), "1");
      } else {
        c.only({"allowzero"});
        const Init& sh = init(1, "shape");
        long total = 1;
        for (int d : shape) total *= d;
        bool flat = sh.v.size() == 2 && (sh.v[0] == 1 || sh.v[0] == -1 || sh.v[0] == 0) && (sh.v[1] == -1 || sh.v[1] == total);
        if (!flat) c.fail("only a reshape to [N, -1] (flatten) is supported; got shape " + dims_text(std::vector<int64_t>(sh.v.begin(), sh.v.end())));
      }
      L["type"] = "flatten";
    } else {
      c.fail("unsupported operator; supported: Gemm, MatMul (+ Add), Relu, LeakyRelu, Sigmoid, Tanh, Softmax, Conv, "
             "BatchNormalization, MaxPool, AveragePool, Flatten, Reshape, Identity, Dropout");
    }
    // Track the shape for layout decisions (channels-last flatten permutation).
    if (L["type"] == "flatten" && shape.size() > 1) pending_perm_shape = shape;
    layers.push_back(L);
    // Compute the next shape through the native loader's inference on the model so far.
    model["layers"] = layers;
    Model partial = load_model(model, file);
    shape = partial.layers.back().out_shape;
    cur = out;
  }
  model["layers"] = layers;
  if (!pending_perm_shape.empty())
    throw InputError(file + ": the model ends with a Flatten of a channels-first tensor; its output order would differ "
                            "from ONNX's (add the dense layer that follows it, or end before the Flatten)");

  // Precision side file.
  if (!precision_file.empty()) {
    json p = load_json_file(precision_file);
    Diagnostics d;
    if (!p.is_object()) throw InputError(precision_file + ": (top level): got " + show(p) + "; expected an object");
    std::set<std::string> names;
    for (auto& L : layers) names.insert(L["name"].get<std::string>());
    for (auto it = p.begin(); it != p.end(); ++it) {
      const std::string& key = it.key();
      if (key == "description") continue;
      if (key == "input") {
        model["input"]["precision"] = it.value();
      } else if (key == "default") {
        model["precision"] = it.value();
      } else if (key == "strategy" || key == "reuse_factor") {
        model[key] = it.value();
      } else if (key == "layers") {
        if (!it.value().is_object()) {
          d.error(precision_file, "layers", show(it.value()), "an object keyed by node name");
          continue;
        }
        for (auto l = it.value().begin(); l != it.value().end(); ++l) {
          bool found = false;
          for (auto& L : layers)
            if (L["name"] == l.key()) {
              found = true;
              if (l.value().is_object() && (l.value().contains("reuse_factor") || l.value().contains("strategy"))) {
                json v = l.value();
                if (v.contains("reuse_factor")) L["reuse_factor"] = v["reuse_factor"], v.erase("reuse_factor");
                if (v.contains("strategy")) L["strategy"] = v["strategy"], v.erase("strategy");
                L["precision"] = v;
              } else {
                L["precision"] = l.value();
              }
            }
          if (!found) {
            std::string s = closest(l.key(), std::vector<std::string>(names.begin(), names.end()));
            d.error(precision_file, "layers." + l.key(), show(l.value()),
                    "a node name of the model" + (s.empty() ? std::string() : "; did you mean '" + s + "'?"));
          }
        }
      } else {
        d.error(precision_file, key, show(it.value()), "no such key (input, default, layers, strategy, reuse_factor, description)");
      }
    }
    d.throw_if_any();
    model["layers"] = layers;
  }
  Model m = load_model(model, precision_file.empty() ? file : file + " (with " + precision_file + ")");
  m.file = file;
  return m;
}

}  // namespace tf::hlsgen
