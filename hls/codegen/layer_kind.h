// The layer-kind interface: everything that depends on a layer's type lives in one LayerKind per type,
// registered by name from its file in layers/ (TF_REGISTER_LAYER). The JSON reader, the ONNX importer, the
// float and bit-accurate evaluators and the HLS and Verilog emitters are loops over the model's layers that
// call the layer's kind. docs/architecture.md ("HLS layers") says how to add one.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/util.h"
#include "model.h"

namespace tf::hlsgen {

class JsonReader;  // model_reader.h
class OnnxNode;    // onnx_node.h
class Emulator;    // emulate.h
struct Tensor;
struct LayerStats;

// A stateful layer's state in the emulator (lmu): V the values carried from one input to the next (zeroed by
// Emulator::reset), K, K64 and K32 constants the kind prepares on its first call (quantized coefficients,
// tables; narrower copies for faster paths).
struct LayerState {
  std::vector<i128> v, k;
  std::vector<int64_t> k64;
  std::vector<int32_t> k32;
  bool ready = false;
};

// An ONNX operator a kind imports. ORDER places it in the importer's list of supported operators; SHOWN is
// its text there (empty: not listed, e.g. an operator that is only an error message).
struct OnnxOp {
  std::string op;
  int order;
  std::string shown;
};

// What the emulator hands a kind: the layer, its input tensor, its quantized weights and biases, and the
// layer's overflow counters.
struct EmuLayer {
  const Layer& L;
  const Tensor& in;
  const std::vector<i128>& w;
  const std::vector<i128>& b;
  LayerStats& stats;
  const std::vector<int64_t>& w64;  // W as 64-bit integers, or empty (Mac64)
  LayerState& state;                // stateful kinds only
};

// What the HLS project emitter hands a kind: the layer's identifiers and the two texts it appends to, the
// config struct in parameters.h (CONFIG) and the statement in the top function (CALL).
struct HlsLayer {
  const Layer& L;
  const std::string& id;      // the layer's C++ identifier (sanitized name)
  const std::string& res_t;   // its result type
  const std::string& cfg;     // its config struct's name
  const std::string& prev_t;  // the input's type and array
  const std::string& prev_v;
  std::ostringstream& config;
  std::ostringstream& call;
  // Writes firmware/weights/<id>_<suffix>.h: VALUES as quantized in F, declared as TYPE.
  std::function<void(const std::string& suffix, const std::vector<double>& values, const FixedFormat& f,
                     const std::string& type)>
      weights;
  const FixedFormat* in_fmt = nullptr;  // the input's format
};

// What the Verilog emitter hands a kind: the layer, its module's name and input, and the module body V (after
// the ports x and y). The kind reports back its register stages, whether it takes the valid bit (a
// time-multiplexed layer), and its multipliers.
struct RtlLayer {
  const Layer& L;
  size_t index;            // position in the model
  const std::string& mod;  // module name
  const FixedFormat& cur;  // input format
  int n_cur;               // input elements
  int pipeline_k;          // --pipeline K (0: none)
  const Emulator& em;      // quantized weights and biases
  std::ostringstream& v;
  // Writes the table file NAME for tf_rom (2^IDX_BITS WIDTH-bit entries) and adds tf_rom to the design.
  std::function<void(const std::string& name, int idx_bits, int width, const std::vector<i128>& entries)> table;
  // Reported by the kind.
  int stages = 0;            // register stages inside the layer
  bool takes_valid = false;  // the module has rst, vin and vout (its own valid bit, reuse_factor cycles later)
  long multipliers = 0;      // multiplications in the datapath as emitted
  long bound = 0;            // the fewest multipliers that can do the layer's work at its II
};

class LayerKind {
 public:
  virtual ~LayerKind() = default;
  const std::string& name() const { return name_; }

  // --- native JSON format (model.cpp) ---
  // Keys the layer object may have besides name, type, precision, reuse_factor and strategy.
  virtual std::set<std::string> json_keys() const { return {}; }
  // Reads the kind's fields of LJ (at JSON path P) into L, whose in_shape is set, and sets L.out_shape.
  // Problems go to R. Returns false when the layer cannot be shaped (it is then left out of the model).
  virtual bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const = 0;
  // Whether a dense or conv layer may name this kind in its "activation" field.
  virtual bool is_activation() const { return false; }
  // Whether the kind reads its own "activation" field (applied inside the layer, e.g. lmu's hidden state)
  // instead of having the reader append an activation layer.
  virtual bool own_activation() const { return false; }
  // Multiplications per inference (per output position for conv), for reuse-factor checks and reports.
  virtual long long mults(const Layer&) const { return 0; }

  // --- ONNX (onnx_import.cpp) ---
  virtual std::vector<OnnxOp> onnx_ops() const { return {}; }
  // Fills LAYER (a layer object of the native format; "name" is set) from node N, whose op is one of
  // onnx_ops(); fails through N.
  virtual void import_onnx(OnnxNode& n, json& layer) const;

  // --- evaluation ---
  // Double-precision reference (float_eval.cpp).
  virtual void eval_float(const Layer& L, const std::vector<double>& in, std::vector<double>& out) const = 0;
  // One input of a sequence for a stateful kind (Layer::stateful): STATE is empty at the sequence's start.
  virtual void eval_float_step(const Layer& L, const std::vector<double>& in, std::vector<double>& out,
                               std::vector<double>& /*state*/) const {
    eval_float(L, in, out);
  }
  // Bit-accurate evaluation (emulate.cpp): appends the output codes to OUT (whose format is the layer's result).
  virtual void emulate(const EmuLayer& e, Tensor& out) const = 0;

  // --- emitters ---
  // HLS C++ (emit_hls.cpp): the header of hls/include/tinyforge/hls/ with the kind's template (included by
  // every generated parameters.h), the config struct and the call of the template.
  virtual std::string hls_header() const = 0;
  // Whether every project includes and copies the header (the original library), or only a project whose
  // model has a layer of this kind (kinds added later: projects of other models stay as they were).
  virtual bool hls_header_always() const { return true; }
  virtual void emit_hls(HlsLayer& h) const = 0;
  // Verilog (emit_rtl.cpp): whether the emitter has a module for this kind, and its body.
  virtual bool has_rtl() const { return true; }
  virtual void emit_rtl(RtlLayer& r) const = 0;
  // Whether the layer, after another, is folded into that layer's last stage (no register of its own).
  virtual bool rtl_fuses_into_previous() const { return false; }

 private:
  friend bool register_layer_kind(const std::string&, int, std::unique_ptr<LayerKind>);
  std::string name_;
};

// Registers KIND under NAME; ORDER places it in listings (error messages, help). Returns true; a second
// kind of the same name is a programming error (std::logic_error at start-up).
bool register_layer_kind(const std::string& name, int order, std::unique_ptr<LayerKind> kind);
// The kind of NAME, or nullptr.
const LayerKind* find_layer_kind(const std::string& name);
// The kind of L.type; std::logic_error for a type no kind registered (the readers only make known types).
const LayerKind& kind_of(const Layer& L);
// Every kind, in listing order.
std::vector<const LayerKind*> layer_kinds();
// "dense, conv1d, ...": the registered names in listing order.
std::string layer_kind_list();
// The registered name closest to NAME ("" when none is close).
std::string closest_layer_kind(const std::string& name);
// The kind importing ONNX operator OP (the first in listing order that claims it), or nullptr.
const LayerKind* onnx_layer_kind(const std::string& op);
// The ONNX operators the kinds import, as listed in messages ("Gemm, MatMul (+ Add), ...").
std::string onnx_op_list();

#define TF_LAYER_CONCAT2(a, b) a##b
#define TF_LAYER_CONCAT(a, b) TF_LAYER_CONCAT2(a, b)
// In a layer file: TF_REGISTER_LAYER("dense", 10, DenseKind), or with constructor arguments
// TF_REGISTER_LAYER("conv2d", 12, ConvKind(2)).
#define TF_REGISTER_LAYER(NAME, ORDER, KIND)                                                              \
  namespace {                                                                                             \
  const bool TF_LAYER_CONCAT(tf_layer_registered_, __LINE__) =                                            \
      ::tf::hlsgen::register_layer_kind(NAME, ORDER, std::unique_ptr<::tf::hlsgen::LayerKind>(new KIND)); \
  }

}  // namespace tf::hlsgen
