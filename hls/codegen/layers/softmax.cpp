// softmax (template softmax.h): exp of each input minus the maximum from a table, times the inverse of their
// sum from a second table; with argmax_only, one-hot of the (first) maximum. A family of its own: unlike the
// element-wise activations each output depends on every input, it has its own table formats
// (softmax_formats) and its Verilog is pipelined over four stages.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>

#include "emulate_ops.h"
#include "layer_kind.h"
#include "model_reader.h"
#include "onnx_node.h"
#include "rtl_text.h"
#include "tinyforge/hls/softmax.h"

namespace tf::hlsgen {

namespace hl = tinyforge::hls;

namespace {

// The hls4ml modes' tables as codes of their types (softmax.h: softmax_hls4ml), and the index (top bits of a
// code).
struct Hls4mlTables {
  std::vector<i128> exp, inv;
};
const FixedFormat& hls4ml_index_fmt(const Layer& L, const FixedFormat& in) {
  return L.softmax_impl == "hls4ml_stable" ? L.sm.inp_norm_t : in;
}
Hls4mlTables hls4ml_tables(const Layer& L, const FixedFormat& in) {
  const Hls4mlSoftmax& sm = L.sm;
  const FixedFormat& ix = hls4ml_index_fmt(L, in);
  const bool stable = L.softmax_impl == "hls4ml_stable";
  Hls4mlTables t;
  for (int k = 0; k < sm.exp_size; ++k)
    t.exp.push_back(sm.exp_table_t.from_double(hl::hls4ml_exp_entry((unsigned)k, (unsigned)sm.exp_size, ix.S, ix.I, stable)));
  for (int k = 0; k < sm.inv_size; ++k)
    t.inv.push_back(sm.inv_table_t.from_double(
        hl::hls4ml_inv_entry((unsigned)k, (unsigned)sm.inv_size, sm.inv_inp_t.S, sm.inv_inp_t.I)));
  return t;
}
unsigned top_bits(i128 raw, const FixedFormat& f, int size) {
  const int n = hl::clog2((unsigned)size);
  return (unsigned)((raw >> (f.W - n)) & (i128)((1u << n) - 1));
}
// Tables are built once per distinct set of parameters (the key: every number they depend on). Each thread
// remembers its last hit, so the emulator's per-vector calls skip the lock and the map.
const Hls4mlTables& cached_tables(const Layer& L, const FixedFormat& in) {
  static std::mutex mu;
  static std::map<std::vector<int>, Hls4mlTables> cache;  // nodes never move: references stay valid
  thread_local std::vector<int> last_key;
  thread_local const Hls4mlTables* last = nullptr;
  const Hls4mlSoftmax& sm = L.sm;
  thread_local std::vector<int> key;  // reused: no allocation per call
  key.clear();
  key.push_back(L.softmax_impl == "hls4ml_stable");
  for (const FixedFormat* f : {&hls4ml_index_fmt(L, in), &sm.exp_table_t, &sm.inv_inp_t, &sm.inv_table_t})
    key.insert(key.end(), {f->W, f->I, (int)f->S, (int)f->Q, (int)f->O});
  key.push_back(sm.exp_size);
  key.push_back(sm.inv_size);
  if (last && key == last_key) return *last;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, hls4ml_tables(L, in)).first;
  last_key = key;
  last = &it->second;
  return it->second;
}
// hls4ml's balanced tree of additions, each converted into A.
i128 tree_sum(const std::vector<i128>& x, size_t lo, size_t n, const FixedFormat& A) {
  if (n == 1) return x[lo];
  if (n == 2) return A.from_exact(x[lo] + x[lo + 1], A.F());
  size_t left = 1;
  while (left * 2 <= n - 1) left *= 2;
  return A.from_exact(tree_sum(x, lo, left, A) + tree_sum(x, lo + left, n - left, A), A.F());
}

class SoftmaxKind : public LayerKind {
 public:
  std::set<std::string> json_keys() const override { return {"argmax_only", "implementation", "hls4ml"}; }

  bool parse(JsonReader& R, const json& lj, const std::string& p, Layer& L) const override {
    L.out_shape = L.in_shape;
    R.softmax_options(lj, p, L.softmax_impl, L.sm);
    if (lj.contains("hls4ml") && L.softmax_impl == "tinyforge")
      R.err(p + ".hls4ml", lj["hls4ml"],
            "no hls4ml options with implementation \"tinyforge\" (set \"implementation\": \"hls4ml_stable\" or "
            "\"hls4ml_latency\")");
    if (lj.contains("argmax_only")) {
      if (!lj["argmax_only"].is_boolean())
        R.err(p + ".argmax_only", lj["argmax_only"], "true or false");
      else
        L.argmax_only = lj["argmax_only"].get<bool>();
    }
    return true;
  }

  bool is_activation() const override { return true; }

  std::vector<OnnxOp> onnx_ops() const override { return {{"Softmax", 16, "Softmax"}}; }

  void import_onnx(OnnxNode& c, json& L) const override {
    c.only({"axis"});
    int64_t axis = c.i("axis", -1);
    if (axis != -1 && axis != 1) c.unsupported_value("axis", std::to_string(axis), "-1 or 1 (the feature axis)");
    if (c.shape().size() != 1) c.fail("Softmax is supported on a flat (1-D) tensor only; add a Flatten first");
    L["type"] = "softmax";
  }

  void eval_float(const Layer& L, const std::vector<double>& cur, std::vector<double>& out) const override {
    double mx = *std::max_element(cur.begin(), cur.end()), z = 0;
    for (double x : cur) z += std::exp(x - mx);
    size_t arg = std::max_element(cur.begin(), cur.end()) - cur.begin();
    for (size_t i = 0; i < cur.size(); ++i)
      out.push_back(L.argmax_only ? (i == arg ? 1.0 : 0.0) : std::exp(cur[i] - mx) / z);
  }

  void emulate(const EmuLayer& e, Tensor& out) const override {
    const Layer& L = e.L;
    const FixedFormat& R = L.prec.result;
    const std::vector<i128>& x = e.in.raw;
    const int Fx = e.in.fmt.F();
    LayerStats& st = e.stats;
    int n = (int)x.size();
    size_t arg = 0;
    for (int i = 1; i < n; ++i)
      if (x[i] > x[arg]) arg = (size_t)i;
    if (L.argmax_only) {
      for (int i = 0; i < n; ++i) out.raw.push_back(to_fmt(R, (size_t)i == arg ? 1 : 0, 0, st));
    } else if (L.softmax_impl != "tinyforge") {
      const Hls4mlSoftmax& sm = L.sm;
      const Hls4mlTables& T = cached_tables(L, e.in.fmt);
      const FixedFormat& A = sm.accum_t;
      std::vector<i128> ex(n);
      for (int i = 0; i < n; ++i) {
        unsigned k = L.softmax_impl == "hls4ml_stable"
                         ? top_bits(sm.inp_norm_t.from_exact(x[arg] - x[i], Fx), sm.inp_norm_t, sm.exp_size)
                         : top_bits(x[i], e.in.fmt, sm.exp_size);
        ex[i] = A.from_exact(T.exp[k], sm.exp_table_t.F());
      }
      i128 s = sm.inv_inp_t.from_exact(tree_sum(ex, 0, (size_t)n, A), A.F());
      i128 r = T.inv[top_bits(s, sm.inv_inp_t, sm.inv_size)];
      for (int i = 0; i < n; ++i) out.raw.push_back(to_fmt(R, ex[i] * r, A.F() + sm.inv_table_t.F(), st));
    } else {
      thread_local int sf_n = -1;  // the formats depend on n only; parsed once per thread, not per vector
      thread_local SoftmaxFormats sf;
      if (sf_n != n) {
        sf = softmax_formats(n);
        sf_n = n;
      }
      std::vector<i128> ex(n);
      i128 sum = 0;
      for (int i = 0; i < n; ++i) {
        unsigned idx = unsigned_table_index(x[arg] - x[i], Fx, (unsigned)sf.exp_size, sf.exp_range_log2);
        ex[i] = sf.exp_t.from_double(hl::softmax_exp_entry(idx, (unsigned)sf.exp_size, sf.exp_range_log2));
        sum += ex[i];
      }
      i128 s = sf.sum_t.from_exact(sum, sf.exp_t.F());
      unsigned j = unsigned_table_index(s, sf.sum_t.F(), (unsigned)sf.inv_size, sf.inv_range_log2);
      i128 r = sf.inv_t.from_double(hl::softmax_inv_entry(j, (unsigned)sf.inv_size, sf.inv_range_log2));
      for (int i = 0; i < n; ++i) out.raw.push_back(to_fmt(R, ex[i] * r, sf.exp_t.F() + sf.inv_t.F(), st));
    }
  }

  std::string hls_header() const override { return "softmax.h"; }

  void emit_hls(HlsLayer& h) const override {
    const Layer& L = h.L;
    if (L.softmax_impl != "tinyforge" && !L.argmax_only) {
      const Hls4mlSoftmax& sm = L.sm;
      h.config << "struct " << h.cfg << " {\n  static const unsigned n_in = " << L.in_size() << ";\n"
               << "  static const bool stable = " << (L.softmax_impl == "hls4ml_stable" ? "true" : "false") << ";\n"
               << "  static const unsigned exp_table_size = " << sm.exp_size << ", inv_table_size = " << sm.inv_size
               << ";\n"
               << "  typedef " << sm.exp_table_t.cpp() << " exp_table_t;\n  typedef " << sm.inv_table_t.cpp()
               << " inv_table_t;\n  typedef " << sm.accum_t.cpp() << " accum_t;\n  typedef " << sm.inv_inp_t.cpp()
               << " inv_inp_t;\n  typedef " << sm.inp_norm_t.cpp() << " inp_norm_t;\n};\n";
      h.call << "  tinyforge::hls::softmax_hls4ml<" << h.prev_t << ", " << h.res_t << ", " << h.cfg << ">(" << h.prev_v
             << ", " << h.id << "_out);\n";
      return;
    }
    SoftmaxFormats sf = softmax_formats(L.in_size());
    h.config << "struct " << h.cfg << " {\n  static const unsigned n_in = " << L.in_size() << ";\n"
             << "  static const unsigned exp_table_size = " << sf.exp_size << ", inv_table_size = " << sf.inv_size
             << ";\n"
             << "  static const int exp_range_log2 = " << sf.exp_range_log2
             << ", inv_range_log2 = " << sf.inv_range_log2 << ";\n"
             << "  static const bool argmax_only = " << (L.argmax_only ? "true" : "false") << ";\n"
             << "  typedef " << sf.exp_t.cpp() << " exp_table_t;\n  typedef " << sf.inv_t.cpp() << " inv_table_t;\n"
             << "  typedef " << sf.sum_t.cpp() << " exp_sum_t;\n};\n";
    h.call << "  tinyforge::hls::softmax<" << h.prev_t << ", " << h.res_t << ", " << h.cfg << ">(" << h.prev_v << ", "
           << h.id << "_out);\n";
  }

  // The hls4ml modes: the exp-table indices (top bits of the input, or of max - x in inp_norm_t) and table
  // reads, the entries converted into accum_t and registered (one stage); then hls4ml's adder tree, the
  // inverse-table read and the products into the layer's output register.
  void emit_rtl_hls4ml(RtlLayer& r) const {
    const Layer& L = r.L;
    const Hls4mlSoftmax& sm = L.sm;
    const FixedFormat& R = L.prec.result;
    const FixedFormat& cur = r.cur;
    const FixedFormat& A = sm.accum_t;
    const int n = r.n_cur, XW = cur.W, Fx = cur.F();
    const bool stable = L.softmax_impl == "hls4ml_stable";
    std::ostringstream& v = r.v;
    const Hls4mlTables& T = cached_tables(L, cur);
    const int eb = clog2(sm.exp_size), jb = clog2(sm.inv_size), EW = sm.exp_table_t.W;
    const std::string exp_mem = r.mod + "_exp.mem", inv_mem = r.mod + "_inv.mem";
    r.table(exp_mem, eb, EW, T.exp);
    r.table(inv_mem, jb, sm.inv_table_t.W, T.inv);
    auto ext1 = [](const std::string& a, int w, bool sgn) {  // one more bit, as a signed number
      return "$signed({" + (sgn ? a + "[" + std::to_string(w - 1) + "]" : std::string("1'b0")) + ", " + a + "})";
    };
    v << "  /* verilator lint_off UNUSEDSIGNAL */\n";
    for (int i = 0; i < n; ++i)
      v << "  wire [" << XW - 1 << ":0] xi" << i << " = " << el("x", i, XW) << ";\n"
        << "  wire signed [" << XW << ":0] n" << i << " = " << ext1("xi" + std::to_string(i), XW, cur.S) << ";\n";
    if (stable) {
      v << "  wire signed [" << XW << ":0] m0 = n0;\n";
      for (int i = 1; i < n; ++i)
        v << "  wire signed [" << XW << ":0] m" << i << " = n" << i << " > m" << i - 1 << " ? n" << i << " : m" << i - 1
          << ";\n";
    }
    const FixedFormat& N = sm.inp_norm_t;
    for (int i = 0; i < n; ++i) {
      const std::string k = std::to_string(i);
      std::string idx;
      if (stable) {
        v << "  wire signed [" << XW + 1 << ":0] d" << k << " = m" << n - 1 << " - n" << k << ";\n"
          << "  wire [" << N.W - 1 << ":0] nd" << k << ";\n"
          << quant("qd" + k, XW + 2, Fx, true, N, -1, "d" + k, "nd" + k);
        idx = "nd" + k + "[" + std::to_string(N.W - 1) + ":" + std::to_string(N.W - eb) + "]";
      } else {
        idx = "xi" + k + "[" + std::to_string(XW - 1) + ":" + std::to_string(XW - eb) + "]";
      }
      v << "  wire [" << eb - 1 << ":0] ie" << k << " = " << idx << ";\n  wire [" << EW - 1 << ":0] ew" << k << ";\n"
        << rom_read("exp" + k, exp_mem, eb, EW, "ie" + k, "ew" + k) << "  wire [" << A.W - 1 << ":0] ea" << k << ";\n"
        << quant("qe" + k, EW, sm.exp_table_t.F(), sm.exp_table_t.S, A, -1, "ew" + k, "ea" + k) << "  reg ["
        << A.W - 1 << ":0] e" << k << ";\n  always @(posedge clk) if (en) e" << k << " <= ea" << k << ";\n";
    }
    // hls4ml's tree: N terms split into the largest power of two below N and the rest; each sum into accum_t.
    int node = 0;
    std::function<std::string(int, int)> tree = [&](int lo, int cnt) -> std::string {
      if (cnt == 1) return "e" + std::to_string(lo);
      std::string a, b;
      if (cnt == 2) {
        a = "e" + std::to_string(lo);
        b = "e" + std::to_string(lo + 1);
      } else {
        int left = 1;
        while (left * 2 < cnt) left *= 2;
        a = tree(lo, left);
        b = tree(lo + left, cnt - left);
      }
      const std::string k = std::to_string(node++);
      v << "  wire signed [" << A.W + 1 << ":0] st" << k << " = " << ext1(a, A.W, A.S) << " + " << ext1(b, A.W, A.S)
        << ";\n  wire [" << A.W - 1 << ":0] su" << k << ";\n"
        << quant("qt" + k, A.W + 2, A.F(), true, A, -1, "st" + k, "su" + k);
      return "su" + k;
    };
    const std::string sum = tree(0, n);
    const FixedFormat& I = sm.inv_inp_t;
    const int VW = sm.inv_table_t.W;
    v << "  wire [" << I.W - 1 << ":0] si;\n" << quant("qsi", A.W, A.F(), A.S, I, -1, sum, "si") << "  wire ["
      << jb - 1 << ":0] js = si[" << I.W - 1 << ":" << I.W - jb << "];\n  wire [" << VW - 1 << ":0] rv;\n"
      << rom_read("inv", inv_mem, jb, VW, "js", "rv");
    const int PW = A.W + VW + 2;
    for (int i = 0; i < n; ++i) {
      const std::string k = std::to_string(i);
      v << "  wire signed [" << PW - 1 << ":0] pr" << k << " = " << ext1("e" + k, A.W, A.S) << " * "
        << ext1("rv", VW, sm.inv_table_t.S) << ";\n"
        << quant("qy" + k, PW, A.F() + sm.inv_table_t.F(), true, R, -1, "pr" + k, el("y", i, R.W));
    }
    v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
    r.stages = 1;
  }

  void emit_rtl(RtlLayer& r) const override {
    const Layer& L = r.L;
    if (L.softmax_impl != "tinyforge" && !L.argmax_only) {
      emit_rtl_hls4ml(r);
      return;
    }
    const FixedFormat& R = L.prec.result;
    const FixedFormat& cur = r.cur;
    const int n_cur = r.n_cur, XW = cur.W, Fx = cur.F();
    std::ostringstream& v = r.v;
    // Differences from the maximum need only the input's bits, the index shift and a few guard bits.
    int sh = L.argmax_only ? 0 : clog2(softmax_formats(n_cur).exp_size) - softmax_formats(n_cur).exp_range_log2 - Fx;
    const int KW = XW + 3 + std::max(0, sh) + (L.argmax_only ? 0 : clog2(softmax_formats(n_cur).exp_size));
    // The maximum (ties: the first) from all pairwise comparisons at once: input i is selected when it
    // exceeds every earlier input and is not exceeded by any later one; exactly one is.
    for (int i = 0; i < n_cur; ++i)  // compared on the input's own bits (one more when unsigned)
      v << "  wire signed [" << XW << ":0] n" << i << " = $signed({"
        << (cur.S ? "x[" + std::to_string((i + 1) * XW - 1) + "]" : std::string("1'b0")) << ", " << el("x", i, XW)
        << "});\n";
    for (int i = 0; i < n_cur; ++i)
      for (int j = 0; j < i; ++j) v << "  wire g" << i << "_" << j << " = n" << i << " > n" << j << ";\n";
    for (int i = 0; i < n_cur; ++i) {
      std::string sel;
      for (int j = 0; j < n_cur; ++j)
        if (j != i)
          sel += (sel.empty() ? "" : " & ") + (j < i ? "g" + std::to_string(i) + "_" + std::to_string(j)
                                                     : "!g" + std::to_string(j) + "_" + std::to_string(i));
      v << "  wire sel" << i << " = " << (sel.empty() ? "1'b1" : sel) << ";\n";
    }
    if (L.argmax_only) {
      for (int i = 0; i < n_cur; ++i) {
        const_wire(v, "one" + std::to_string(i), R, R.from_exact(1, 0));
        v << "  assign " << el("y", i, R.W) << " = sel" << i << " ? one" << i << " : " << R.W << "'d0;\n";
      }
    } else {
      // Four stages, as softmax.h: (1) the maximum; (2) the exp-table indices of max - x, read from the table
      // at the stage's end (a registered read); (3) the entries' sum; (4) the inverse-table entry of the sum
      // and the products (into the layer's output register).
      r.stages = 3;
      std::string mxs;
      for (int i = 0; i < n_cur; ++i)
        mxs += (i ? " | " : "") + std::string("({") + std::to_string(XW) + "{sel" + std::to_string(i) + "}} & " +
               el("x", i, XW) + ")";
      v << "  reg [" << XW - 1 << ":0] mr;\n  reg [" << n_cur * XW - 1 << ":0] xr;\n"
        << "  always @(posedge clk) if (en) begin mr <= " << mxs << "; xr <= x; end\n";
      auto ext = [&](const std::string& e, const std::string& msb) {
        return "$signed({{" + std::to_string(KW - XW) + "{" + (cur.S ? msb : std::string("1'b0")) + "}}, " + e + "})";
      };
      v << "  wire signed [" << KW - 1 << ":0] mx = " << ext("mr", "mr[" + std::to_string(XW - 1) + "]") << ";\n";
      SoftmaxFormats sf = softmax_formats(n_cur);
      std::vector<i128> ex, inv;
      for (int k = 0; k < sf.exp_size; ++k)
        ex.push_back(sf.exp_t.from_double(
            tinyforge::hls::softmax_exp_entry((unsigned)k, (unsigned)sf.exp_size, sf.exp_range_log2)));
      for (int k = 0; k < sf.inv_size; ++k)
        inv.push_back(sf.inv_t.from_double(
            tinyforge::hls::softmax_inv_entry((unsigned)k, (unsigned)sf.inv_size, sf.inv_range_log2)));
      int eb = clog2(sf.exp_size), jb = clog2(sf.inv_size);
      const std::string exp_mem = r.mod + "_exp.mem", inv_mem = r.mod + "_inv.mem";
      r.table(exp_mem, eb, sf.exp_t.W, ex);
      r.table(inv_mem, jb, sf.inv_t.W, inv);
      const int EW = sf.exp_t.W, SW = EW + clog2((long long)n_cur + 1) + 1;
      std::string sum = slit(SW, 0);
      for (int i = 0; i < n_cur; ++i) {
        std::string k = std::to_string(i);
        std::string xk = el("xr", i, XW);
        v << "  wire signed [" << KW - 1 << ":0] d" << k << " = mx - "
          << ext(xk, "xr[" + std::to_string((i + 1) * XW - 1) + "]") << ";\n";
        clamp_index(v, "ie" + k, "d" + k, KW, eb - sf.exp_range_log2 - Fx, 0, 0, sf.exp_size);
        // The index goes straight into a registered table read (a block RAM's read port).
        v << "  wire [" << EW - 1 << ":0] ew" << k << ";\n"
          << rom_read("exp" + k, exp_mem, eb, EW, "ie" + k, "ew" + k, true) << "  reg [" << EW - 1 << ":0] e" << k
          << ";\n  always @(posedge clk) if (en) e" << k << " <= ew" << k << ";\n";
        sum += " + {" + std::to_string(SW - EW) + "'d0, ew" + k + "}";
      }
      v << "  reg [" << SW - 1 << ":0] esum;\n  always @(posedge clk) if (en) esum <= " << sum << ";\n";
      v << "  wire [" << sf.sum_t.W - 1 << ":0] s;\n"
        << quant("us", SW, sf.exp_t.F(), false, sf.sum_t, -1, "esum", "s");
      const int KS = sf.sum_t.W + 3 + std::max(0, jb - sf.inv_range_log2 - sf.sum_t.F()) + jb;
      v << "  wire signed [" << KS - 1 << ":0] sx = $signed({" << KS - sf.sum_t.W << "'d0, s});\n";
      clamp_index(v, "js", "sx", KS, jb - sf.inv_range_log2 - sf.sum_t.F(), 0, 0, sf.inv_size);
      v << "  wire [" << sf.inv_t.W - 1 << ":0] r;\n" << rom_read("inv", inv_mem, jb, sf.inv_t.W, "js", "r");
      const int PW2 = EW + sf.inv_t.W;
      for (int i = 0; i < n_cur; ++i) {
        std::string k = std::to_string(i);
        v << "  wire [" << PW2 - 1 << ":0] pr" << k << " = {" << sf.inv_t.W << "'d0, e" << k << "} * {" << EW
          << "'d0, r};\n";
        v << quant("u" + k, PW2, sf.exp_t.F() + sf.inv_t.F(), false, R, -1, "pr" + k, el("y", i, R.W));
      }
    }
  }
};

}  // namespace

TF_REGISTER_LAYER("softmax", 40, SoftmaxKind)

}  // namespace tf::hlsgen
