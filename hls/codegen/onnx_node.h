// What the ONNX importer hands a layer kind (LayerKind::import_onnx): the node being imported (attributes,
// constant inputs, the tensor shape it receives) without the protobuf types, and the import state that
// crosses nodes (a Flatten whose feature order the next dense layer must undo; a MatMul's bias Add).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/util.h"

namespace tf::hlsgen {

// A constant input (initializer): its dimensions and values.
struct OnnxInit {
  std::vector<int64_t> dims;
  std::vector<double> v;
};

std::string dims_text(const std::vector<int64_t>& d);  // "[1, 2, 3]"

class OnnxNode {
 public:
  virtual ~OnnxNode() = default;
  virtual const std::string& op() const = 0;
  virtual const std::string& name() const = 0;
  // Throws InputError "FILE: node 'NAME' (op OP): WHAT".
  [[noreturn]] virtual void fail(const std::string& what) const = 0;
  // Attributes, with defaults when absent.
  virtual std::vector<int64_t> ints(const std::string& a, std::vector<int64_t> def) const = 0;
  virtual int64_t i(const std::string& a, int64_t def) const = 0;
  virtual double f(const std::string& a, double def) const = 0;
  virtual std::string s(const std::string& a, const std::string& def) const = 0;
  // Attributes outside ALLOWED are errors naming them.
  virtual void only(const std::set<std::string>& allowed) const = 0;
  void unsupported_value(const std::string& a, const std::string& value, const std::string& expected) const {
    fail("attribute '" + a + "' = " + value + " is not supported (expected " + expected + ")");
  }
  // Inputs: their count, whether input IDX is given (not empty), and constant input IDX (WHAT names it in the
  // error when it is missing or not constant).
  virtual int input_count() const = 0;
  virtual bool has_input(int idx) const = 0;
  virtual const OnnxInit& init(int idx, const char* what) const = 0;
  // When the next node is an Add of this node's output and a constant of N values: takes that node into
  // this one (its output becomes this node's) and returns true with the constant in BIAS.
  virtual bool take_bias_add(int n, std::vector<double>& bias) = 0;
  // The shape of the tensor this node receives (channels last, no batch dimension).
  virtual const std::vector<int>& shape() const = 0;
  // Set after a Flatten of a channels-last tensor of that shape: the next dense layer's weight rows come in
  // channels-first order and must be permuted (then it clears it).
  virtual std::vector<int>& pending_flatten() = 0;

  // Conv and pooling: the spatial rank of the input (1 or 2; fails otherwise) after checking dilations.
  size_t spatial_rank();
  // Conv and pooling: KS and the strides, pads and auto_pad attributes into LAYER as TYPE with its window
  // size under KERNEL_KEY, strides and padding (native format).
  void window(size_t nd, const std::vector<int64_t>& ks, const std::string& type, const std::string& kernel_key,
              json& layer);
};

}  // namespace tf::hlsgen
