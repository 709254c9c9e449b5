// Element-wise activations (template activation.h): relu, leaky_relu, sigmoid, tanh, hard_sigmoid,
// hard_tanh. One family because each maps one input element to one output element with no weights: they share
// the shape rule (output = input), the HLS config struct (one struct with every activation's constants), the
// "activation" field of dense/conv layers, and in Verilog the widened input wires.
#include <cmath>

#include "emit_hls.h"
#include "emulate_ops.h"
#include "layer_kind.h"
#include "model_reader.h"
#include "onnx_node.h"
#include "rtl_text.h"
#include "tinyforge/hls/activation.h"

namespace tf::hlsgen {

namespace hl = tinyforge::hls;

namespace {

class ActivationKind : public LayerKind {
 public:
  bool parse(JsonReader&, const json&, const std::string&, Layer& L) const override {
    L.out_shape = L.in_shape;
    return true;
  }
  bool is_activation() const override { return true; }
  std::string hls_header() const override { return "activation.h"; }

  // Every activation reads the same config struct (only its own constants matter).
  void emit_hls(HlsLayer& h) const override {
    const Layer& L = h.L;
    h.config << "struct " << h.cfg << " {\n  static const unsigned n_in = " << L.in_size() << ";\n"
             << "  static const unsigned table_size = " << L.table_size << ";\n"
             << "  static const int table_range_log2 = " << L.table_range_log2 << ";\n"
             << "  typedef " << L.prec.table.cpp() << " table_t;\n"
             << "  typedef " << alpha_format().cpp() << " alpha_t;\n  static alpha_t alpha() { return alpha_t("
             << num(L.alpha) << "); }\n"
             << "  typedef " << slope_format().cpp() << " slope_t;\n  static slope_t slope() { return slope_t(0.2); }\n"
             << "  static slope_t shift() { return slope_t(0.5); }\n};\n";
    h.call << "  tinyforge::hls::" << L.type << "<" << h.prev_t << ", " << h.res_t << ", " << h.cfg << ">(" << h.prev_v
           << ", " << h.id << "_out);\n";
  }

 protected:
  // The ONNX op without attributes that maps to this kind.
  void import_plain(OnnxNode& c, json& L) const {
    c.only({});
    L["type"] = name();
  }
  // Verilog: the inputs widened to KW bits (x0, x1, ...), for the kinds that compare or multiply them.
  static constexpr int wide_extra = 48;
};

class ReluKind : public ActivationKind {
 public:
  std::vector<OnnxOp> onnx_ops() const override { return {{"Relu", 12, "Relu"}}; }
  void import_onnx(OnnxNode& c, json& L) const override { import_plain(c, L); }
  void eval_float(const Layer&, const std::vector<double>& cur, std::vector<double>& out) const override {
    for (double x : cur) out.push_back(x > 0 ? x : 0);
  }
  void emulate(const EmuLayer& e, Tensor& out) const override {
    // Without a branch on the sign (random signs mispredict): max(x, 0) converts to 0 unchanged, and only
    // the positive inputs count as converted values.
    const int Fx = e.in.fmt.F();
    const FixedFormat& R = e.L.prec.result;
    const size_t n = e.in.raw.size();
    out.raw.resize(n);
    uint64_t values = 0;
    for (size_t i = 0; i < n; ++i) {
      const i128 x = e.in.raw[i];
      const bool pos = x > 0;
      bool changed;
      out.raw[i] = convert(R, pos ? x : 0, Fx, changed);
      if (changed) ++(R.O == hl::WRAP ? e.stats.wrapped : e.stats.saturated);
      values += pos;
    }
    e.stats.values += values;
  }
  // After another layer: a sign-bit select behind that layer's register.
  bool rtl_fuses_into_previous() const override { return true; }
  void emit_rtl(RtlLayer& r) const override {
    const FixedFormat& R = r.L.prec.result;
    const FixedFormat& cur = r.cur;
    const int XW = cur.W, Fx = cur.F();
    for (int i = 0; i < r.n_cur; ++i) {
      std::string xi = el("x", i, XW);
      r.v << "  wire [" << R.W - 1 << ":0] q" << i << ";\n"
          << quant("u" + std::to_string(i), XW, Fx, cur.S, R, -1, xi, "q" + std::to_string(i));
      // A zero input quantizes to zero, so the sign bit alone decides.
      if (cur.S)
        r.v << "  assign " << el("y", i, R.W) << " = x[" << (i + 1) * XW - 1 << "] ? " << R.W << "'d0 : q" << i
            << ";\n";
      else
        r.v << "  assign " << el("y", i, R.W) << " = q" << i << ";\n";
    }
  }
};

class LeakyReluKind : public ActivationKind {
 public:
  std::set<std::string> json_keys() const override { return {"alpha"}; }
  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    L.out_shape = L.in_shape;
    if (lj.contains("alpha")) {
      if (!lj["alpha"].is_number() || lj["alpha"].get<double>() < 0 || lj["alpha"].get<double>() >= 1)
        R.err(p + ".alpha", lj["alpha"], "a number in [0, 1)");
      else
        L.alpha = lj["alpha"].get<double>();
    }
    return true;
  }
  std::vector<OnnxOp> onnx_ops() const override { return {{"LeakyRelu", 13, "LeakyRelu"}}; }
  void import_onnx(OnnxNode& c, json& L) const override {
    c.only({"alpha"});
    L["type"] = "leaky_relu";
    L["alpha"] = c.f("alpha", 0.01);
  }
  void eval_float(const Layer& L, const std::vector<double>& cur, std::vector<double>& out) const override {
    for (double x : cur) out.push_back(x > 0 ? x : L.alpha * x);
  }
  void emulate(const EmuLayer& e, Tensor& out) const override {
    const FixedFormat& R = e.L.prec.result;
    const int Fx = e.in.fmt.F();
    FixedFormat af = alpha_format();
    i128 a = af.from_double(e.L.alpha);
    for (i128 x : e.in.raw)
      out.raw.push_back(x > 0 ? to_fmt(R, x, Fx, e.stats) : to_fmt(R, x * a, Fx + af.F(), e.stats));
  }
  void emit_rtl(RtlLayer& r) const override {
    const FixedFormat& R = r.L.prec.result;
    const FixedFormat& cur = r.cur;
    const int XW = cur.W, Fx = cur.F(), KW = XW + wide_extra;
    std::ostringstream& v = r.v;
    extend_inputs(v, cur, r.n_cur, KW);
    FixedFormat af = alpha_format();
    i128 a = af.from_double(r.L.alpha);
    for (int i = 0; i < r.n_cur; ++i) {
      std::string k = std::to_string(i);
      v << "  wire signed [" << KW - 1 << ":0] n" << k << " = x" << k << " * " << slit(KW, a) << ";\n";
      v << "  wire [" << R.W - 1 << ":0] qp" << k << ", qn" << k << ";\n";
      v << quant("up" + k, XW, Fx, cur.S, R, -1, el("x", i, XW), "qp" + k);
      v << quant("un" + k, KW, Fx + af.F(), true, R, -1, "n" + k, "qn" + k);
      v << "  assign " << el("y", i, R.W) << " = (x" << k << " > 0) ? qp" << k << " : qn" << k << ";\n";
    }
  }
};

// sigmoid and tanh: a table of table_size entries over [-2^table_range_log2, 2^table_range_log2).
class TableKind : public ActivationKind {
 public:
  explicit TableKind(hl::table_func fn) : fn_(fn) {}
  std::set<std::string> json_keys() const override { return {"table_size", "table_range_log2"}; }
  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    L.out_shape = L.in_shape;
    if (lj.contains("table_size")) {
      L.table_size = R.integer(lj["table_size"], p + ".table_size", 2, 1 << 16);
      if (L.table_size & (L.table_size - 1)) R.err(p + ".table_size", lj["table_size"], "a power of two");
    }
    if (lj.contains("table_range_log2"))
      L.table_range_log2 = R.integer(lj["table_range_log2"], p + ".table_range_log2", -4, 8);
    return true;
  }
  std::vector<OnnxOp> onnx_ops() const override {
    return {fn_ == hl::TABLE_SIGMOID ? OnnxOp{"Sigmoid", 14, "Sigmoid"} : OnnxOp{"Tanh", 15, "Tanh"}};
  }
  void import_onnx(OnnxNode& c, json& L) const override { import_plain(c, L); }
  void eval_float(const Layer&, const std::vector<double>& cur, std::vector<double>& out) const override {
    if (fn_ == hl::TABLE_SIGMOID)
      for (double x : cur) out.push_back(1 / (1 + std::exp(-x)));
    else
      for (double x : cur) out.push_back(std::tanh(x));
  }
  std::vector<i128> table(const Layer& L) const {
    const FixedFormat& T = L.prec.table;
    std::vector<i128> t;
    for (int k = 0; k < L.table_size; ++k)
      t.push_back(T.from_double(hl::table_entry_value(fn_, (unsigned)k, (unsigned)L.table_size, L.table_range_log2)));
    return t;
  }
  void emulate(const EmuLayer& e, Tensor& out) const override {
    const Layer& L = e.L;
    const int Fx = e.in.fmt.F();
    const FixedFormat& T = L.prec.table;
    std::vector<i128> t = table(L);
    for (i128 x : e.in.raw)
      out.raw.push_back(to_fmt(L.prec.result, t[signed_table_index(x, Fx, (unsigned)L.table_size, L.table_range_log2)],
                               T.F(), e.stats));
  }
  void emit_rtl(RtlLayer& r) const override {
    const Layer& L = r.L;
    const FixedFormat& R = L.prec.result;
    const FixedFormat& T = L.prec.table;
    const int XW = r.cur.W, Fx = r.cur.F();
    std::ostringstream& v = r.v;
    // Only the input's bits, the index shift and a few guard bits (narrow wires keep the comparators short).
    int sh = clog2(L.table_size) - L.table_range_log2 - 1 - Fx;
    const int KW = std::max(XW, L.table_range_log2 + Fx + 1) + 3 + std::max(0, sh) + clog2(L.table_size);
    extend_inputs(v, r.cur, r.n_cur, KW);
    int ib = clog2(L.table_size);
    const std::string lut = r.mod + "_lut.mem";
    r.table(lut, ib, T.W, table(L));
    int shift = ib - L.table_range_log2 - 1 - Fx;
    for (int i = 0; i < r.n_cur; ++i) {
      std::string k = std::to_string(i);
      clamp_index(v, "ix" + k, "x" + k, KW, shift, shift < 0 ? ((i128)1 << (L.table_range_log2 + Fx)) : 0,
                  L.table_size / 2, L.table_size);
      v << "  wire [" << T.W - 1 << ":0] t" << k << ";\n" << rom_read("lut" + k, lut, ib, T.W, "ix" + k, "t" + k);
      v << quant("u" + k, T.W, T.F(), T.S, R, -1, "t" + k, el("y", i, R.W));
    }
  }

 private:
  hl::table_func fn_;
};

// hard_sigmoid: clamp(0.2 x + 0.5, 0, 1), slope and shift in slope_format().
class HardSigmoidKind : public ActivationKind {
 public:
  void eval_float(const Layer&, const std::vector<double>& cur, std::vector<double>& out) const override {
    for (double x : cur) out.push_back(std::min(1.0, std::max(0.0, 0.2 * x + 0.5)));
  }
  void emulate(const EmuLayer& e, Tensor& out) const override {
    const FixedFormat& R = e.L.prec.result;
    const int Fx = e.in.fmt.F();
    FixedFormat sf = slope_format();
    i128 slope = sf.from_double(0.2), shift = sf.from_double(0.5);
    int F = std::max(Fx + sf.F(), sf.F());  // the exact type of x * slope + shift
    i128 one = (i128)1 << F;
    for (i128 x : e.in.raw) {
      i128 y = x * slope * ((i128)1 << (F - Fx - sf.F())) + shift * ((i128)1 << (F - sf.F()));
      out.raw.push_back(y < 0 ? 0 : (y > one ? to_fmt(R, 1, 0, e.stats) : to_fmt(R, y, F, e.stats)));
    }
  }
  void emit_rtl(RtlLayer& r) const override {
    const FixedFormat& R = r.L.prec.result;
    const int XW = r.cur.W, Fx = r.cur.F(), KW = XW + wide_extra;
    std::ostringstream& v = r.v;
    extend_inputs(v, r.cur, r.n_cur, KW);
    FixedFormat sf = slope_format();
    i128 slope = sf.from_double(0.2), shift = sf.from_double(0.5);
    int F = std::max(Fx + sf.F(), sf.F());
    const_wire(v, "one_r", R, R.from_exact(1, 0));
    for (int i = 0; i < r.n_cur; ++i) {
      std::string k = std::to_string(i);
      v << "  wire signed [" << KW - 1 << ":0] h" << k << " = x" << k << " * "
        << slit(KW, slope * ((i128)1 << (F - Fx - sf.F()))) << " + " << slit(KW, shift * ((i128)1 << (F - sf.F())))
        << ";\n";
      v << "  wire [" << R.W - 1 << ":0] q" << k << ";\n" << quant("u" + k, KW, F, true, R, -1, "h" + k, "q" + k);
      v << "  assign " << el("y", i, R.W) << " = (h" << k << " < 0) ? " << R.W << "'d0 : (h" << k << " > "
        << slit(KW, (i128)1 << F) << ") ? one_r : q" << k << ";\n";
    }
  }
};

// hard_tanh: clamp(x, -1, 1).
class HardTanhKind : public ActivationKind {
 public:
  void eval_float(const Layer&, const std::vector<double>& cur, std::vector<double>& out) const override {
    for (double x : cur) out.push_back(std::min(1.0, std::max(-1.0, x)));
  }
  void emulate(const EmuLayer& e, Tensor& out) const override {
    const FixedFormat& R = e.L.prec.result;
    const int Fx = e.in.fmt.F();
    for (i128 x : e.in.raw) {
      // Exact comparison with +-1: in x's units when it has fraction bits, else by scaling x up.
      int cmp_hi, cmp_lo;
      if (Fx >= 0) {
        i128 one = (i128)1 << Fx;
        cmp_hi = x > one, cmp_lo = x < -one;
      } else {
        i128 v = x * ((i128)1 << (-Fx));
        cmp_hi = v > 1, cmp_lo = v < -1;
      }
      if (cmp_hi)
        out.raw.push_back(to_fmt(R, 1, 0, e.stats));
      else if (cmp_lo)
        out.raw.push_back(to_fmt(R, -1, 0, e.stats));
      else
        out.raw.push_back(to_fmt(R, x, Fx, e.stats));
    }
  }
  void emit_rtl(RtlLayer& r) const override {
    const FixedFormat& R = r.L.prec.result;
    const FixedFormat& cur = r.cur;
    const int XW = cur.W, Fx = cur.F(), KW = XW + wide_extra;
    std::ostringstream& v = r.v;
    extend_inputs(v, cur, r.n_cur, KW);
    const_wire(v, "one_r", R, R.from_exact(1, 0));
    const_wire(v, "mone_r", R, R.from_exact(-1, 0));
    for (int i = 0; i < r.n_cur; ++i) {
      std::string k = std::to_string(i);
      // Compare with +-1 exactly: in x's units, or with x scaled up when x has negative fraction bits.
      std::string xv = Fx >= 0 ? "x" + k : "(x" + k + " <<< " + std::to_string(-Fx) + ")";
      i128 one = Fx >= 0 ? ((i128)1 << Fx) : 1;
      v << "  wire [" << R.W - 1 << ":0] q" << k << ";\n"
        << quant("u" + k, XW, Fx, cur.S, R, -1, el("x", i, XW), "q" + k);
      v << "  assign " << el("y", i, R.W) << " = (" << xv << " > " << slit(KW, one) << ") ? one_r : (" << xv << " < "
        << slit(KW, -one) << ") ? mone_r : q" << k << ";\n";
    }
  }
};

}  // namespace

TF_REGISTER_LAYER("relu", 30, ReluKind)
TF_REGISTER_LAYER("leaky_relu", 31, LeakyReluKind)
TF_REGISTER_LAYER("sigmoid", 32, TableKind(hl::TABLE_SIGMOID))
TF_REGISTER_LAYER("tanh", 33, TableKind(hl::TABLE_TANH))
TF_REGISTER_LAYER("hard_sigmoid", 34, HardSigmoidKind)
TF_REGISTER_LAYER("hard_tanh", 35, HardTanhKind)

}  // namespace tf::hlsgen
