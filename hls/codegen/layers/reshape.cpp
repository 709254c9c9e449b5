// Reshapes: flatten (template in pooling.h), the channels-last tensor as a flat vector, each element converted
// to the result format. A family of its own because it computes nothing: in Verilog it is wiring folded into
// the previous layer, and in ONNX it carries the channels-first feature order to the next dense layer.
#include <cmath>

#include "emulate_ops.h"
#include "layer_kind.h"
#include "model_reader.h"
#include "onnx_node.h"
#include "rtl_text.h"

namespace tf::hlsgen {

namespace {

class FlattenKind : public LayerKind {
 public:
  bool parse(JsonReader&, const json&, const std::string&, Layer& L) const override {
    L.out_shape = {L.in_size()};
    return true;
  }

  std::vector<OnnxOp> onnx_ops() const override { return {{"Flatten", 21, "Flatten"}, {"Reshape", 22, "Reshape"}}; }

  // Flatten on axis 1, or a Reshape to [N, -1].
  void import_onnx(OnnxNode& c, json& L) const override {
    const std::vector<int>& shape = c.shape();
    if (c.op() == "Flatten") {
      c.only({"axis"});
      if (c.i("axis", 1) != 1) c.unsupported_value("axis", std::to_string(c.i("axis", 1)), "1");
    } else {
      c.only({"allowzero"});
      const OnnxInit& sh = c.init(1, "shape");
      long total = 1;
      for (int d : shape) total *= d;
      bool flat =
          sh.v.size() == 2 && (sh.v[0] == 1 || sh.v[0] == -1 || sh.v[0] == 0) && (sh.v[1] == -1 || sh.v[1] == total);
      if (!flat) {
        // (the values are int64 read into doubles: one beyond the int64 range must not be converted back)
        std::string got;
        for (double v : sh.v)
          got += (got.empty() ? "" : ", ") +
                 (std::abs(v) < 9e18 ? std::to_string((int64_t)v) : format_double(v));
        c.fail("only a reshape to [N, -1] (flatten) is supported; got shape [" + got + "]");
      }
    }
    L["type"] = "flatten";
    // The next dense layer gets its weight rows in channels-first order: it permutes them.
    if (shape.size() > 1) c.pending_flatten() = shape;
  }

  void eval_float(const Layer&, const std::vector<double>& cur, std::vector<double>& out) const override { out = cur; }

  void emulate(const EmuLayer& e, Tensor& out) const override {
    const int Fx = e.in.fmt.F();
    for (i128 x : e.in.raw) out.raw.push_back(to_fmt(e.L.prec.result, x, Fx, e.stats));
  }

  std::string hls_header() const override { return "pooling.h"; }

  void emit_hls(HlsLayer& h) const override {
    h.call << "  tinyforge::hls::flatten<" << h.prev_t << ", " << h.res_t << ", " << h.L.out_size() << ">(" << h.prev_v
           << ", " << h.id << "_out);\n";
  }

  // After another layer: wiring behind that layer's register.
  bool rtl_fuses_into_previous() const override { return true; }

  void emit_rtl(RtlLayer& r) const override {
    const FixedFormat& R = r.L.prec.result;
    for (int i = 0; i < r.n_cur; ++i)
      r.v << quant("u" + std::to_string(i), r.cur.W, r.cur.F(), r.cur.S, R, -1, el("x", i, r.cur.W), el("y", i, R.W));
  }
};

}  // namespace

TF_REGISTER_LAYER("flatten", 60, FlattenKind)

}  // namespace tf::hlsgen
