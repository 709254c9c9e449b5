// batchnorm (template batchnorm.h): y = x * scale[c] + bias[c] per channel c, the scale and bias folded from a
// normalization. A family of its own: it has per-channel constants like a multiply-accumulate layer but no
// sum, reuse factor or adder tree; its Verilog is one constant multiply per element, as an activation's.
#include <cmath>

#include "emulate_ops.h"
#include "layer_kind.h"
#include "model_reader.h"
#include "onnx_node.h"
#include "rtl_text.h"

namespace tf::hlsgen {

namespace {

class BatchnormKind : public LayerKind {
 public:
  std::set<std::string> json_keys() const override { return {"scale", "bias"}; }

  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    L.out_shape = L.in_shape;
    int c = L.in_shape.back();
    if (lj.contains("scale"))
      L.weights = R.tensor(lj["scale"], p + ".scale", {c});
    else
      R.err(p + ".scale", json(), "the folded scale per channel");
    L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {c}) : std::vector<double>(c, 0.0);
    return true;
  }

  std::vector<OnnxOp> onnx_ops() const override { return {{"BatchNormalization", 18, "BatchNormalization"}}; }

  // Folded: scale / sqrt(var + epsilon) and B - mean * that.
  void import_onnx(OnnxNode& c, json& L) const override {
    c.only({"epsilon", "momentum", "training_mode"});
    if (c.i("training_mode", 0) != 0) c.unsupported_value("training_mode", "1", "0");
    const OnnxInit &sc = c.init(1, "scale"), &b = c.init(2, "B"), &mean = c.init(3, "mean"), &var = c.init(4, "var");
    size_t ch = (size_t)c.shape().back();
    for (const OnnxInit* t : {&sc, &b, &mean, &var})
      if (t->v.size() != ch)
        c.fail("scale, B, mean and var must each have " + std::to_string(ch) + " values (one per channel)");
    if (!c.pending_flatten().empty())
      c.fail(
          "a BatchNormalization after a Flatten of a channels-first tensor is not supported (its feature order "
          "differs)");
    double eps = c.f("epsilon", 1e-5);
    std::vector<double> s(sc.v.size()), bb(sc.v.size());
    for (size_t ch = 0; ch < sc.v.size(); ++ch) {
      s[ch] = sc.v[ch] / std::sqrt(var.v[ch] + eps);
      bb[ch] = b.v[ch] - mean.v[ch] * s[ch];
    }
    L["type"] = "batchnorm";
    L["scale"] = json(s);
    L["bias"] = json(bb);
  }

  void eval_float(const Layer& L, const std::vector<double>& cur, std::vector<double>& out) const override {
    int C = L.in_shape.back();
    for (size_t i = 0; i < cur.size(); ++i) out.push_back(cur[i] * L.weights[i % C] + L.bias[i % C]);
  }

  void emulate(const EmuLayer& e, Tensor& out) const override {
    const Layer& L = e.L;
    const int Fx = e.in.fmt.F();
    int C = L.in_shape.back(), Fs = L.prec.weight.F(), Fb = L.prec.bias.F();
    int F = std::max(Fx + Fs, Fb);
    for (size_t i = 0; i < e.in.raw.size(); ++i) {
      int c = (int)(i % C);
      i128 v = e.in.raw[i] * e.w[c] * ((i128)1 << (F - Fx - Fs)) + e.b[c] * ((i128)1 << (F - Fb));
      out.raw.push_back(to_fmt(L.prec.result, v, F, e.stats));
    }
  }

  std::string hls_header() const override { return "batchnorm.h"; }

  void emit_hls(HlsLayer& h) const override {
    const Layer& L = h.L;
    h.config << "struct " << h.cfg << " {\n  static const unsigned n_in = " << L.in_size()
             << ", n_filt = " << L.in_shape.back() << ";\n  typedef " << L.prec.weight.cpp() << " scale_t;\n  typedef "
             << L.prec.bias.cpp() << " bias_t;\n};\n";
    h.weights("s", L.weights, L.prec.weight, h.cfg + "::scale_t");
    h.weights("b", L.bias, L.prec.bias, h.cfg + "::bias_t");
    h.call << "  tinyforge::hls::batchnorm<" << h.prev_t << ", " << h.res_t << ", " << h.cfg << ">(" << h.prev_v << ", "
           << h.id << "_out, " << h.id << "_s, " << h.id << "_b);\n";
  }

  // x * scale + bias in the exact common format, then one conversion.
  void emit_rtl(RtlLayer& r) const override {
    const Layer& L = r.L;
    std::ostringstream& v = r.v;
    const int Fx = r.cur.F(), KW = r.cur.W + 48;
    extend_inputs(v, r.cur, r.n_cur, KW);
    int C = L.in_shape.back(), Fs = L.prec.weight.F(), Fb = L.prec.bias.F();
    int F = std::max(Fx + Fs, Fb);
    for (int i = 0; i < r.n_cur; ++i) {
      std::string k = std::to_string(i);
      int c = i % C;
      v << "  wire signed [" << KW - 1 << ":0] b" << k << " = x" << k << " * "
        << slit(KW, r.em.weights(r.index)[c] * ((i128)1 << (F - Fx - Fs))) << " + "
        << slit(KW, r.em.biases(r.index)[c] * ((i128)1 << (F - Fb))) << ";\n";
      v << quant("u" + k, KW, F, true, L.prec.result, -1, "b" + k, el("y", i, L.prec.result.W));
    }
  }
};

}  // namespace

TF_REGISTER_LAYER("batchnorm", 20, BatchnormKind)

}  // namespace tf::hlsgen
