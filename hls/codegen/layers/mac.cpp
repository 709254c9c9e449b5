// Multiply-accumulate layers: dense, conv1d, conv2d (templates dense.h, conv.h). One family because they
// share what makes them costly: weights and biases, a reuse factor and strategy, the product and accumulator
// formats, and one Verilog datapath (layers/mac_rtl.cpp) fed with each output's bias and (input, weight) terms.
#include <algorithm>
#include <cstdint>
#include <sstream>

#include "emulate_ops.h"
#include "layer_kind.h"
#include "layers/mac_rtl.h"
#include "model_reader.h"
#include "onnx_node.h"
#include "tinyforge/hls/common.h"

namespace tf::hlsgen {

namespace hl = tinyforge::hls;

namespace {

// The config struct's reuse factor, strategy and types, the weight files and the call, common to dense and conv.
void emit_mac_hls(HlsLayer& h) {
  const Layer& L = h.L;
  h.config << "  static const unsigned reuse_factor = " << L.reuse_factor << ";\n"
           << "  static const unsigned strategy = tinyforge::hls::" << L.strategy << ";\n"
           << "  typedef " << L.prec.weight.cpp() << " weight_t;\n  typedef " << L.prec.bias.cpp() << " bias_t;\n"
           << "  typedef " << L.prec.accum.cpp() << " accum_t;\n";
  if (L.accumulation == "hls4ml") h.config << "  static const unsigned accumulation = tinyforge::hls::accum_each_add;\n";
  h.config << "};\n";
  h.weights("w", L.weights, L.prec.weight, h.cfg + "::weight_t");
  h.weights("b", L.bias, L.prec.bias, h.cfg + "::bias_t");
  h.call << "  tinyforge::hls::" << L.type << "<" << h.prev_t << ", " << h.res_t << ", " << h.cfg << ">(" << h.prev_v
         << ", " << h.id << "_out, " << h.id << "_w, " << h.id << "_b);\n";
}

// Eight dense outputs summed without conversion: SUM[k] (in: the bias in the accumulator, out: the sum) plus
// the terms of X (N_IN inputs) with weights W[i * STRIDE + k]; returns the OR of the magnitudes of the bias,
// every term and every partial sum (Mac64::Fixed::inside_all tells whether all stayed in range). Plain loops
// over eight lanes that the compiler vectorises; built for AVX-512, AVX2 and the baseline, chosen at run time.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#endif
uint64_t mac_block8(const int64_t* x, int n_in, const int64_t* w, int stride, MacTerm t, int64_t* sum) {
  int64_t s[8];
  uint64_t bits[8];
  const int64_t smask = t.S ? -1 : 0;
  auto mag = [smask](int64_t v) { return (uint64_t)(v ^ ((v >> 63) & smask)); };
  for (int k = 0; k < 8; ++k) {
    s[k] = sum[k];
    bits[k] = mag(s[k]);
  }
  for (int i = 0; i < n_in; ++i) {
    const int64_t xi = x[i];
    const int64_t* wr = w + (size_t)i * stride;
    for (int k = 0; k < 8; ++k) {
      // Modulo 2^64 in unsigned arithmetic (no signed overflow for formats near 64 bits: such a block fails
      // inside_all and is redone exactly); the same bits as the signed operations when nothing overflows.
      const int64_t p = (int64_t)(((uint64_t)xi * (uint64_t)wr[k] << t.ls) + (uint64_t)t.half) >> t.rs;
      s[k] = (int64_t)((uint64_t)s[k] + (uint64_t)p);
      bits[k] |= mag(p) | mag(s[k]);
    }
  }
  uint64_t all = 0;
  for (int k = 0; k < 8; ++k) {
    sum[k] = s[k];
    all |= bits[k];
  }
  return all;
}

class DenseKind : public LayerKind {
 public:
  std::set<std::string> json_keys() const override { return {"units", "weights", "bias", "activation", "accumulation"}; }

  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    if (lj.contains("accumulation")) R.accumulation(lj["accumulation"], p + ".accumulation", L.accumulation);
    if (L.in_shape.size() != 1) R.err(p + ".type", lj["type"], "a 1-D input for dense (add a flatten layer first)");
    L.units = lj.contains("units") ? R.integer(lj["units"], p + ".units", 1, 1 << 16) : 0;
    if (!lj.contains("units")) R.err(p + ".units", json(), "the number of outputs");
    L.out_shape = {L.units};
    int n_in = L.in_size();
    if (lj.contains("weights"))
      L.weights = R.tensor(lj["weights"], p + ".weights", {n_in, L.units});
    else
      R.err(p + ".weights", json(), "weights [n_in][units]");
    L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {L.units}) : std::vector<double>(L.units, 0.0);
    return true;
  }

  long long mults(const Layer& L) const override { return (long long)L.in_size() * L.units; }

  std::vector<OnnxOp> onnx_ops() const override {
    return {{"Gemm", 10, "Gemm"}, {"MatMul", 11, "MatMul (+ Add)"}, {"Add", 0, ""}};
  }

  void import_onnx(OnnxNode& c, json& L) const override {
    const std::string& op = c.op();
    if (op == "Add") c.fail("a standalone Add is not supported (only MatMul followed by Add of a bias)");
    if (op == "Gemm") {
      c.only({"alpha", "beta", "transA", "transB"});
      if (c.f("alpha", 1.0) != 1.0) c.unsupported_value("alpha", std::to_string(c.f("alpha", 1.0)), "1");
      if (c.f("beta", 1.0) != 1.0) c.unsupported_value("beta", std::to_string(c.f("beta", 1.0)), "1");
      if (c.i("transA", 0) != 0) c.unsupported_value("transA", "1", "0");
    } else {
      c.only({});
    }
    const OnnxInit& B = c.init(1, "weight matrix B");
    if (B.dims.size() != 2) c.fail("weight matrix has shape " + dims_text(B.dims) + "; expected 2 dimensions");
    bool transB = op == "Gemm" && c.i("transB", 0) == 1;
    int K = (int)(transB ? B.dims[1] : B.dims[0]), N = (int)(transB ? B.dims[0] : B.dims[1]);
    std::vector<double> w((size_t)K * N);
    for (int i = 0; i < K; ++i)
      for (int j = 0; j < N; ++j) w[(size_t)i * N + j] = transB ? B.v[(size_t)j * K + i] : B.v[(size_t)i * N + j];
    std::vector<int>& pending = c.pending_flatten();
    if (!pending.empty()) {
      // Row r of the channels-last flatten is (h, w, c) [or (w, c)]; ONNX's row is (c, h, w) [or (c, w)].
      std::vector<double> p(w.size());
      int C = pending.back(), HW = K / C;
      for (int r = 0; r < K; ++r) {
        int cch = r % C, pos = r / C;
        int onnx_row = cch * HW + pos;
        for (int j = 0; j < N; ++j) p[(size_t)r * N + j] = w[(size_t)onnx_row * N + j];
      }
      w.swap(p);
      pending.clear();
    }
    std::vector<double> bias(N, 0.0);
    if (op == "Gemm" && c.input_count() > 2 && c.has_input(2)) {
      const OnnxInit& C = c.init(2, "bias C");
      if ((int)C.v.size() != N)
        c.fail("bias has shape " + dims_text(C.dims) + "; expected " + std::to_string(N) + " values");
      bias = C.v;
    }
    if (op == "MatMul") c.take_bias_add(N, bias);
    L["type"] = "dense";
    L["units"] = N;
    json rows = json::array();
    for (int i = 0; i < K; ++i)
      rows.push_back(std::vector<double>(w.begin() + (size_t)i * N, w.begin() + (size_t)(i + 1) * N));
    L["weights"] = rows;
    L["bias"] = json(bias);
  }

  void eval_float(const Layer& L, const std::vector<double>& cur, std::vector<double>& out) const override {
    int n_in = L.in_size();
    for (int j = 0; j < L.units; ++j) {
      double s = L.bias[j];
      for (int i = 0; i < n_in; ++i) s += cur[i] * L.weights[i * L.units + j];
      out.push_back(s);
    }
  }

  void emulate(const EmuLayer& e, Tensor& out) const override {
    const Layer& L = e.L;
    const FixedFormat& A = L.prec.accum;
    int n_in = L.in_size(), n_out = L.units, Fp = e.in.fmt.F() + L.prec.weight.F();
    const bool each = L.accumulation == "hls4ml";
    // Per-addition conversion follows hls4ml's order: input order, or its resource strategy's (dense.h).
    const bool resource_order = L.strategy == "resource" && L.reuse_factor > 1;
    const Mac64 m(A, e.in.fmt, L.prec.weight, each, n_in);
    if (m.ok && !e.w64.empty()) {
      // Four outputs at a time: their accumulations are independent, so the four chains overlap.
      const int64_t* w = e.w64.data();
      out.raw.resize(n_out);
      m.with_adder([&](const auto& add) {
        auto bias_acc = [&](int j) { return (int64_t)A.from_exact(e.b[j], L.prec.bias.F()); };
        // Outputs J..J+N-1 (N <= 8) with conversion after every addition (or exact accumulation), N chains
        // interleaved.
        auto exact = [&](int j, int nk) {
          int64_t acc[8];
          for (int k = 0; k < nk; ++k) acc[k] = bias_acc(j + k);
          LayerStats st;  // local, so the counters stay in registers
          if (each && resource_order) {  // hls4ml's resource strategy: its own order per output
            for (int k = 0; k < nk; ++k) {
              for (int t = 0; t < n_in; ++t) {
                const unsigned i = hl::hls4ml_resource_input(j + k, t, n_in, L.reuse_factor);
                acc[k] = add(acc[k], (int64_t)e.in.raw[i] * w[(size_t)i * n_out + j + k], st);
              }
            }
            e.stats.saturated += st.saturated;
            e.stats.wrapped += st.wrapped;
            for (int k = 0; k < nk; ++k) out.raw[j + k] = acc_to_result(A, L.prec.result, acc[k], e.stats);
            return;
          }
          for (int i = 0; i < n_in; ++i) {
            const int64_t x = (int64_t)e.in.raw[i];
            const int64_t* wr = w + (size_t)i * n_out + j;
            for (int k = 0; k < nk; ++k) acc[k] = add(acc[k], x * wr[k], st);
          }
          e.stats.saturated += st.saturated;
          e.stats.wrapped += st.wrapped;
          for (int k = 0; k < nk; ++k) out.raw[j + k] = acc_to_result(A, L.prec.result, acc[k], e.stats);
        };
        int j = 0;
        if (add.optimistic && !resource_order && n_out >= 8) {  // (its range check follows input order)
          // Converting after every addition changes nothing while no product and no partial sum leaves the
          // accumulator's range: then the plain sums are the results, with nothing to count. One pass over
          // eight outputs sums and ORs the magnitudes (vectorised: mac_block8); only a block where a value
          // left the range runs again with a conversion after every addition.
          thread_local std::vector<int64_t> x64;
          x64.resize(n_in);
          for (int i = 0; i < n_in; ++i) x64[i] = (int64_t)e.in.raw[i];
          const MacTerm t = add.term_params();
          for (; j + 8 <= n_out; j += 8) {
            int64_t sum[8];
            for (int k = 0; k < 8; ++k) sum[k] = bias_acc(j + k);
            if (add.inside_all(mac_block8(x64.data(), n_in, w + j, n_out, t, sum))) {
              for (int k = 0; k < 8; ++k) out.raw[j + k] = acc_to_result(A, L.prec.result, sum[k], e.stats);
            } else {
              exact(j, 8);
            }
          }
        }
        for (; j < n_out; j += 4) exact(j, std::min(4, n_out - j));
      });
      return;
    }
    for (int j = 0; j < n_out; ++j) {
      i128 acc = A.from_exact(e.b[j], L.prec.bias.F());
      for (int k = 0; k < n_in; ++k) {
        const int i = each && resource_order ? (int)hl::hls4ml_resource_input(j, k, n_in, L.reuse_factor) : k;
        if (each)
          acc = add_each(A, acc, e.in.raw[i] * e.w[i * n_out + j], Fp, e.stats);
        else
          acc += term(e.in.raw[i] * e.w[i * n_out + j], Fp, A);
      }
      out.raw.push_back(acc_to_result(A, L.prec.result, acc, e.stats));
    }
  }

  std::string hls_header() const override { return "dense.h"; }

  void emit_hls(HlsLayer& h) const override {
    h.config << "struct " << h.cfg << " {\n";
    h.config << "  static const unsigned n_in = " << h.L.in_size() << ", n_out = " << h.L.units << ";\n";
    emit_mac_hls(h);
  }

  void emit_rtl(RtlLayer& r) const override {
    const Layer& L = r.L;
    const std::vector<i128>& wq = r.em.weights(r.index);
    const std::vector<i128>& bq = r.em.biases(r.index);
    std::vector<MacOut> outs;
    for (int j = 0; j < L.units; ++j) {
      MacOut o{bq[j], {}};
      for (int i = 0; i < r.n_cur; ++i) o.terms.push_back({i, wq[(size_t)i * L.units + j]});
      outs.push_back(o);
    }
    emit_mac_rtl(r, outs);
  }
};

// conv1d (ND = 1) and conv2d (ND = 2): channels last, weights [kernel...][channels][filters].
class ConvKind : public LayerKind {
 public:
  explicit ConvKind(size_t nd) : nd_(nd) {}

  std::set<std::string> json_keys() const override {
    return {"filters", "kernel", "strides", "padding", "weights", "bias", "activation", "accumulation"};
  }

  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    if (lj.contains("accumulation")) R.accumulation(lj["accumulation"], p + ".accumulation", L.accumulation);
    const std::vector<int>& shape = L.in_shape;
    const size_t nd = nd_;
    if (shape.size() != nd + 1) {
      R.err(p + ".type", lj["type"], "an input of " + std::to_string(nd + 1) + " dimensions (spatial..., channels)");
      return false;
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
    if (lj.contains("weights"))
      L.weights = R.tensor(lj["weights"], p + ".weights", wshape);
    else
      R.err(p + ".weights", json(), "weights [kernel...][channels][filters]");
    L.bias = lj.contains("bias") ? R.tensor(lj["bias"], p + ".bias", {L.filters}) : std::vector<double>(L.filters, 0.0);
    return true;
  }

  long long mults(const Layer& L) const override {
    long long k = 1;
    for (int v : L.kernel) k *= v;
    return k * L.in_shape.back() * L.filters;  // per output position
  }

  // Conv of either rank: the layer is conv1d or conv2d by the input's spatial rank.
  std::vector<OnnxOp> onnx_ops() const override { return {{"Conv", 17, "Conv"}}; }

  void import_onnx(OnnxNode& c, json& L) const override {
    c.only({"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
    size_t nd = c.spatial_rank();
    if (c.i("group", 1) != 1) c.unsupported_value("group", std::to_string(c.i("group", 1)), "1");
    const OnnxInit& W = c.init(1, "weight tensor W");
    if (W.dims.size() != nd + 2) c.fail("weights have shape " + dims_text(W.dims) + "; expected [F, C, k...]");
    const std::vector<int64_t> wk(W.dims.begin() + 2, W.dims.end()), absent{INT64_MIN};
    std::vector<int64_t> ks = c.ints("kernel_shape", absent);  // optional: the weights' kernel when absent
    if (ks == absent)
      ks = wk;
    else if (ks != wk)
      c.fail("attribute 'kernel_shape' = " + dims_text(ks) + " does not match the weights' kernel " + dims_text(wk));
    c.window(nd, ks, nd == 1 ? "conv1d" : "conv2d", "kernel", L);
    int F = (int)W.dims[0], C = (int)W.dims[1];
    int KH = nd == 2 ? (int)W.dims[2] : 1, KW = (int)W.dims[nd + 1];
    std::vector<double> w((size_t)F * C * KH * KW);
    for (int f = 0; f < F; ++f)
      for (int ch = 0; ch < C; ++ch)
        for (int kh = 0; kh < KH; ++kh)
          for (int kw = 0; kw < KW; ++kw)
            w[(((size_t)kh * KW + kw) * C + ch) * F + f] = W.v[(((size_t)f * C + ch) * KH + kh) * KW + kw];
    L["filters"] = F;
    L["weights"] = json(w);
    if (c.input_count() > 2 && c.has_input(2)) L["bias"] = json(c.init(2, "bias B").v);
  }

  void eval_float(const Layer& L, const std::vector<double>& cur, std::vector<double>& out) const override {
    const Window win = window_of(L);
    const int C = win.C, OH = win.OH, OW = win.OW;
    const int NF = L.filters;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow)
        for (int f = 0; f < NF; ++f) {
          double s = L.bias[f];
          win.for_each_tap(oh, ow, [&](int tap, int px) {
            for (int c = 0; c < C; ++c) s += cur[px * C + c] * L.weights[(tap * C + c) * NF + f];
          });
          out.push_back(s);
        }
  }

  void emulate(const EmuLayer& e, Tensor& out) const override {
    const Layer& L = e.L;
    const FixedFormat& A = L.prec.accum;
    const Window win = window_of(L);
    const int C = win.C, OH = win.OH, OW = win.OW;
    const int NF = L.filters;
    int Fp = e.in.fmt.F() + L.prec.weight.F();
    const bool each = L.accumulation == "hls4ml";
    const Mac64 m(A, e.in.fmt, L.prec.weight, each, (long long)win.KH * win.KW * C);
    if (m.ok && !e.w64.empty()) {
      const int64_t* w = e.w64.data();
      m.with_adder([&](const auto& add) {
        for (int oh = 0; oh < OH; ++oh)
          for (int ow = 0; ow < OW; ++ow)
            for (int f = 0; f < NF; ++f) {
              int64_t acc = (int64_t)A.from_exact(e.b[f], L.prec.bias.F());
              win.for_each_tap(oh, ow, [&](int tap, int px) {
                for (int c = 0; c < C; ++c)
                  acc = add(acc, (int64_t)e.in.raw[px * C + c] * w[(tap * C + c) * NF + f], e.stats);
              });
              out.raw.push_back(acc_to_result(A, L.prec.result, acc, e.stats));
            }
      });
      return;
    }
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow)
        for (int f = 0; f < NF; ++f) {
          i128 acc = A.from_exact(e.b[f], L.prec.bias.F());
          win.for_each_tap(oh, ow, [&](int tap, int px) {
            for (int c = 0; c < C; ++c) {
              i128 prod = e.in.raw[px * C + c] * e.w[(tap * C + c) * NF + f];
              acc = each ? add_each(A, acc, prod, Fp, e.stats) : acc + term(prod, Fp, A);
            }
          });
          out.raw.push_back(acc_to_result(A, L.prec.result, acc, e.stats));
        }
  }

  std::string hls_header() const override { return "conv.h"; }

  void emit_hls(HlsLayer& h) const override {
    const Layer& L = h.L;
    std::ostringstream& par = h.config;
    par << "struct " << h.cfg << " {\n";
    if (nd_ == 1) {
      par << "  static const unsigned in_width = " << L.in_shape[0] << ", n_chan = " << L.in_shape[1]
          << ", filt_width = " << L.kernel[0] << ", n_filt = " << L.filters << ", stride = " << L.strides[0] << ";\n"
          << "  static const unsigned pad_left = " << L.pad_begin[0] << ", pad_right = " << L.pad_end[0]
          << ", out_width = " << L.out_shape[0] << ";\n";
    } else {
      par << "  static const unsigned in_height = " << L.in_shape[0] << ", in_width = " << L.in_shape[1]
          << ", n_chan = " << L.in_shape[2] << ", filt_height = " << L.kernel[0] << ", filt_width = " << L.kernel[1]
          << ", n_filt = " << L.filters << ";\n"
          << "  static const unsigned stride_height = " << L.strides[0] << ", stride_width = " << L.strides[1] << ";\n"
          << "  static const unsigned pad_top = " << L.pad_begin[0] << ", pad_bottom = " << L.pad_end[0]
          << ", pad_left = " << L.pad_begin[1] << ", pad_right = " << L.pad_end[1] << ";\n"
          << "  static const unsigned out_height = " << L.out_shape[0] << ", out_width = " << L.out_shape[1] << ";\n";
    }
    emit_mac_hls(h);
  }

  void emit_rtl(RtlLayer& r) const override {
    const Layer& L = r.L;
    const std::vector<i128>& wq = r.em.weights(r.index);
    const std::vector<i128>& bq = r.em.biases(r.index);
    std::vector<MacOut> outs;
    const Window win = window_of(L);
    const int C = win.C, OH = win.OH, OWd = win.OW;
    const int NF = L.filters;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OWd; ++ow)
        for (int f = 0; f < NF; ++f) {
          MacOut o{bq[f], {}};
          win.for_each_tap(oh, ow, [&](int tap, int px) {
            for (int c = 0; c < C; ++c) o.terms.push_back({px * C + c, wq[((size_t)tap * C + c) * NF + f]});
          });
          outs.push_back(o);
        }
    emit_mac_rtl(r, outs);
  }

 private:
  size_t nd_;
};

}  // namespace

TF_REGISTER_LAYER("dense", 10, DenseKind)
TF_REGISTER_LAYER("conv1d", 11, ConvKind(1))
TF_REGISTER_LAYER("conv2d", 12, ConvKind(2))

}  // namespace tf::hlsgen
