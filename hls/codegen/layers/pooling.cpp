// Pooling (template pooling.h): maxpool1d, avgpool1d, maxpool2d, avgpool2d over the valid (unpadded) window
// positions; the average is the exact sum times recip(1/count). One family: the four share the window
// geometry (pool, strides, padding), the config struct and one Verilog generator; only the operation and the
// rank differ.
#include <cmath>

#include "emulate_ops.h"
#include "layer_kind.h"
#include "model_reader.h"
#include "onnx_node.h"
#include "rtl_text.h"

namespace tf::hlsgen {

namespace {

class PoolKind : public LayerKind {
 public:
  PoolKind(size_t nd, bool avg) : nd_(nd), avg_(avg) {}

  std::set<std::string> json_keys() const override { return {"pool", "strides", "padding"}; }

  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    const std::vector<int>& shape = L.in_shape;
    const size_t nd = nd_;
    if (shape.size() != nd + 1) {
      R.err(p + ".type", lj["type"], "an input of " + std::to_string(nd + 1) + " dimensions (spatial..., channels)");
      return false;
    }
    L.kernel = lj.contains("pool") ? R.ints(lj["pool"], p + ".pool", nd, 1, 64) : std::vector<int>(nd, 2);
    L.strides = lj.contains("strides") ? R.ints(lj["strides"], p + ".strides", nd, 1, 64) : L.kernel;
    std::vector<int> spatial(shape.begin(), shape.end() - 1);
    resolve_padding(R, lj, p, L, spatial);
    L.out_shape.push_back(shape.back());
    return true;
  }

  // Either rank: the layer is ...pool1d or ...pool2d by the input's spatial rank.
  std::vector<OnnxOp> onnx_ops() const override {
    return {avg_ ? OnnxOp{"AveragePool", 20, "AveragePool"} : OnnxOp{"MaxPool", 19, "MaxPool"}};
  }

  void import_onnx(OnnxNode& c, json& L) const override {
    c.only({"kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "count_include_pad",
            "storage_order"});
    size_t nd = c.spatial_rank();
    if (c.i("ceil_mode", 0) != 0) c.unsupported_value("ceil_mode", "1", "0");
    if (c.i("storage_order", 0) != 0) c.unsupported_value("storage_order", "1", "0");
    if (avg_ && c.i("count_include_pad", 0) != 0)
      c.unsupported_value("count_include_pad", "1", "0 (padding excluded from the average)");
    std::vector<int64_t> ks = c.ints("kernel_shape", {});
    c.window(nd, ks, std::string(avg_ ? "avgpool" : "maxpool") + (nd == 1 ? "1d" : "2d"), "pool", L);
  }

  void eval_float(const Layer& L, const std::vector<double>& cur, std::vector<double>& out) const override {
    const Window win = window_of(L);
    const int C = win.C, OH = win.OH, OW = win.OW;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow)
        for (int c = 0; c < C; ++c) {
          double best = -HUGE_VAL, s = 0;
          int n = 0;
          win.for_each_tap(oh, ow, [&](int, int px) {
            double v = cur[px * C + c];
            best = std::max(best, v);
            s += v;
            ++n;
          });
          out.push_back(avg_ ? s / std::max(n, 1) : best);
        }
  }

  void emulate(const EmuLayer& e, Tensor& out) const override {
    const FixedFormat& R = e.L.prec.result;
    const int Fx = e.in.fmt.F();
    const Window win = window_of(e.L);
    const int C = win.C, OH = win.OH, OW = win.OW;
    FixedFormat rf = recip_format();
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow)
        for (int c = 0; c < C; ++c) {
          i128 best = 0, sum = 0;
          int count = 0;
          win.for_each_tap(oh, ow, [&](int, int px) {
            i128 v = e.in.raw[px * C + c];
            if (count == 0 || v > best) best = v;
            sum += v;
            ++count;
          });
          if (!avg_)
            out.raw.push_back(to_fmt(R, best, Fx, e.stats));
          else
            out.raw.push_back(to_fmt(R, sum * rf.from_double(1.0 / (count ? count : 1)), Fx + rf.F(), e.stats));
        }
  }

  std::string hls_header() const override { return "pooling.h"; }

  void emit_hls(HlsLayer& h) const override {
    const Layer& L = h.L;
    std::ostringstream& par = h.config;
    par << "struct " << h.cfg << " {\n";
    if (nd_ == 1)
      par << "  static const unsigned in_width = " << L.in_shape[0] << ", n_chan = " << L.in_shape[1]
          << ", pool_width = " << L.kernel[0] << ", stride = " << L.strides[0] << ", pad_left = " << L.pad_begin[0]
          << ", pad_right = " << L.pad_end[0] << ", out_width = " << L.out_shape[0] << ";\n";
    else
      par << "  static const unsigned in_height = " << L.in_shape[0] << ", in_width = " << L.in_shape[1]
          << ", n_chan = " << L.in_shape[2] << ", pool_height = " << L.kernel[0] << ", pool_width = " << L.kernel[1]
          << ";\n"
          << "  static const unsigned stride_height = " << L.strides[0] << ", stride_width = " << L.strides[1]
          << ", pad_top = " << L.pad_begin[0] << ", pad_bottom = " << L.pad_end[0] << ", pad_left = " << L.pad_begin[1]
          << ", pad_right = " << L.pad_end[1] << ", out_height = " << L.out_shape[0]
          << ", out_width = " << L.out_shape[1] << ";\n";
    par << "  static const unsigned op = tinyforge::hls::" << (avg_ ? "POOL_AVG" : "POOL_MAX") << ";\n"
        << "  typedef " << recip_format().cpp() << " recip_t;\n};\n";
    h.call << "  tinyforge::hls::" << (nd_ == 2 ? "pool2d" : "pool1d") << "<" << h.prev_t << ", " << h.res_t << ", "
           << h.cfg << ">(" << h.prev_v << ", " << h.id << "_out);\n";
  }

  void emit_rtl(RtlLayer& r) const override {
    const FixedFormat& R = r.L.prec.result;
    const int XW = r.cur.W, Fx = r.cur.F();
    std::ostringstream& v = r.v;
    const Window win = window_of(r.L);
    const int C = win.C, OH = win.OH, OWd = win.OW;
    const int KW = XW + 24;
    FixedFormat rf = recip_format();
    v << "  /* verilator lint_off UNUSEDSIGNAL */\n";  // inputs outside every window are unused
    extend_inputs(v, r.cur, r.n_cur, KW);
    v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
    int o = 0;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OWd; ++ow)
        for (int c = 0; c < C; ++c, ++o) {
          std::vector<int> idx;
          win.for_each_tap(oh, ow, [&](int, int px) { idx.push_back(px * C + c); });
          std::string k = std::to_string(o);
          if (!avg_) {
            std::string best = "x" + std::to_string(idx[0]);
            for (size_t q = 1; q < idx.size(); ++q) {
              std::string nb = "b" + k + "_" + std::to_string(q), xi = "x" + std::to_string(idx[q]);
              v << "  wire signed [" << KW - 1 << ":0] " << nb << " = (" << xi << " > " << best << ") ? " << xi << " : "
                << best << ";\n";
              best = nb;
            }
            v << quant("u" + k, KW, Fx, true, R, -1, best, el("y", o, R.W));
          } else {
            std::string sum;
            for (int q : idx) sum += (sum.empty() ? "" : " + ") + std::string("x") + std::to_string(q);
            i128 rc = rf.from_double(1.0 / (double)idx.size());
            v << "  wire signed [" << KW - 1 << ":0] s" << k << " = " << sum << ";\n";
            v << "  wire signed [" << KW + rf.W << ":0] m" << k << " = {{" << rf.W + 1 << "{s" << k << "[" << KW - 1
              << "]}}, s" << k << "} * " << slit(KW + rf.W + 1, rc) << ";\n";
            v << quant("u" + k, KW + rf.W + 1, Fx + rf.F(), true, R, -1, "m" + k, el("y", o, R.W));
          }
        }
  }

 private:
  size_t nd_;
  bool avg_;
};

}  // namespace

TF_REGISTER_LAYER("maxpool1d", 50, PoolKind(1, false))
TF_REGISTER_LAYER("avgpool1d", 51, PoolKind(1, true))
TF_REGISTER_LAYER("maxpool2d", 52, PoolKind(2, false))
TF_REGISTER_LAYER("avgpool2d", 53, PoolKind(2, true))

}  // namespace tf::hlsgen
