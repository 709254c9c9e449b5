#include "layer_kind.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "onnx_node.h"

namespace tf::hlsgen {

namespace {

struct Entry {
  int order;
  std::unique_ptr<LayerKind> kind;
};

// Built on first use, so registrations from any translation unit's static initializers find it.
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> r;
  return r;
}

}  // namespace

void LayerKind::import_onnx(OnnxNode& n, json&) const { n.fail("no ONNX import for layer type '" + name() + "'"); }

bool register_layer_kind(const std::string& name, int order, std::unique_ptr<LayerKind> kind) {
  auto& r = registry();
  if (r.count(name)) throw std::logic_error("layer kind '" + name + "' registered twice");
  kind->name_ = name;
  r.emplace(name, Entry{order, std::move(kind)});
  return true;
}

const LayerKind* find_layer_kind(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.kind.get();
}

const LayerKind& kind_of(const Layer& L) {
  const LayerKind* k = find_layer_kind(L.type);
  if (!k) throw std::logic_error("layer '" + L.name + "': no layer kind '" + L.type + "' is registered");
  return *k;
}

std::vector<const LayerKind*> layer_kinds() {
  std::vector<std::pair<int, const LayerKind*>> v;
  for (const auto& e : registry()) v.push_back({e.second.order, e.second.kind.get()});
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const LayerKind*> kinds;
  for (const auto& e : v) kinds.push_back(e.second);
  return kinds;
}

std::string layer_kind_list() {
  std::string s;
  for (const LayerKind* k : layer_kinds()) s += (s.empty() ? "" : ", ") + k->name();
  return s;
}

std::string closest_layer_kind(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& e : registry()) names.push_back(e.first);  // in name order
  return closest(name, names);
}

const LayerKind* onnx_layer_kind(const std::string& op) {
  for (const LayerKind* k : layer_kinds())
    for (const OnnxOp& o : k->onnx_ops())
      if (o.op == op) return k;
  return nullptr;
}

std::string onnx_op_list() {
  std::vector<OnnxOp> ops;
  for (const LayerKind* k : layer_kinds())
    for (const OnnxOp& o : k->onnx_ops())
      if (!o.shown.empty() && std::none_of(ops.begin(), ops.end(), [&](const OnnxOp& x) { return x.op == o.op; }))
        ops.push_back(o);
  std::stable_sort(ops.begin(), ops.end(), [](const OnnxOp& a, const OnnxOp& b) { return a.order < b.order; });
  std::string s;
  for (const OnnxOp& o : ops) s += (s.empty() ? "" : ", ") + o.shown;
  return s;
}

}  // namespace tf::hlsgen
