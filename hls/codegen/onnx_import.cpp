#include "onnx_import.h"

#include "hls4ml_config.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <onnx/onnx_pb.h>

#include "core/diagnostics.h"
#include "layer_kind.h"
#include "onnx_node.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

namespace {

OnnxInit tensor_values(const onnx::TensorProto& t, const std::string& file) {
  OnnxInit r;
  const std::string what = file + ": initializer '" + t.name() + "'";
  // Every dim non-negative and the element count bounded before anything is sized from it (a count that wraps
  // past 2^64, or whose byte size does, would let a short raw_data pass the size check below).
  constexpr size_t kMaxElements = (size_t)1 << 32;
  size_t n = 1;
  for (auto d : t.dims()) {
    if (d < 0) throw InputError(what + ": dims: got " + std::to_string(d) + "; expected a non-negative dimension");
    if (d > 0 && n > kMaxElements / (size_t)d)
      throw InputError(what + ": dims: more than 2^32 elements; expected a tensor tinyforge can hold");
    n *= (size_t)d;
    r.dims.push_back(d);
  }
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (t.has_raw_data()) {
        const std::string& raw = t.raw_data();
        if (raw.size() != n * 4)
          throw InputError(what + ": raw_data: got " + std::to_string(raw.size()) + " bytes; expected " +
                           std::to_string(n * 4) + " (" + std::to_string(n) + " elements of 4 bytes, from dims)");
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
        if (raw.size() != n * 8)
          throw InputError(what + ": raw_data: got " + std::to_string(raw.size()) + " bytes; expected " +
                           std::to_string(n * 8) + " (" + std::to_string(n) + " elements of 8 bytes, from dims)");
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
        if (raw.size() != n * 8)
          throw InputError(what + ": raw_data: got " + std::to_string(raw.size()) + " bytes; expected " +
                           std::to_string(n * 8) + " (" + std::to_string(n) + " elements of 8 bytes, from dims)");
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
  if (r.v.size() != n)
    throw InputError(file + ": initializer '" + t.name() + "': expected " + std::to_string(n) + " values");
  return r;
}

// The node being imported, for the layer kinds (onnx_node.h).
class Node : public OnnxNode {
 public:
  Node(const onnx::GraphProto& g, int& k, std::string& out, const std::map<std::string, OnnxInit>& inits,
       const std::string& file, std::string name, const std::vector<int>& shape, std::vector<int>& pending)
      : g_(g),
        n_(g.node(k)),
        k_(k),
        out_(out),
        inits_(inits),
        file_(file),
        name_(std::move(name)),
        shape_(shape),
        pending_(pending) {}

  const std::string& op() const override { return n_.op_type(); }
  const std::string& name() const override { return name_; }
  [[noreturn]] void fail(const std::string& what) const override {
    throw InputError(file_ + ": node '" + name_ + "' (op " + n_.op_type() + "): " + what);
  }
  std::vector<int64_t> ints(const std::string& a, std::vector<int64_t> def) const override {
    const auto* x = attr(a);
    if (!x) return def;
    return std::vector<int64_t>(x->ints().begin(), x->ints().end());
  }
  int64_t i(const std::string& a, int64_t def) const override {
    const auto* x = attr(a);
    return x ? x->i() : def;
  }
  double f(const std::string& a, double def) const override {
    const auto* x = attr(a);
    return x ? x->f() : def;
  }
  std::string s(const std::string& a, const std::string& def) const override {
    const auto* x = attr(a);
    return x ? x->s() : def;
  }
  void only(const std::set<std::string>& allowed) const override {
    for (const auto& x : n_.attribute())
      if (!allowed.count(x.name())) fail("attribute '" + x.name() + "' is not supported");
  }
  int input_count() const override { return n_.input_size(); }
  bool has_input(int idx) const override { return n_.input_size() > idx && !n_.input(idx).empty(); }
  const OnnxInit& init(int idx, const char* what) const override {
    if (n_.input_size() <= idx || !inits_.count(n_.input(idx)))
      fail(std::string("its ") + what + " must be a constant initializer");
    return inits_.at(n_.input(idx));
  }
  bool take_bias_add(int n, std::vector<double>& bias) override {
    // (an Add without exactly one output is not taken: the chain's own check then names it)
    if (k_ + 1 < g_.node_size() && g_.node(k_ + 1).op_type() == "Add" && g_.node(k_ + 1).input_size() == 2 &&
        g_.node(k_ + 1).output_size() == 1) {
      const auto& a = g_.node(k_ + 1);
      std::string other = a.input(0) == out_ ? a.input(1) : (a.input(1) == out_ ? a.input(0) : "");
      if (!other.empty() && inits_.count(other) && (int)inits_.at(other).v.size() == n) {
        bias = inits_.at(other).v;
        out_ = a.output(0);
        ++k_;
        return true;
      }
    }
    return false;
  }
  const std::vector<int>& shape() const override { return shape_; }
  std::vector<int>& pending_flatten() override { return pending_; }

 private:
  const onnx::AttributeProto* attr(const std::string& a) const {
    for (const auto& x : n_.attribute())
      if (x.name() == a) return &x;
    return nullptr;
  }
  const onnx::GraphProto& g_;
  const onnx::NodeProto& n_;
  int& k_;
  std::string& out_;
  const std::map<std::string, OnnxInit>& inits_;
  const std::string& file_;
  std::string name_;
  const std::vector<int>& shape_;
  std::vector<int>& pending_;
};

}  // namespace

// The precision side file (see onnx_import.h) applied to the imported MODEL and its LAYERS (native format).
static void apply_precision_file(const std::string& precision_file, json& model, json& layers) {
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
    } else if (key == "strategy" || key == "reuse_factor" || key == "accumulation" || key == "softmax") {
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
            static const char* const layer_keys[] = {"reuse_factor", "strategy", "accumulation", "implementation",
                                                     "hls4ml"};
            bool any = false;
            for (const char* k : layer_keys) any = any || (l.value().is_object() && l.value().contains(k));
            if (any) {
              json v = l.value();
              for (const char* k : layer_keys)
                if (v.contains(k)) L[k] = v[k], v.erase(k);
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
      d.error(precision_file, key, show(it.value()),
              "no such key (input, default, layers, strategy, reuse_factor, accumulation, softmax, description)");
    }
  }
  d.throw_if_any();
  model["layers"] = layers;
}

Model import_onnx_protobuf(const std::string& file, const std::string& precision_file,
                           const std::string& hls4ml_config, std::vector<std::string>* notes) {
  onnx::ModelProto mp;
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(file + ": cannot open file");
    if (!mp.ParseFromIstream(&in)) throw InputError(file + ": not a valid ONNX model (protobuf parse failed)");
  }
  const onnx::GraphProto& g = mp.graph();
  std::map<std::string, OnnxInit> inits;
  for (const auto& t : g.initializer()) inits[t.name()] = tensor_values(t, file);

  // The one graph input that is not an initializer.
  const onnx::ValueInfoProto* input = nullptr;
  for (const auto& vi : g.input())
    if (!inits.count(vi.name())) {
      if (input)
        throw InputError(file + ": graph has more than one input ('" + input->name() + "', '" + vi.name() +
                         "'); expected one");
      input = &vi;
    }
  if (!input) throw InputError(file + ": graph has no input");
  std::vector<int64_t> in_dims;
  for (const auto& d : input->type().tensor_type().shape().dim())
    in_dims.push_back(d.has_dim_value() ? d.dim_value() : 1);
  if (in_dims.size() < 2 || in_dims.size() > 4)
    throw InputError(file + ": input '" + input->name() + "' has shape " + dims_text(in_dims) +
                     "; expected [N, features], [N, C, W] or [N, C, H, W]");
  for (size_t k = 1; k < in_dims.size(); ++k)  // the layer library sizes its arrays with int
    if (in_dims[k] < 1 || in_dims[k] > (1 << 24))
      throw InputError(file + ": input '" + input->name() + "' has shape " + dims_text(in_dims) +
                       "; expected every dimension but the batch in [1, 16777216]");
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
    std::string name = n.name().empty() ? (n.output_size() ? n.output(0) : "node" + std::to_string(k)) : n.name();
    std::string out = n.output_size() ? n.output(0) : std::string();
    Node c(g, k, out, inits, file, name, shape, pending_perm_shape);
    if (n.input_size() == 0 || n.input(0) != cur)
      c.fail("the graph must be a chain: this node's first input is '" + (n.input_size() ? n.input(0) : std::string()) +
             "', the previous output is '" + cur + "'");
    if (n.output_size() < 1) c.fail("no output");
    const std::string& op = n.op_type();
    json L;
    L["name"] = name;
    if (op == "Identity" || op == "Dropout") {  // no computation: removed
      cur = out;
      continue;
    }
    const LayerKind* kind = onnx_layer_kind(op);
    if (!kind) c.fail("unsupported operator; supported: " + onnx_op_list() + ", Identity, Dropout");
    kind->import_onnx(c, L);
    // The next shape, from the native loader's inference on this layer alone at the current shape (loading the
    // whole model so far at every node made a long chain quadratic); its messages name the ONNX node.
    json step = model;
    step["input"]["shape"] = shape;
    step["layers"] = json::array({L});
    try {
      shape = load_model(step, file).layers.back().out_shape;
    } catch (const InputError& e) {
      std::vector<std::string> msgs;
      const std::string here = "node '" + name + "' (op " + op + ")";
      for (std::string m : e.messages()) {
        for (size_t p = m.find("layers[0]"); p != std::string::npos; p = m.find("layers[0]", p + here.size()))
          m.replace(p, 9, here);
        msgs.push_back(m);
      }
      throw InputError(msgs);
    }
    layers.push_back(std::move(L));
    cur = out;
  }
  model["layers"] = layers;
  if (!pending_perm_shape.empty())
    throw InputError(file +
                     ": the model ends with a Flatten of a channels-first tensor; its output order would differ "
                     "from ONNX's (add the dense layer that follows it, or end before the Flatten)");

  if (!precision_file.empty()) apply_precision_file(precision_file, model, layers);
  std::vector<std::string> own_notes;
  if (!hls4ml_config.empty()) apply_hls4ml_config(hls4ml_config, model, notes ? *notes : own_notes);
  std::string shown_file = file;
  if (!precision_file.empty()) shown_file += " (with " + precision_file + ")";
  if (!hls4ml_config.empty()) shown_file += " (with " + hls4ml_config + ")";
  Model m = load_model(model, shown_file);
  m.file = file;
  return m;
}

}  // namespace tf::hlsgen

// The module's entry point (tinyforge-onnx.so; onnx_import.h's import_onnx calls it). C linkage: looked up
// by name with dlsym.
extern "C" void tinyforge_onnx_import(const std::string& file, const std::string& precision_file,
                                      const std::string& hls4ml_config, std::vector<std::string>* notes,
                                      tf::hlsgen::Model& out) {
  out = tf::hlsgen::import_onnx_protobuf(file, precision_file, hls4ml_config, notes);
}
