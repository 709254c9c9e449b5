#include "layers/mac_rtl.h"

#include <array>
#include <set>

#include "rtl_text.h"

namespace tf::hlsgen {

namespace {

// A dense or conv layer at reuse factor 1: each output's bias and products summed by a carry-save tree.
// CUR, WF: input and weight formats; BIAS_F: the bias's fraction bits; A, T, R: accumulator, product
// (wrapping) and result formats; SW: the width of the exact sum.
class CarrySaveSums {
 public:
  CarrySaveSums(std::ostringstream& v, int n_cur, const FixedFormat& cur, const FixedFormat& Wf, int bias_f,
                const FixedFormat& A, const FixedFormat& T, const FixedFormat& R, int SW, int pipeline_k)
      : v(v),
        n_cur(n_cur),
        cur(cur),
        A(A),
        T(T),
        R(R),
        bias_f(bias_f),
        SW(SW),
        pipeline_k(pipeline_k),
        XW(cur.W),
        Fp(cur.F() + Wf.F()),
        // The product of a signed XW-bit and a signed WW-bit number fits in XW + WW bits; one more when either
        // is unsigned.
        PW(XW + Wf.W + (cur.S && Wf.S ? 0 : 1)),
        S(Fp - T.F()),
        slice(T.Q == tinyforge::hls::TRN && S >= 0),  // truncation into a wrapping type: a bit slice
        // The carry-save rows are CW bits wide: SW rounded up to a machine word (32 or 64 bits). The sum is exact
        // modulo 2^SW and a carry only moves up, so the rows' bits above SW change nothing in the low SW bits
        // (synthesis removes them as unused); a simulator then needs no mask after each word operation and no
        // sign extension of each leaf. With a bit slice the products are computed PX bits wide, a machine word
        // holding bits S .. S + CW - 1 where possible, so a leaf is one slice of its product.
        CW(SW <= 32   ? 32
           : SW <= 64 ? 64
                      : SW),
        PX(!slice                       ? PW
           : std::max(PW, S + CW) <= 32 ? 32
           : std::max(PW, S + CW) <= 64 ? 64
                                        : std::max(PW, CW)),
        ib(slice && pipeline_k == 0) {}  // the products in the output's block (else module wires)

  // Appends the module body for OUTS to V (after its ports), adds the multipliers to MULTIPLIERS and returns
  // the layer's register stages.
  int emit(const std::vector<MacOut>& outs, long& multipliers) {
    // Inputs sign- (or zero-) extended to PX bits, so every multiplication is PX x PX -> PX bits (synthesis
    // narrows it to XW x WW bits again).
    // Unused here (to the end of the layer): an input whose weights all quantize to zero, and the bits of
    // the products and rows above the ones the sum needs.
    v << "  /* verilator lint_off UNUSEDSIGNAL */\n";
    for (int i = 0; i < n_cur; ++i) {
      std::string msb = "x[" + std::to_string((i + 1) * XW - 1) + "]";
      v << "  wire signed [" << PX - 1 << ":0] x" << i << " = $signed({{" << PX - XW << "{"
        << (cur.S ? msb : std::string("1'b0")) << "}}, " << el("x", i, XW) << "});\n";
    }
    // Carry-save adder tree (uniform depth over outputs, so every output has the same latency): the leaves
    // (bias and products, each sign-extended to CW bits) are reduced three rows to two per level, word by
    // word (sum = a ^ b ^ c, carry = majority(a, b, c) << 1), until two rows remain; they are registered and
    // added by one carry-propagate adder in the next cycle. Arithmetic is modulo 2^SW, exact because the
    // true sum fits in SW bits. --pipeline K also registers each product, every K carry-save levels, and
    // the accumulator between its two conversions.
    // Each output's logic between two registers is one combinational block (always @*) of local variables:
    // the same gates as a list of wires, but a simulator evaluates each value once, in order, in machine
    // registers. Without --pipeline the block also holds the output's products; with it (or when a product
    // goes through the quantizer) the products are wires and registers of the module.
    // A weight of -2^k needs no multiplier: with v = x 2^k, the truncated product floor(-v / 2^S) equals
    // floor(~v / 2^S) + [v = 0 mod 2^S], and floor(~v / 2^S) = ~floor(v / 2^S) = ~(x shifted by k - S), so
    // the row is x shifted and inverted plus a carry-in (a constant when k >= S, else one bit), and no
    // negation chain sits in front of the carry-save tree.
    std::vector<Block> blocks(outs.size());
    std::vector<std::vector<std::string>> all_rows(outs.size());
    for (size_t j = 0; j < outs.size(); ++j) all_rows[j] = leaves(j, outs[j], blocks[j], multipliers);
    // Carry-save levels of the largest output; every output gets as many (and the same registers).
    size_t max_rows = 0;
    for (const auto& rows : all_rows) max_rows = std::max(max_rows, rows.size());
    int D = 0;
    for (size_t n = max_rows; n > 2; n = n / 3 * 2 + n % 3) ++D;
    int stages = 1;
    if (pipeline_k > 0) stages += 1 + (D > 0 ? (D - 1) / pipeline_k : 0) + 1;
    for (size_t j = 0; j < outs.size(); ++j) reduce(j, all_rows[j], blocks[j], D);
    v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
    return stages;
  }

 private:
  struct Block {
    std::ostringstream decl, body;
    std::set<std::string> local;  // rows computed in the block (the others are module signals or constants)
  };

  // A value of width w: a local of the output's block, or a wire of the module.
  void def(Block& blk, bool in_block, bool sgn, int w, const std::string& n, const std::string& e) {
    const std::string ty = std::string(sgn ? "signed " : "") + "[" + std::to_string(w - 1) + ":0] ";
    if (in_block) {
      blk.decl << "    reg " << ty << n << ";\n";
      blk.body << "    " << n << " = " << e << ";\n";
    } else {
      v << "  wire " << ty << n << " = " << e << ";\n";
    }
  }

  // k when weight W is -2^k and the product is a bit slice (see emit), else -1.
  int neg_pow2(i128 w) const {
    if (!slice || w >= 0) return -1;
    i128 a = -w;
    if (a & (a - 1)) return -1;
    int k = 0;
    while ((a >> k) != 1) ++k;
    return (k >= S || S - k <= PW) ? k : -1;
  }

  // Output J's leaves: its bias in accumulator units and its products, each CW bits wide (zero weights left
  // out); counts the multipliers.
  std::vector<std::string> leaves(size_t j, const MacOut& o, Block& blk, long& multipliers) {
    std::vector<std::string> rows;
    i128 b_acc = A.from_exact(o.bias, bias_f);  // bias in accumulator units
    for (const auto& tw : o.terms) {
      if (tw.second == 0) continue;
      ++multipliers;
      const std::string id = std::to_string(j) + "_" + std::to_string(tw.first), xi = "x" + std::to_string(tw.first);
      std::string p = "p" + id, t = "t" + id;
      if (int k = neg_pow2(tw.second); k >= 0) {
        // x is PX >= CW bits wide (slice), sign-extended: the shift is exact in its low CW bits.
        def(blk, ib, true, PX, p, xi + (k >= S ? " << " : " >>> ") + std::to_string(std::abs(k - S)));
        std::vector<std::string> rs = {"~" + p + (PX > CW ? "[" + std::to_string(CW - 1) + ":0]" : std::string(""))};
        if (ib) blk.local.insert(rs[0]);
        if (k >= S)
          ++b_acc;
        else
          rs.push_back("{" + std::to_string(CW - 1) + "'d0, ~|" + xi + "[" + std::to_string(S - k - 1) + ":0]}");
        for (size_t q = 0; q < rs.size(); ++q) {
          if (pipeline_k > 0) {
            std::string n = "n" + id + "_" + std::to_string(q);
            v << "  reg [" << CW - 1 << ":0] " << n << ";\n  always @(posedge clk) if (en) " << n << " <= " << rs[q]
              << ";\n";
            rs[q] = n;
          }
          rows.push_back(rs[q]);
        }
        continue;
      }
      def(blk, ib, true, PX, p, xi + " * " + slit(PX, tw.second));
      int TW = T.W;  // the leaf's width before its extension to CW bits
      if (slice) {
        // The truncated product sign-extended to CW bits: a slice of the product, else its arithmetic
        // shift (its low CW bits, when the product is wider).
        TW = CW;
        const std::string lo = "[" + std::to_string(CW - 1) + ":0]";
        if (S + CW <= PX)
          def(blk, ib, false, CW, t, p + "[" + std::to_string(S + CW - 1) + ":" + std::to_string(S) + "]");
        else if (PX == CW)
          def(blk, ib, false, CW, t, p + " >>> " + std::to_string(S));
        else {
          def(blk, ib, true, PX, t + "s", p + " >>> " + std::to_string(S));
          def(blk, ib, false, CW, t, t + "s" + lo);
        }
        if (ib) blk.local.insert(t);
      } else {
        v << "  wire signed [" << T.W - 1 << ":0] " << t << ";\n" << quant("q" + t, PW, Fp, true, T, -1, p, t);
      }
      if (pipeline_k > 0) {
        v << "  reg [" << TW - 1 << ":0] " << t << "r;\n  always @(posedge clk) if (en) " << t << "r <= " << t << ";\n";
        t += "r";
      }
      rows.push_back(
          TW == CW ? t : "{{" + std::to_string(CW - TW) + "{" + t + "[" + std::to_string(TW - 1) + "]}}, " + t + "}");
    }
    if (b_acc != 0) rows.insert(rows.begin(), slit(CW, b_acc));
    while (rows.size() < 2) rows.push_back(slit(CW, 0));
    return rows;
  }

  // Registers ROWS of output J; those computed in the block leave it through module variables e..., the
  // block is written out and the next one starts empty.
  void register_rows(std::vector<std::string>& rows, Block& blk, const std::string& J, const std::string& tag) {
    std::ostringstream flops;
    for (size_t q = 0; q < rows.size(); ++q) {
      std::string n = "k" + J + "_" + tag + "_" + std::to_string(q), src = rows[q];
      if (blk.local.count(rows[q])) {
        src = "e" + J + "_" + tag + "_" + std::to_string(q);
        v << "  reg [" << CW - 1 << ":0] " << src << ";\n";
        blk.body << "    " << src << " = " << rows[q] << ";\n";
      }
      flops << "  reg [" << CW - 1 << ":0] " << n << ";\n  always @(posedge clk) if (en) " << n << " <= " << src
            << ";\n";
      rows[q] = n;
    }
    if (!blk.decl.str().empty())
      v << "  always @* begin : tree" << J << "_" << tag << "\n" << blk.decl.str() << blk.body.str() << "  end\n";
    v << flops.str();
    blk.decl.str("");
    blk.body.str("");
    blk.local.clear();
  }

  // Output J's ROWS reduced over D carry-save levels (registered every pipeline_k levels), added, and
  // converted into the accumulator and then the result format: its slice of y.
  void reduce(size_t j, std::vector<std::string>& rows, Block& blk, int D) {
    const std::string J = std::to_string(j);
    for (int l = 1; l <= D; ++l) {
      if (rows.size() > 2) {
        std::vector<std::string> next;
        size_t q = 0;
        for (; q + 3 <= rows.size(); q += 3) {
          std::string c = J + "_" + std::to_string(l) + "_" + std::to_string(q / 3);
          def(blk, true, false, CW, "h" + c, rows[q] + " ^ " + rows[q + 1]);
          def(blk, true, false, CW, "s" + c, "h" + c + " ^ " + rows[q + 2]);
          def(blk, true, false, CW, "c" + c,
              "((" + rows[q] + " & " + rows[q + 1] + ") | (h" + c + " & " + rows[q + 2] + ")) << 1");
          next.push_back("s" + c);
          next.push_back("c" + c);
          blk.local.insert("s" + c);
          blk.local.insert("c" + c);
        }
        for (; q < rows.size(); ++q) next.push_back(rows[q]);
        rows = next;
      }
      if (pipeline_k > 0 && l % pipeline_k == 0 && l < D) register_rows(rows, blk, J, "l" + std::to_string(l));
    }
    register_rows(rows, blk, J, "r");
    auto low = [&](const std::string& r) { return CW > SW ? r + "[" + std::to_string(SW - 1) + ":0]" : r; };
    v << "  wire signed [" << SW - 1 << ":0] s" << j << " = $signed(" << low(rows[0]) << " + " << low(rows[1])
      << ");\n";
    std::string a = "a" + std::to_string(j);
    v << "  wire [" << A.W - 1 << ":0] " << a << ";\n"
      << quant("qa" + std::to_string(j), SW, A.F(), true, A, -1, "s" + std::to_string(j), a);
    if (pipeline_k > 0) {
      v << "  reg [" << A.W - 1 << ":0] " << a << "r;\n  always @(posedge clk) if (en) " << a << "r <= " << a << ";\n";
      a += "r";
    }
    v << quant("qr" + std::to_string(j), A.W, A.F(), A.S, R, -1, a, el("y", (int)j, R.W));
  }

  std::ostringstream& v;
  const int n_cur;
  const FixedFormat &cur, &A, &T, &R;
  const int bias_f, SW, pipeline_k, XW, Fp, PW, S;
  const bool slice;
  const int CW, PX;
  const bool ib;
};

}  // namespace

// Accumulation "hls4ml" at reuse factor 1: per output a chain in input order, each product converted into the
// accumulator format (its quantization and overflow modes), then each addition; the last sum is registered
// (one stage, also under --pipeline) and converted into the result format.
static void emit_mac_each_add_rtl(RtlLayer& lay, const std::vector<MacOut>& outs) {
  const Layer& L = lay.L;
  std::ostringstream& v = lay.v;
  const FixedFormat& cur = lay.cur;
  const FixedFormat& A = L.prec.accum;
  const FixedFormat& R = L.prec.result;
  const FixedFormat& Wf = L.prec.weight;
  const int XW = cur.W, XE = XW + 1, WE = Wf.W + 1, PW = XE + WE, Fp = cur.F() + Wf.F();
  for (const auto& o : outs) lay.bound += (long)o.terms.size();
  v << "  /* verilator lint_off UNUSEDSIGNAL */\n";
  for (int i = 0; i < lay.n_cur; ++i) {
    std::string msb = "x[" + std::to_string((i + 1) * XW - 1) + "]";
    v << "  wire signed [" << XE - 1 << ":0] x" << i << " = $signed({" << (cur.S ? msb : std::string("1'b0")) << ", "
      << el("x", i, XW) << "});\n";
  }
  v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
  for (size_t j = 0; j < outs.size(); ++j) {
    const std::string J = std::to_string(j);
    std::string acc = "c" + J + "_b";
    const_wire(v, acc, A, A.from_exact(outs[j].bias, L.prec.bias.F()));
    int t = 0;
    for (const auto& tw : outs[j].terms) {
      if (tw.second == 0) continue;  // a zero product leaves the sum unchanged
      const std::string k = J + "_" + std::to_string(t++);
      ++lay.multipliers;
      v << "  wire signed [" << PW - 1 << ":0] p" << k << " = x" << tw.first << " * " << slit(WE, tw.second) << ";\n"
        << "  wire [" << A.W - 1 << ":0] q" << k << ";\n" << quant("qp" + k, PW, Fp, true, A, -1, "p" + k, "q" + k);
      auto wide = [&](const std::string& a) {
        return "{" + (A.S ? a + "[" + std::to_string(A.W - 1) + "]" : std::string("1'b0")) + ", " + a + "}";
      };
      v << "  wire [" << A.W << ":0] s" << k << " = " << wide(acc) << " + " << wide("q" + k) << ";\n"
        << "  wire [" << A.W - 1 << ":0] c" << k << ";\n" << quant("qs" + k, A.W + 1, A.F(), A.S, A, -1, "s" + k, "c" + k);
      acc = "c" + k;
    }
    v << "  reg [" << A.W - 1 << ":0] o" << J << ";\n  always @(posedge clk) if (en) o" << J << " <= " << acc << ";\n"
      << quant("qr" + J, A.W, A.F(), A.S, R, -1, "o" + J, el("y", (int)j, R.W));
  }
  lay.stages = 1;
}

void emit_mac_rtl(RtlLayer& lay, const std::vector<MacOut>& outs) {
  const Layer& L = lay.L;
  if (L.accumulation == "hls4ml") {
    emit_mac_each_add_rtl(lay, outs);
    return;
  }
  std::ostringstream& v = lay.v;
  const FixedFormat& cur = lay.cur;
  const int n_cur = lay.n_cur, XW = cur.W, Fx = cur.F();
  const FixedFormat& R = L.prec.result;
  const FixedFormat& A = L.prec.accum;
  const FixedFormat& Wf = L.prec.weight;
  size_t max_terms = 1;
  for (const auto& o : outs) max_terms = std::max(max_terms, o.terms.size());
  for (const auto& o : outs) lay.bound += (long)o.terms.size();  // R = 1: every product (R > 1 below)
  // Product as a signed number: operands sign- or zero-extended by one bit.
  const int PW = XW + Wf.W + 2, Fp = Fx + Wf.F();
  const int P_I = (XW - Fx) + (Wf.W - Wf.F());
  const bool P_S = cur.S || Wf.S;
  const int TI = std::max(P_I + (P_S ? 0 : 1), A.I);
  FixedFormat T = A;
  T.W = TI + A.F();
  T.I = TI;
  T.S = true;
  T.O = tinyforge::hls::WRAP;
  const int G = clog2((long long)max_terms + 2) + 1;
  const int SW = T.W + G;
  if (L.reuse_factor > 1) {
    // Time-multiplexed (reuse factor R > 1): the layer's products, listed output by output, are cut into
    // consecutive chunks of R; multiplier m computes chunk m, one product per cycle, so ceil(total / R)
    // multipliers serve the layer and a new input is accepted every R cycles. Phase 0 uses the live input
    // (held for phases 1..R-1); each output's exact sum is accumulated over the R phases, then quantized as
    // in the fully parallel case (the sum does not depend on the order of the terms).
    const int Rr = L.reuse_factor, PB = std::max(1, clog2(Rr));
    struct Term {
      int j, i;
      i128 w;
    };
    std::vector<Term> flat;
    for (size_t j = 0; j < outs.size(); ++j)
      for (const auto& tw : outs[j].terms) flat.push_back({(int)j, tw.first, tw.second});
    const int total = (int)flat.size(), M = (total + Rr - 1) / Rr;
    lay.bound = M;
    const int XE = XW + 1, WE = Wf.W + 1;
    lay.takes_valid = true;
    lay.stages = Rr;
    lay.multipliers += M;
    v << "  reg [" << n_cur * XW - 1 << ":0] xh;\n  reg [" << PB - 1 << ":0] ph;\n  reg run, done;\n"
      << "  wire [" << PB - 1 << ":0] phc = vin ? " << PB << "'d0 : ph;\n  assign vout = done;\n"
      << "  always @(posedge clk)\n    if (rst) begin run <= 1'b0; ph <= " << PB
      << "'d0; done <= 1'b0; end\n    else if (en) begin\n"
      << "      done <= run && ph == " << PB << "'d" << Rr - 1 << ";\n"
      << "      if (vin) begin run <= 1'b1; ph <= " << PB << "'d1; xh <= x; end\n"
      << "      else if (run) begin ph <= ph + " << PB << "'d1; if (ph == " << PB << "'d" << Rr - 1
      << ") run <= 1'b0; end\n    end\n";
    v << "  /* verilator lint_off UNUSEDSIGNAL */\n";
    for (int i = 0; i < n_cur; ++i) {
      auto ext = [&](const std::string& src) {
        std::string msb = src + "[" + std::to_string((i + 1) * XW - 1) + "]";
        return "$signed({" + (cur.S ? msb : std::string("1'b0")) + ", " + el(src, i, XW) + "})";
      };
      v << "  wire signed [" << XE - 1 << ":0] x" << i << " = " << ext("x") << ", h" << i << " = " << ext("xh")
        << ";\n";
    }
    v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
    // Per output: the (multiplier, first phase, last phase) ranges that feed it.
    std::vector<std::vector<std::array<int, 3>>> feeds(outs.size());
    for (int mi = 0; mi < M; ++mi) {
      std::string k = std::to_string(mi);
      v << "  reg signed [" << XE - 1 << ":0] a" << k << ";\n  reg signed [" << WE - 1 << ":0] b" << k << ";\n"
        << "  always @* begin\n    case (phc)\n";
      for (int r = 0; r < Rr; ++r) {
        int g = mi * Rr + r;
        v << "      " << PB << "'d" << r << ": begin ";
        if (g < total)
          v << "a" << k << " = " << (r == 0 ? "x" : "h") << flat[g].i << "; b" << k << " = " << slit(WE, flat[g].w)
            << ";";
        else
          v << "a" << k << " = " << slit(XE, 0) << "; b" << k << " = " << slit(WE, 0) << ";";
        v << " end\n";
        if (g < total) {
          auto& f = feeds[flat[g].j];
          if (!f.empty() && f.back()[0] == mi && f.back()[2] == r - 1)
            f.back()[2] = r;
          else
            f.push_back({mi, r, r});
        }
      }
      v << "      default: begin a" << k << " = " << slit(XE, 0) << "; b" << k << " = " << slit(WE, 0)
        << "; end\n    endcase\n  end\n";
      v << "  wire signed [" << PW - 1 << ":0] p" << k << " = a" << k << " * b" << k << ";\n";
      v << "  wire signed [" << T.W - 1 << ":0] t" << k << ";\n"
        << quant("qt" + k, PW, Fp, true, T, -1, "p" + k, "t" + k);
    }
    for (size_t j = 0; j < outs.size(); ++j) {
      std::string k = std::to_string(j);
      std::string sum = "(vin ? " + slit(SW, A.from_exact(outs[j].bias, L.prec.bias.F())) + " : acc" + k + ")";
      for (const auto& f : feeds[j]) {
        std::string t = "t" + std::to_string(f[0]),
                    ext = "{{" + std::to_string(G) + "{" + t + "[" + std::to_string(T.W - 1) + "]}}, " + t + "}";
        if (f[1] == 0 && f[2] == Rr - 1)
          sum += " + " + ext;
        else {
          auto lit = [&](int q) { return std::to_string(PB) + "'d" + std::to_string(q); };
          std::string cond = f[1] == f[2]     ? "phc == " + lit(f[1])
                             : f[1] == 0      ? "phc <= " + lit(f[2])
                             : f[2] == Rr - 1 ? "phc >= " + lit(f[1])
                                              : "phc >= " + lit(f[1]) + " && phc <= " + lit(f[2]);
          sum += " + ((" + cond + ") ? " + ext + " : " + slit(SW, 0) + ")";
        }
      }
      v << "  reg signed [" << SW - 1 << ":0] acc" << k << ";\n  always @(posedge clk) if (en && (vin || run)) acc" << k
        << " <= " << sum << ";\n";
      v << "  wire [" << A.W - 1 << ":0] o" << k << ";\n"
        << quant("qa" + k, SW, A.F(), true, A, -1, "acc" + k, "o" + k);
      v << quant("qr" + k, A.W, A.F(), A.S, R, -1, "o" + k, el("y", (int)j, R.W));
    }
  } else {
    lay.stages =
        CarrySaveSums(v, n_cur, cur, Wf, L.prec.bias.F(), A, T, R, SW, lay.pipeline_k).emit(outs, lay.multipliers);
  }
}

}  // namespace tf::hlsgen
