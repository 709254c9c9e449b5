#include "emit_rtl.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>


#include "core/diagnostics.h"
#include "emit_hls.h"
#include "emulate.h"
#include "tinyforge/hls/activation.h"
#include "tinyforge/hls/softmax.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

namespace {


int clog2(long long n) {
  int b = 0;
  while ((1LL << b) < n) ++b;
  return b;
}

std::string slit(int width, i128 v) {  // a signed Verilog literal of WIDTH bits (two's complement pattern)
  unsigned __int128 m = (unsigned __int128)v;
  if (width < 128) m &= (((unsigned __int128)1 << width) - 1);
  std::string digits;
  if (m == 0) digits = "0";
  static const char* hx = "0123456789abcdef";
  while (m) {
    digits.insert(digits.begin(), hx[(int)(m & 15)]);
    m >>= 4;
  }
  return std::to_string(width) + "'sh" + digits;
}

std::string quant(const std::string& inst, int iw, int ifr, bool is, const FixedFormat& o, int omode_override,
                  const std::string& din, const std::string& dout) {
  std::ostringstream s;
  s << "  tf_quant #(.IW(" << iw << "), .IF(" << ifr << "), .IS(" << (is ? 1 : 0) << "), .OW(" << o.W << "), .OF(" << o.F()
    << "), .OS(" << (o.S ? 1 : 0) << "), .QMODE(" << (int)o.Q << "), .OMODE(" << (omode_override >= 0 ? omode_override : (int)o.O)
    << ")) " << inst << " (.din(" << din << "), .dout(" << dout << "));\n";
  return s.str();
}

// Slice K of a flat vector of WIDTH-bit elements.
std::string el(const std::string& v, int k, int width) {
  return v + "[" + std::to_string((k + 1) * width - 1) + ":" + std::to_string(k * width) + "]";
}

// A WIDTH-bit code in hexadecimal (two's complement; up to 64 bits), as $readmemh and the test benches read it.
std::string hex_code(i128 v, int width) {
  unsigned __int128 u = (unsigned __int128)v & (width >= 128 ? ~(unsigned __int128)0 : (((unsigned __int128)1 << width) - 1));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%llx", (unsigned long long)u);
  return buf;
}

// A table for tf_rom: FILE gets 2^IDX_BITS hexadecimal WIDTH-bit entries, one per line (zero past the given ones).
void rom_file(const fs::path& file, int idx_bits, int width, const std::vector<i128>& entries) {
  std::ostringstream s;
  for (size_t k = 0; k < ((size_t)1 << idx_bits); ++k) s << hex_code(k < entries.size() ? entries[k] : 0, width) << "\n";
  write_text(file, s.str());
}

// An instance of tf_rom reading FILE: DATA = table[ADDR], combinationally or (REGISTERED) at the clock edge
// while en is high.
std::string rom_read(const std::string& inst, const std::string& file, int idx_bits, int width, const std::string& addr,
                     const std::string& data, bool registered = false) {
  return "  tf_rom #(.AW(" + std::to_string(idx_bits) + "), .DW(" + std::to_string(width) + "), .REG(" + (registered ? "1" : "0") +
         "), .FILE(\"" + file + "\")) " + inst + " (" + (registered ? ".clk(clk), .en(en)" : ".clk(1'b0), .en(1'b0)") + ", .addr(" + addr +
         "), .data(" + data + "));\n";
}

// floor(v * 2^shift) (+ offset before the shift when shift < 0) clamped to [0, size - 1], as a Verilog
// expression on the KW-bit signed wire V; mirrors signed_table_index / unsigned_table_index.
std::string clamp_index(std::ostringstream& v, const std::string& name, const std::string& src, int kw, int shift,
                        i128 add_before, i128 add_after, int size) {
  int ib = clog2(size);
  v << "  wire signed [" << kw - 1 << ":0] " << name << "_v = ";
  if (shift >= 0)
    v << "(" << src << " <<< " << shift << ") + " << slit(kw, add_after) << ";\n";
  else
    v << "(" << src << " + " << slit(kw, add_before) << ") >>> " << -shift << ";\n";
  v << "  wire [" << ib - 1 << ":0] " << name << " = (" << name << "_v < 0) ? " << ib << "'d0 : (" << name << "_v >= "
    << slit(kw, size) << ") ? " << ib << "'d" << size - 1 << " : " << name << "_v[" << ib - 1 << ":0];\n";
  return name;
}

// One output of a dense or conv layer: its bias and its (input index, weight code) terms.
struct Out {
  i128 bias;
  std::vector<std::pair<int, i128>> terms;
};

// A dense or conv layer at reuse factor 1: each output's bias and products summed by a carry-save tree. Appends
// the module body to V (after its ports), adds the multipliers to MULTIPLIERS and returns the layer's register
// stages. CUR, WF: input and weight formats; BIAS_F: the bias's fraction bits; A, T, R: accumulator, product
// (wrapping) and result formats; SW: the width of the exact sum.
int emit_parallel_sums(std::ostringstream& v, const std::vector<Out>& outs, int n_cur, const FixedFormat& cur, const FixedFormat& Wf,
                       int bias_f, const FixedFormat& A, const FixedFormat& T, const FixedFormat& R, int SW, int pipeline_k,
                       long& multipliers) {
  const int XW = cur.W, Fp = cur.F() + Wf.F();
  // The product of a signed XW-bit and a signed WW-bit number fits in XW + WW bits; one more when either
  // is unsigned.
  const int PW = XW + Wf.W + (cur.S && Wf.S ? 0 : 1);
  const int S = Fp - T.F();
  const bool slice = T.Q == tinyforge::hls::TRN && S >= 0;  // truncation into a wrapping type: a bit slice
  // The carry-save rows are CW bits wide: SW rounded up to a machine word (32 or 64 bits). The sum is exact
  // modulo 2^SW and a carry only moves up, so the rows' bits above SW change nothing in the low SW bits
  // (synthesis removes them as unused); a simulator then needs no mask after each word operation and no
  // sign extension of each leaf. With a bit slice the products are computed PX bits wide, a machine word
  // holding bits S .. S + CW - 1 where possible, so a leaf is one slice of its product.
  const int CW = SW <= 32 ? 32 : SW <= 64 ? 64 : SW;
  const int need = std::max(PW, S + CW);
  const int PX = !slice ? PW : need <= 32 ? 32 : need <= 64 ? 64 : std::max(PW, CW);
  // Inputs sign- (or zero-) extended to PX bits, so every multiplication is PX x PX -> PX bits (synthesis
  // narrows it to XW x WW bits again).
  // Unused here (to the end of the layer): an input whose weights all quantize to zero, and the bits of
  // the products and rows above the ones the sum needs.
  v << "  /* verilator lint_off UNUSEDSIGNAL */\n";
  for (int i = 0; i < n_cur; ++i) {
    std::string msb = "x[" + std::to_string((i + 1) * XW - 1) + "]";
    v << "  wire signed [" << PX - 1 << ":0] x" << i << " = $signed({{" << PX - XW << "{" << (cur.S ? msb : std::string("1'b0")) << "}}, "
      << el("x", i, XW) << "});\n";
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
  auto neg_pow2 = [&](i128 w) {
    if (!slice || w >= 0) return -1;
    i128 a = -w;
    if (a & (a - 1)) return -1;
    int k = 0;
    while ((a >> k) != 1) ++k;
    return (k >= S || S - k <= PW) ? k : -1;
  };
  const bool ib = slice && pipeline_k == 0;  // the products in the output's block (else module wires)
  struct Block {
    std::ostringstream decl, body;
    std::set<std::string> local;  // rows computed in the block (the others are module signals or constants)
  };
  std::vector<Block> blocks(outs.size());
  // A value of width w: a local of the output's block, or a wire of the module.
  auto def = [&](Block& blk, bool in_block, bool sgn, int w, const std::string& n, const std::string& e) {
    const std::string ty = std::string(sgn ? "signed " : "") + "[" + std::to_string(w - 1) + ":0] ";
    if (in_block) {
      blk.decl << "    reg " << ty << n << ";\n";
      blk.body << "    " << n << " = " << e << ";\n";
    } else {
      v << "  wire " << ty << n << " = " << e << ";\n";
    }
  };
  std::vector<std::vector<std::string>> all_rows(outs.size());
  for (size_t j = 0; j < outs.size(); ++j) {
    std::vector<std::string>& rows = all_rows[j];
    Block& blk = blocks[j];
    i128 b_acc = A.from_exact(outs[j].bias, bias_f);  // bias in accumulator units
    for (const auto& tw : outs[j].terms) {
      if (tw.second == 0) continue;
      ++multipliers;
      const std::string id = std::to_string(j) + "_" + std::to_string(tw.first), xi = "x" + std::to_string(tw.first);
      std::string p = "p" + id, t = "t" + id;
      if (int k = neg_pow2(tw.second); k >= 0) {
        // x is PX >= CW bits wide (slice), sign-extended: the shift is exact in its low CW bits.
        def(blk, ib, true, PX, p, xi + (k >= S ? " << " : " >>> ") + std::to_string(std::abs(k - S)));
        std::vector<std::string> rs = {"~" + p + (PX > CW ? "[" + std::to_string(CW - 1) + ":0]" : std::string(""))};
        if (ib) blk.local.insert(rs[0]);
        if (k >= S) ++b_acc;
        else rs.push_back("{" + std::to_string(CW - 1) + "'d0, ~|" + xi + "[" + std::to_string(S - k - 1) + ":0]}");
        for (size_t q = 0; q < rs.size(); ++q) {
          if (pipeline_k > 0) {
            std::string n = "n" + id + "_" + std::to_string(q);
            v << "  reg [" << CW - 1 << ":0] " << n << ";\n  always @(posedge clk) if (en) " << n << " <= " << rs[q] << ";\n";
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
        if (S + CW <= PX) def(blk, ib, false, CW, t, p + "[" + std::to_string(S + CW - 1) + ":" + std::to_string(S) + "]");
        else if (PX == CW) def(blk, ib, false, CW, t, p + " >>> " + std::to_string(S));
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
      rows.push_back(TW == CW ? t : "{{" + std::to_string(CW - TW) + "{" + t + "[" + std::to_string(TW - 1) + "]}}, " + t + "}");
    }
    if (b_acc != 0) rows.insert(rows.begin(), slit(CW, b_acc));
    while (rows.size() < 2) rows.push_back(slit(CW, 0));
  }
  // Carry-save levels of the largest output; every output gets as many (and the same registers).
  size_t max_rows = 0;
  for (const auto& rows : all_rows) max_rows = std::max(max_rows, rows.size());
  int D = 0;
  for (size_t n = max_rows; n > 2; n = n / 3 * 2 + n % 3) ++D;
  int stages = 1;
  if (pipeline_k > 0) stages += 1 + (D > 0 ? (D - 1) / pipeline_k : 0) + 1;
  for (size_t j = 0; j < outs.size(); ++j) {
    std::vector<std::string>& rows = all_rows[j];
    Block& blk = blocks[j];
    const std::string J = std::to_string(j);
    // Registers the rows; those computed in the block leave it through module variables e..., the block
    // is written out and the next one starts empty.
    auto reg_rows = [&](const std::string& tag) {
      std::ostringstream flops;
      for (size_t q = 0; q < rows.size(); ++q) {
        std::string n = "k" + J + "_" + tag + "_" + std::to_string(q), src = rows[q];
        if (blk.local.count(rows[q])) {
          src = "e" + J + "_" + tag + "_" + std::to_string(q);
          v << "  reg [" << CW - 1 << ":0] " << src << ";\n";
          blk.body << "    " << src << " = " << rows[q] << ";\n";
        }
        flops << "  reg [" << CW - 1 << ":0] " << n << ";\n  always @(posedge clk) if (en) " << n << " <= " << src << ";\n";
        rows[q] = n;
      }
      if (!blk.decl.str().empty())
        v << "  always @* begin : tree" << J << "_" << tag << "\n" << blk.decl.str() << blk.body.str() << "  end\n";
      v << flops.str();
      blk.decl.str("");
      blk.body.str("");
      blk.local.clear();
    };
    for (int l = 1; l <= D; ++l) {
      if (rows.size() > 2) {
        std::vector<std::string> next;
        size_t q = 0;
        for (; q + 3 <= rows.size(); q += 3) {
          std::string c = J + "_" + std::to_string(l) + "_" + std::to_string(q / 3);
          def(blk, true, false, CW, "h" + c, rows[q] + " ^ " + rows[q + 1]);
          def(blk, true, false, CW, "s" + c, "h" + c + " ^ " + rows[q + 2]);
          def(blk, true, false, CW, "c" + c, "((" + rows[q] + " & " + rows[q + 1] + ") | (h" + c + " & " + rows[q + 2] + ")) << 1");
          next.push_back("s" + c);
          next.push_back("c" + c);
          blk.local.insert("s" + c);
          blk.local.insert("c" + c);
        }
        for (; q < rows.size(); ++q) next.push_back(rows[q]);
        rows = next;
      }
      if (pipeline_k > 0 && l % pipeline_k == 0 && l < D) reg_rows("l" + std::to_string(l));
    }
    reg_rows("r");
    auto low = [&](const std::string& r) { return CW > SW ? r + "[" + std::to_string(SW - 1) + ":0]" : r; };
    v << "  wire signed [" << SW - 1 << ":0] s" << j << " = $signed(" << low(rows[0]) << " + " << low(rows[1]) << ");\n";
    std::string a = "a" + std::to_string(j);
    v << "  wire [" << A.W - 1 << ":0] " << a << ";\n" << quant("qa" + std::to_string(j), SW, A.F(), true, A, -1, "s" + std::to_string(j), a);
    if (pipeline_k > 0) {
      v << "  reg [" << A.W - 1 << ":0] " << a << "r;\n  always @(posedge clk) if (en) " << a << "r <= " << a << ";\n";
      a += "r";
    }
    v << quant("qr" + std::to_string(j), A.W, A.F(), A.S, R, -1, a, el("y", (int)j, R.W));
  }
  v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
  return stages;
}

// The Verilator and Icarus Verilog test benches and their scripts (verify.sh, verify_iverilog.sh) for the
// design in ROOT (FILES: its Verilog sources): N_VECTORS vectors of N_IN inputs and N_OUT outputs of OUT_W
// bits; per layer, the cycle its output register holds an accepted vector (CUM_LAT), its element count and
// width (LAYER_N, LAYER_W).
void write_benches(const fs::path& root, const RtlProject& P, const Model& m, size_t n_vectors, int n_in, int n_out, int out_w,
                   const std::vector<int>& cum_lat, const std::vector<int>& layer_n, const std::vector<int>& layer_w,
                   const std::vector<std::string>& files) {
  // On a mismatch the bench re-runs the first failing vector alone and compares every layer's output register
  // with the emulator's value for that layer at the cycle it holds the vector: the first layer that differs.
  std::ostringstream diag;
  diag << "  auto diagnose = [&](size_t bv) {\n"
       << "    top.rst = 1; top.in_valid = 0; top.out_ready = 1; tick(); tick(); top.rst = 0;\n"
       << "    for (int i = 0; i < NI; ++i) put(top.in_data, i * IW, IW, in[bv][i]);\n    top.in_valid = 1; top.eval();\n";
  diag << "    int first = -1;\n";
  int max_lat = cum_lat.empty() ? 0 : cum_lat.back();
  diag << "    for (int c = 1; c <= " << max_lat << " && first < 0; ++c) {\n      tick(); top.in_valid = 0; top.eval();\n";
  for (size_t k = 0; k < cum_lat.size(); ++k)
    diag << "      if (c == " << cum_lat[k] << " && first < 0) { auto lay = load(dir + \"/layer_" << k << ".txt\");\n"
         << "        for (int i = 0; i < " << layer_n[k] << "; ++i) if (get(top.rootp->" << P.top << "_top__DOT__r" << k << ", i * " << layer_w[k]
         << ", " << layer_w[k] << ") != lay[bv][i]) { first = " << k << "; break; } }\n";
  diag << "    }\n    static const char* names[] = {";
  for (size_t k = 0; k < m.layers.size(); ++k) {
    std::string nm;
    for (char ch : m.layers[k].name) nm += (ch == '"' || ch == '\\') ? '_' : ch;
    diag << (k ? ", " : "") << "\"" << nm << "\"";
  }
  diag << "};\n    if (first >= 0) std::printf(\"first failing vector %zu: layer %d ('%s') is the first whose output differs\\n\", bv, first, names[first]);\n"
       << "    else std::printf(\"first failing vector %zu: every layer matches when it runs alone (a handshake or stall problem)\\n\", bv);\n  };\n";
  const std::string DIAG = diag.str();

  // Verilator test bench with random valid/ready back-pressure.
  std::ostringstream tb;
  tb << "// Generated by tinyforge: Verilator test bench for " << P.top << "_top. Streams tb_data/in_raw.txt with random\n"
     << "// input gaps and output back-pressure, compares every output bit with tb_data/expected_raw.txt, measures\n"
     << "// latency and throughput. Exit 1 on any mismatch.\n"
     << "#include <algorithm>\n#include <chrono>\n#include <cstdint>\n#include <cstdio>\n#include <fstream>\n#include <random>\n#include <sstream>\n#include <string>\n#include <vector>\n"
     << "#include \"V" << P.top << "_top.h\"\n#include \"V" << P.top << "_top___024root.h\"\n#include \"verilated.h\"\n\n"
     << "// Element access on Verilator ports: up to 64 bits in one word, wider ports as arrays of 32-bit words.\n"
     << "template <class T> static void put(T& port, int off, int w, uint64_t v) {\n"
     << "  if constexpr (sizeof(T) <= 8) { uint64_t m = w >= 64 ? ~0ULL : ((1ULL << w) - 1), cur = port;\n"
     << "    port = (T)((cur & ~(m << off)) | ((v & m) << off)); }\n"
     << "  else for (int b = 0; b < w;) { int bit = off + b, sh = bit % 32, k = std::min(w - b, 32 - sh);\n"
     << "    uint32_t m = (k == 32 ? ~0u : ((1u << k) - 1)) << sh; uint32_t& word = port[bit / 32];\n"
     << "    word = (word & ~m) | (((uint32_t)(v >> b) << sh) & m); b += k; } }\n"
     << "template <class T> static uint64_t get(const T& port, int off, int w) {\n"
     << "  uint64_t m = w >= 64 ? ~0ULL : ((1ULL << w) - 1);\n"
     << "  if constexpr (sizeof(T) <= 8) return ((uint64_t)port >> off) & m;\n"
     << "  else { uint64_t v = 0; for (int b = 0; b < w;) { int bit = off + b, sh = bit % 32, k = std::min(w - b, 32 - sh);\n"
     << "    v |= (uint64_t)((port[bit / 32] >> sh) & (k == 32 ? ~0u : ((1u << k) - 1))) << b; b += k; }\n    return v & m; } }\n"
     << "static std::vector<std::vector<uint64_t>> load(const std::string& f) {\n  std::vector<std::vector<uint64_t>> r; std::ifstream in(f); std::string line;\n"
     << "  while (std::getline(in, line)) { if (line.empty()) continue; std::istringstream is(line); std::vector<uint64_t> v; std::string t;\n"
     << "    while (is >> t) v.push_back(std::stoull(t, nullptr, 16)); r.push_back(v); }\n  return r; }\n\n"
     << "int main(int argc, char** argv) {\n  Verilated::commandArgs(argc, argv);\n  std::string dir = argc > 1 ? argv[1] : \"tb_data\";\n"
     << "  auto in = load(dir + \"/in_raw.txt\"), exp = load(dir + \"/expected_raw.txt\");\n"
     << "  const int IW = " << m.input.W << ", OW = " << out_w << ", NI = " << n_in << ", NO = " << n_out << ";\n"
     << "  V" << P.top << "_top top;\n  std::mt19937_64 rng(7);\n  top.clk = 0; top.rst = 1; top.in_valid = 0; top.out_ready = 0; top.eval();\n"
     << "  auto tick = [&] { top.clk = 1; top.eval(); top.clk = 0; top.eval(); };\n  tick(); tick(); top.rst = 0;\n"
     << "  size_t sent = 0, got = 0; long mismatches = 0, cycles = 0, first_out = -1, first_bad = -1, first_take = 0, last_take = 0; std::vector<long> sent_at;\n"
     << DIAG
     << "  const bool gaps = argc > 2 && std::string(argv[2]) == \"--random\";\n"
     << "  // A number instead of --random repeats the vector set that many times (for throughput).\n"
     << "  const size_t reps = (argc > 2 && !gaps) ? (size_t)std::stoul(argv[2]) : 1;\n"
     << "  const size_t total = exp.size() * reps;\n"
     << "  auto t0 = std::chrono::steady_clock::now();\n"
     << "  while (got < total && cycles < 100000000) {\n"
     << "    bool offer = sent < total && (!gaps || rng() % 4 != 0);\n    top.in_valid = offer;\n"
     << "    if (offer) for (int i = 0; i < NI; ++i) put(top.in_data, i * IW, IW, in[sent % in.size()][i]);\n"
     << "    top.out_ready = !gaps || rng() % 3 != 0;\n    top.eval();\n"
     << "    bool take_in = offer && top.in_ready, take_out = top.out_valid && top.out_ready;\n"
     << "    if (take_out) {\n      if (first_out < 0) { first_out = cycles - sent_at[0]; first_take = cycles; }\n      last_take = cycles;\n"
     << "      for (int i = 0; i < NO; ++i) { uint64_t g = get(top.out_data, i * OW, OW);\n"
     << "        if (g != exp[got % exp.size()][i]) { if (first_bad < 0) first_bad = (long)(got % exp.size()); if (mismatches < 10) std::printf(\"mismatch: vector %zu output %d: got %llx expected %llx\\n\", got, i, (unsigned long long)g, (unsigned long long)exp[got % exp.size()][i]); ++mismatches; } }\n"
     << "      ++got; }\n    if (take_in) { sent_at.push_back(cycles); ++sent; }\n    tick(); ++cycles;\n  }\n"
     << "  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();\n"
     << "  if (mismatches && first_bad >= 0) diagnose((size_t)first_bad);\n"
     << "  // II: cycles between outputs (meaningful for the in-order run, where nothing stalls).\n"
     << "  double ii = got > 1 ? (double)(last_take - first_take) / (double)(got - 1) : 0.0;\n"
     << "  std::printf(\"%zu vectors, %ld mismatching outputs, latency %ld cycles, II %.2f cycles, %ld cycles in all, %.0f inferences/s verilated\\n\", got, mismatches, first_out, ii, cycles, got / secs);\n"
     << "  return (mismatches || got < total) ? 1 : 0;\n}\n";
  write_text(root / (P.top + "_tb.cpp"), tb.str());
  // The same check as a plain Verilog-2005 test bench, for a second simulator (Icarus Verilog).
  std::string srcs;
  for (const auto& f : files) srcs += " " + f;
  {
    std::ostringstream t;
    t << "// Generated by tinyforge: Verilog test bench for " << P.top << "_top (Icarus Verilog: verify_iverilog.sh).\n"
      << "// Streams tb_data/in_raw.txt, compares every output with tb_data/expected_raw.txt, holds out_ready low\n"
      << "// every third cycle.\nmodule " << P.top << "_tb;\n"
      << "  localparam integer NV = " << n_vectors << ", NI = " << n_in << ", NO = " << n_out << ", IW = " << m.input.W << ", OW = " << out_w << ";\n"
      << "  reg clk = 1'b0, rst = 1'b1, in_valid = 1'b0, out_ready = 1'b0;\n  reg [NI*IW-1:0] in_data = 0;\n"
      << "  wire in_ready, out_valid;\n  wire [NO*OW-1:0] out_data;\n"
      << "  reg [IW-1:0] in_mem [0:NV*NI-1];\n  reg [OW-1:0] exp_mem [0:NV*NO-1];\n"
      << "  integer sent = 0, got = 0, bad = 0, cyc = 0, i;\n"
      << "  " << P.top << "_top dut (.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),\n"
      << "      .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));\n"
      << "  always #5 clk = ~clk;\n"
      << "  initial begin\n    $readmemh(\"tb_data/in_raw.txt\", in_mem);\n    $readmemh(\"tb_data/expected_raw.txt\", exp_mem);\n"
      << "    repeat (2) @(posedge clk);\n    rst = 1'b0;\n"
      << "    while (got < NV && cyc < 1000000) begin\n"
      << "      @(negedge clk);\n      in_valid = (sent < NV);\n"
      << "      for (i = 0; i < NI; i = i + 1) in_data[i*IW +: IW] = (sent < NV) ? in_mem[sent*NI + i] : {IW{1'b0}};\n"
      << "      out_ready = (cyc % 3) != 2;\n      @(posedge clk);\n"
      << "      if (out_valid && out_ready) begin\n"
      << "        for (i = 0; i < NO; i = i + 1) if (out_data[i*OW +: OW] !== exp_mem[got*NO + i]) begin\n"
      << "          if (bad < 10) $display(\"mismatch: vector %0d output %0d: got %h expected %h\", got, i, out_data[i*OW +: OW], exp_mem[got*NO + i]);\n"
      << "          bad = bad + 1;\n        end\n        got = got + 1;\n      end\n"
      << "      if (in_valid && in_ready) sent = sent + 1;\n      cyc = cyc + 1;\n    end\n"
      << "    $display(\"%0d vectors, %0d mismatching outputs (iverilog)\", got, bad);\n    $finish;\n  end\nendmodule\n";
    write_text(root / (P.top + "_tb.v"), t.str());
    write_text(root / "verify_iverilog.sh",
          "#!/bin/sh\n# Generated by tinyforge: the bit-exact check under Icarus Verilog (Verilog-2005).\nset -e\ncd \"$(dirname \"$0\")\"\n"
          "iverilog -g2005 -Wall -o " + P.top + "_iv " + P.top + "_tb.v" + srcs + "\nvvp -n " + P.top + "_iv\n");
    fs::permissions(root / "verify_iverilog.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
  }
  write_text(root / "verify.sh",
        "#!/bin/sh\n# Generated by tinyforge: lint, verilate and run the bit-exact check (no vendor tool needed).\nset -e\ncd \"$(dirname \"$0\")\"\n"
        "verilator --lint-only -Wall --top-module " + P.top + "_top" + srcs + "\n"
        "verilator --cc --exe --build -j 2 -O2 -CFLAGS -std=c++17 --top-module " + P.top + "_top -o " + P.top + "_tb" + srcs + " " + P.top + "_tb.cpp > verilator.log\n"
        "rc=0\n./obj_dir/" + P.top + "_tb tb_data || rc=1\n./obj_dir/" + P.top + "_tb tb_data --random || rc=1\nexit $rc\n");
  fs::permissions(root / "verify.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
}

}  // namespace

void check_rtl_support(const Model& m) {
  for (const auto& L : m.layers) {
    static const std::set<std::string> elementwise = {"relu", "leaky_relu", "hard_sigmoid", "hard_tanh", "sigmoid",
                                                      "tanh", "softmax", "batchnorm", "flatten"};
    bool mac = L.type == "dense" || L.type == "conv1d" || L.type == "conv2d";
    bool ok = mac || elementwise.count(L.type) || L.type.find("pool") != std::string::npos;
    if (!ok) throw InputError(m.file + ": layer '" + L.name + "' (" + L.type + "): the Verilog emitter has no template for this layer type");
  }
}

RtlProject emit_rtl_project(const Model& m, const std::string& out_dir, const std::vector<std::vector<double>>& given,
                            const std::string& lib_dir, int pipeline_k) {
  check_rtl_support(m);
  RtlProject P;
  P.latency = 1;  // the input register
  StagedDir stage(out_dir, "rtl");
  const fs::path& root = stage.path();
  P.dir = stage.final_path().string();
  std::vector<std::string> used = {"tf"};  // so no module is named like a building block (tf_quant, ...)
  P.top = sanitize_identifier(m.name.empty() ? "model" : m.name, used);
  std::vector<std::string> lname;
  for (const auto& L : m.layers) lname.push_back(sanitize_identifier(L.name, used));
  // Building blocks from rtl/lib, copied when the design uses them (so the folder is self-contained and holds
  // no module a simulator would take for a second top).
  std::vector<std::string> files;
  auto use_lib = [&](const std::string& f) {
    if (std::find(files.begin(), files.end(), f) != files.end()) return;
    fs::copy_file(fs::path(lib_dir) / f, root / f);
    files.insert(files.begin(), f);
  };
  use_lib("tf_quant.v");
  use_lib("tf_skid.v");

  Emulator em(m);  // quantized weights: the emulator's own
  FixedFormat cur = m.input;
  int n_cur = 1;
  for (int d : m.input_shape) n_cur *= d;
  const int n_in = n_cur;
  std::vector<int> cum_lat, layer_w, layer_n;  // per layer: cycles until r<k> holds an accepted input; element width; count
  std::ostringstream top_body;
  for (size_t li = 0; li < m.layers.size(); ++li) {
    const Layer& L = m.layers[li];
    const std::string mod = P.top + "_" + lname[li];
    const long mults_before = P.multipliers;
    long bound = 0;
    int stages = 0;  // adder-tree register stages inside the layer
    bool mac_vin = false;  // a time-multiplexed layer: takes the valid bit, returns its own
    const FixedFormat& R = L.prec.result;
    const int XW = cur.W, Fx = cur.F(), n_out = L.out_size();
    std::ostringstream v;
    v << "// Generated by tinyforge: layer '" << L.name << "' (" << L.type << "), " << n_cur << " x " << cur.str() << " -> "
      << n_out << " x " << R.str() << "\n`default_nettype none\nmodule " << mod << " (\n@PORTS@  input  wire [" << n_cur * XW - 1
      << ":0] x,\n  output wire [" << n_out * R.W - 1 << ":0] y\n);\n";
    if (L.type == "relu") {
      for (int i = 0; i < n_cur; ++i) {
        std::string xi = el("x", i, XW);
        v << "  wire [" << R.W - 1 << ":0] q" << i << ";\n" << quant("u" + std::to_string(i), XW, Fx, cur.S, R, -1, xi, "q" + std::to_string(i));
        // A zero input quantizes to zero, so the sign bit alone decides.
        if (cur.S)
          v << "  assign " << el("y", i, R.W) << " = x[" << (i + 1) * XW - 1 << "] ? " << R.W << "'d0 : q" << i << ";\n";
        else
          v << "  assign " << el("y", i, R.W) << " = q" << i << ";\n";
      }
    } else if (L.type != "dense" && L.type != "conv1d" && L.type != "conv2d" && L.type.find("pool") == std::string::npos) {
      // Element-wise layers (and softmax): each input sign- or zero-extended to a wide signed wire first. Table
      // lookups and softmax need only the input's bits, the index shift and a few guard bits (narrow wires keep
      // the comparators short); the layers that multiply by a constant get room for it.
      int KW = XW + 48;
      if (L.type == "sigmoid" || L.type == "tanh") {
        int sh = clog2(L.table_size) - L.table_range_log2 - 1 - Fx;
        KW = std::max(XW, L.table_range_log2 + Fx + 1) + 3 + std::max(0, sh) + clog2(L.table_size);
      } else if (L.type == "softmax") {
        int sh = L.argmax_only ? 0 : clog2(softmax_formats(n_cur).exp_size) - softmax_formats(n_cur).exp_range_log2 - Fx;
        KW = XW + 3 + std::max(0, sh) + (L.argmax_only ? 0 : clog2(softmax_formats(n_cur).exp_size));
      }
      for (int i = 0; i < n_cur && L.type != "flatten" && L.type != "softmax"; ++i) {
        std::string msb = "x[" + std::to_string((i + 1) * XW - 1) + "]";
        v << "  wire signed [" << KW - 1 << ":0] x" << i << " = $signed({{" << KW - XW << "{" << (cur.S ? msb : std::string("1'b0"))
          << "}}, " << el("x", i, XW) << "});\n";
      }
      auto cst = [&](const std::string& wname, i128 raw) {  // a constant of the result format
        std::string lit = slit(R.W, raw);
        lit.replace(lit.find("'sh"), 3, "'h");
        v << "  wire [" << R.W - 1 << ":0] " << wname << " = " << lit << ";\n";
      };
      if (L.type == "flatten") {
        for (int i = 0; i < n_cur; ++i) v << quant("u" + std::to_string(i), XW, Fx, cur.S, R, -1, el("x", i, XW), el("y", i, R.W));
      } else if (L.type == "leaky_relu") {
        FixedFormat af = alpha_format();
        i128 a = af.from_double(L.alpha);
        for (int i = 0; i < n_cur; ++i) {
          std::string k = std::to_string(i);
          v << "  wire signed [" << KW - 1 << ":0] n" << k << " = x" << k << " * " << slit(KW, a) << ";\n";
          v << "  wire [" << R.W - 1 << ":0] qp" << k << ", qn" << k << ";\n";
          v << quant("up" + k, XW, Fx, cur.S, R, -1, el("x", i, XW), "qp" + k);
          v << quant("un" + k, KW, Fx + af.F(), true, R, -1, "n" + k, "qn" + k);
          v << "  assign " << el("y", i, R.W) << " = (x" << k << " > 0) ? qp" << k << " : qn" << k << ";\n";
        }
      } else if (L.type == "hard_sigmoid") {
        FixedFormat sf = slope_format();
        i128 slope = sf.from_double(0.2), shift = sf.from_double(0.5);
        int F = std::max(Fx + sf.F(), sf.F());
        cst("one_r", R.from_exact(1, 0));
        for (int i = 0; i < n_cur; ++i) {
          std::string k = std::to_string(i);
          v << "  wire signed [" << KW - 1 << ":0] h" << k << " = x" << k << " * " << slit(KW, slope * ((i128)1 << (F - Fx - sf.F())))
            << " + " << slit(KW, shift * ((i128)1 << (F - sf.F()))) << ";\n";
          v << "  wire [" << R.W - 1 << ":0] q" << k << ";\n" << quant("u" + k, KW, F, true, R, -1, "h" + k, "q" + k);
          v << "  assign " << el("y", i, R.W) << " = (h" << k << " < 0) ? " << R.W << "'d0 : (h" << k << " > " << slit(KW, (i128)1 << F)
            << ") ? one_r : q" << k << ";\n";
        }
      } else if (L.type == "hard_tanh") {
        cst("one_r", R.from_exact(1, 0));
        cst("mone_r", R.from_exact(-1, 0));
        for (int i = 0; i < n_cur; ++i) {
          std::string k = std::to_string(i);
          // Compare with +-1 exactly: in x's units, or with x scaled up when x has negative fraction bits.
          std::string xv = Fx >= 0 ? "x" + k : "(x" + k + " <<< " + std::to_string(-Fx) + ")";
          i128 one = Fx >= 0 ? ((i128)1 << Fx) : 1;
          v << "  wire [" << R.W - 1 << ":0] q" << k << ";\n" << quant("u" + k, XW, Fx, cur.S, R, -1, el("x", i, XW), "q" + k);
          v << "  assign " << el("y", i, R.W) << " = (" << xv << " > " << slit(KW, one) << ") ? one_r : (" << xv << " < " << slit(KW, -one)
            << ") ? mone_r : q" << k << ";\n";
        }
      } else if (L.type == "batchnorm") {
        int C = L.in_shape.back(), Fs = L.prec.weight.F(), Fb = L.prec.bias.F();
        int F = std::max(Fx + Fs, Fb);
        for (int i = 0; i < n_cur; ++i) {
          std::string k = std::to_string(i);
          int c = i % C;
          v << "  wire signed [" << KW - 1 << ":0] b" << k << " = x" << k << " * " << slit(KW, em.weights(li)[c] * ((i128)1 << (F - Fx - Fs)))
            << " + " << slit(KW, em.biases(li)[c] * ((i128)1 << (F - Fb))) << ";\n";
          v << quant("u" + k, KW, F, true, R, -1, "b" + k, el("y", i, R.W));
        }
      } else if (L.type == "sigmoid" || L.type == "tanh") {
        const FixedFormat& T = L.prec.table;
        auto fn = L.type == "sigmoid" ? tinyforge::hls::TABLE_SIGMOID : tinyforge::hls::TABLE_TANH;
        std::vector<i128> entries;
        for (int k = 0; k < L.table_size; ++k)
          entries.push_back(T.from_double(tinyforge::hls::table_entry_value(fn, (unsigned)k, (unsigned)L.table_size, L.table_range_log2)));
        int ib = clog2(L.table_size);
        const std::string lut = mod + "_lut.mem";
        rom_file(root / lut, ib, T.W, entries);
        use_lib("tf_rom.v");
        int shift = ib - L.table_range_log2 - 1 - Fx;
        for (int i = 0; i < n_cur; ++i) {
          std::string k = std::to_string(i);
          clamp_index(v, "ix" + k, "x" + k, KW, shift, shift < 0 ? ((i128)1 << (L.table_range_log2 + Fx)) : 0, L.table_size / 2, L.table_size);
          v << "  wire [" << T.W - 1 << ":0] t" << k << ";\n" << rom_read("lut" + k, lut, ib, T.W, "ix" + k, "t" + k);
          v << quant("u" + k, T.W, T.F(), T.S, R, -1, "t" + k, el("y", i, R.W));
        }
      } else if (L.type == "softmax") {
        // The maximum (ties: the first) from all pairwise comparisons at once: input i is selected when it
        // exceeds every earlier input and is not exceeded by any later one; exactly one is.
        for (int i = 0; i < n_cur; ++i)  // compared on the input's own bits (one more when unsigned)
          v << "  wire signed [" << XW << ":0] n" << i << " = $signed({" << (cur.S ? "x[" + std::to_string((i + 1) * XW - 1) + "]" : std::string("1'b0"))
            << ", " << el("x", i, XW) << "});\n";
        for (int i = 0; i < n_cur; ++i)
          for (int j = 0; j < i; ++j) v << "  wire g" << i << "_" << j << " = n" << i << " > n" << j << ";\n";
        for (int i = 0; i < n_cur; ++i) {
          std::string sel;
          for (int j = 0; j < n_cur; ++j)
            if (j != i) sel += (sel.empty() ? "" : " & ") + (j < i ? "g" + std::to_string(i) + "_" + std::to_string(j) : "!g" + std::to_string(j) + "_" + std::to_string(i));
          v << "  wire sel" << i << " = " << (sel.empty() ? "1'b1" : sel) << ";\n";
        }
        if (L.argmax_only) {
          for (int i = 0; i < n_cur; ++i) {
            cst("one" + std::to_string(i), R.from_exact(1, 0));
            v << "  assign " << el("y", i, R.W) << " = sel" << i << " ? one" << i << " : " << R.W << "'d0;\n";
          }
        } else {
          // Four stages, as softmax.h: (1) the maximum; (2) the exp-table indices of max - x, read from the table
          // at the stage's end (a registered read); (3) the entries' sum; (4) the inverse-table entry of the sum
          // and the products (into the layer's output register).
          stages = 3;
          std::string mxs;
          for (int i = 0; i < n_cur; ++i) mxs += (i ? " | " : "") + std::string("({") + std::to_string(XW) + "{sel" + std::to_string(i) + "}} & " + el("x", i, XW) + ")";
          v << "  reg [" << XW - 1 << ":0] mr;\n  reg [" << n_cur * XW - 1 << ":0] xr;\n"
            << "  always @(posedge clk) if (en) begin mr <= " << mxs << "; xr <= x; end\n";
          auto ext = [&](const std::string& e, const std::string& msb) {
            return "$signed({{" + std::to_string(KW - XW) + "{" + (cur.S ? msb : std::string("1'b0")) + "}}, " + e + "})";
          };
          v << "  wire signed [" << KW - 1 << ":0] mx = " << ext("mr", "mr[" + std::to_string(XW - 1) + "]") << ";\n";
          SoftmaxFormats sf = softmax_formats(n_cur);
          std::vector<i128> ex, inv;
          for (int k = 0; k < sf.exp_size; ++k)
            ex.push_back(sf.exp_t.from_double(tinyforge::hls::softmax_exp_entry((unsigned)k, (unsigned)sf.exp_size, sf.exp_range_log2)));
          for (int k = 0; k < sf.inv_size; ++k)
            inv.push_back(sf.inv_t.from_double(tinyforge::hls::softmax_inv_entry((unsigned)k, (unsigned)sf.inv_size, sf.inv_range_log2)));
          int eb = clog2(sf.exp_size), jb = clog2(sf.inv_size);
          const std::string exp_mem = mod + "_exp.mem", inv_mem = mod + "_inv.mem";
          rom_file(root / exp_mem, eb, sf.exp_t.W, ex);
          rom_file(root / inv_mem, jb, sf.inv_t.W, inv);
          use_lib("tf_rom.v");
          const int EW = sf.exp_t.W, SW = EW + clog2((long long)n_cur + 1) + 1;
          std::string sum = slit(SW, 0);
          for (int i = 0; i < n_cur; ++i) {
            std::string k = std::to_string(i);
            std::string xk = el("xr", i, XW);
            v << "  wire signed [" << KW - 1 << ":0] d" << k << " = mx - " << ext(xk, "xr[" + std::to_string((i + 1) * XW - 1) + "]") << ";\n";
            clamp_index(v, "ie" + k, "d" + k, KW, eb - sf.exp_range_log2 - Fx, 0, 0, sf.exp_size);
            // The index goes straight into a registered table read (a block RAM's read port).
            v << "  wire [" << EW - 1 << ":0] ew" << k << ";\n" << rom_read("exp" + k, exp_mem, eb, EW, "ie" + k, "ew" + k, true) << "  reg [" << EW - 1 << ":0] e" << k
              << ";\n  always @(posedge clk) if (en) e" << k << " <= ew" << k << ";\n";
            sum += " + {" + std::to_string(SW - EW) + "'d0, ew" + k + "}";
          }
          v << "  reg [" << SW - 1 << ":0] esum;\n  always @(posedge clk) if (en) esum <= " << sum << ";\n";
          v << "  wire [" << sf.sum_t.W - 1 << ":0] s;\n" << quant("us", SW, sf.exp_t.F(), false, sf.sum_t, -1, "esum", "s");
          const int KS = sf.sum_t.W + 3 + std::max(0, jb - sf.inv_range_log2 - sf.sum_t.F()) + jb;
          v << "  wire signed [" << KS - 1 << ":0] sx = $signed({" << KS - sf.sum_t.W << "'d0, s});\n";
          clamp_index(v, "js", "sx", KS, jb - sf.inv_range_log2 - sf.sum_t.F(), 0, 0, sf.inv_size);
          v << "  wire [" << sf.inv_t.W - 1 << ":0] r;\n" << rom_read("inv", inv_mem, jb, sf.inv_t.W, "js", "r");
          const int PW2 = EW + sf.inv_t.W;
          for (int i = 0; i < n_cur; ++i) {
            std::string k = std::to_string(i);
            v << "  wire [" << PW2 - 1 << ":0] pr" << k << " = {" << sf.inv_t.W << "'d0, e" << k << "} * {" << EW << "'d0, r};\n";
            v << quant("u" + k, PW2, sf.exp_t.F() + sf.inv_t.F(), false, R, -1, "pr" + k, el("y", i, R.W));
          }
        }
      }
    } else if (L.type.find("pool") != std::string::npos) {
      // Pooling over the valid (unpadded) window positions: maximum, or exact sum times recip(1/count).
      bool avg = L.type.rfind("avg", 0) == 0;
      const Window win = window_of(L);
      const int C = win.C, OH = win.OH, OWd = win.OW;
      const int KW = XW + 24;
      FixedFormat rf = recip_format();
      v << "  /* verilator lint_off UNUSEDSIGNAL */\n";  // inputs outside every window are unused
      for (int i = 0; i < n_cur; ++i) {
        std::string msb = "x[" + std::to_string((i + 1) * XW - 1) + "]";
        v << "  wire signed [" << KW - 1 << ":0] x" << i << " = $signed({{" << KW - XW << "{" << (cur.S ? msb : std::string("1'b0"))
          << "}}, " << el("x", i, XW) << "});\n";
      }
      v << "  /* verilator lint_on UNUSEDSIGNAL */\n";
      int o = 0;
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OWd; ++ow)
          for (int c = 0; c < C; ++c, ++o) {
            std::vector<int> idx;
            win.for_each_tap(oh, ow, [&](int, int px) { idx.push_back(px * C + c); });
            std::string k = std::to_string(o);
            if (!avg) {
              std::string best = "x" + std::to_string(idx[0]);
              for (size_t q = 1; q < idx.size(); ++q) {
                std::string nb = "b" + k + "_" + std::to_string(q), xi = "x" + std::to_string(idx[q]);
                v << "  wire signed [" << KW - 1 << ":0] " << nb << " = (" << xi << " > " << best << ") ? " << xi << " : " << best << ";\n";
                best = nb;
              }
              v << quant("u" + k, KW, Fx, true, R, -1, best, el("y", o, R.W));
            } else {
              std::string sum;
              for (int q : idx) sum += (sum.empty() ? "" : " + ") + std::string("x") + std::to_string(q);
              i128 rc = rf.from_double(1.0 / (double)idx.size());
              v << "  wire signed [" << KW - 1 << ":0] s" << k << " = " << sum << ";\n";
              v << "  wire signed [" << KW + rf.W << ":0] m" << k << " = {{" << rf.W + 1 << "{s" << k << "[" << KW - 1 << "]}}, s" << k
                << "} * " << slit(KW + rf.W + 1, rc) << ";\n";
              v << quant("u" + k, KW + rf.W + 1, Fx + rf.F(), true, R, -1, "m" + k, el("y", o, R.W));
            }
          }
    } else {  // dense, conv1d, conv2d: bias + sum of products, as dense.h / conv.h
      const FixedFormat& A = L.prec.accum;
      const FixedFormat& Wf = L.prec.weight;
      const std::vector<i128>& wq = em.weights(li);
      const std::vector<i128>& bq = em.biases(li);
      std::vector<Out> outs;
      if (L.type == "dense") {
        for (int j = 0; j < L.units; ++j) {
          Out o{bq[j], {}};
          for (int i = 0; i < n_cur; ++i) o.terms.push_back({i, wq[(size_t)i * L.units + j]});
          outs.push_back(o);
        }
      } else {
        const Window win = window_of(L);
        const int C = win.C, OH = win.OH, OWd = win.OW;
        const int NF = L.filters;
        for (int oh = 0; oh < OH; ++oh)
          for (int ow = 0; ow < OWd; ++ow)
            for (int f = 0; f < NF; ++f) {
              Out o{bq[f], {}};
              win.for_each_tap(oh, ow, [&](int tap, int px) {
                for (int c = 0; c < C; ++c) o.terms.push_back({px * C + c, wq[((size_t)tap * C + c) * NF + f]});
              });
              outs.push_back(o);
            }
      }
      size_t max_terms = 1;
      for (const auto& o : outs) max_terms = std::max(max_terms, o.terms.size());
      for (const auto& o : outs) bound += (long)o.terms.size();  // R = 1: every product (R > 1 below)
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
        struct Term { int j, i; i128 w; };
        std::vector<Term> flat;
        for (size_t j = 0; j < outs.size(); ++j)
          for (const auto& tw : outs[j].terms) flat.push_back({(int)j, tw.first, tw.second});
        const int total = (int)flat.size(), M = (total + Rr - 1) / Rr;
        bound = M;
        const int XE = XW + 1, WE = Wf.W + 1;
        mac_vin = true;
        stages = Rr;
        P.multipliers += M;
        v << "  reg [" << n_cur * XW - 1 << ":0] xh;\n  reg [" << PB - 1 << ":0] ph;\n  reg run, done;\n"
          << "  wire [" << PB - 1 << ":0] phc = vin ? " << PB << "'d0 : ph;\n  assign vout = done;\n"
          << "  always @(posedge clk)\n    if (rst) begin run <= 1'b0; ph <= " << PB << "'d0; done <= 1'b0; end\n    else if (en) begin\n"
          << "      done <= run && ph == " << PB << "'d" << Rr - 1 << ";\n"
          << "      if (vin) begin run <= 1'b1; ph <= " << PB << "'d1; xh <= x; end\n"
          << "      else if (run) begin ph <= ph + " << PB << "'d1; if (ph == " << PB << "'d" << Rr - 1 << ") run <= 1'b0; end\n    end\n";
        v << "  /* verilator lint_off UNUSEDSIGNAL */\n";
        for (int i = 0; i < n_cur; ++i) {
          auto ext = [&](const std::string& src) {
            std::string msb = src + "[" + std::to_string((i + 1) * XW - 1) + "]";
            return "$signed({" + (cur.S ? msb : std::string("1'b0")) + ", " + el(src, i, XW) + "})";
          };
          v << "  wire signed [" << XE - 1 << ":0] x" << i << " = " << ext("x") << ", h" << i << " = " << ext("xh") << ";\n";
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
              v << "a" << k << " = " << (r == 0 ? "x" : "h") << flat[g].i << "; b" << k << " = " << slit(WE, flat[g].w) << ";";
            else
              v << "a" << k << " = " << slit(XE, 0) << "; b" << k << " = " << slit(WE, 0) << ";";
            v << " end\n";
            if (g < total) {
              auto& f = feeds[flat[g].j];
              if (!f.empty() && f.back()[0] == mi && f.back()[2] == r - 1) f.back()[2] = r;
              else f.push_back({mi, r, r});
            }
          }
          v << "      default: begin a" << k << " = " << slit(XE, 0) << "; b" << k << " = " << slit(WE, 0) << "; end\n    endcase\n  end\n";
          v << "  wire signed [" << PW - 1 << ":0] p" << k << " = a" << k << " * b" << k << ";\n";
          v << "  wire signed [" << T.W - 1 << ":0] t" << k << ";\n" << quant("qt" + k, PW, Fp, true, T, -1, "p" + k, "t" + k);
        }
        for (size_t j = 0; j < outs.size(); ++j) {
          std::string k = std::to_string(j);
          std::string sum = "(vin ? " + slit(SW, A.from_exact(outs[j].bias, L.prec.bias.F())) + " : acc" + k + ")";
          for (const auto& f : feeds[j]) {
            std::string t = "t" + std::to_string(f[0]), ext = "{{" + std::to_string(G) + "{" + t + "[" + std::to_string(T.W - 1) + "]}}, " + t + "}";
            if (f[1] == 0 && f[2] == Rr - 1)
              sum += " + " + ext;
            else {
              auto lit = [&](int q) { return std::to_string(PB) + "'d" + std::to_string(q); };
              std::string cond = f[1] == f[2] ? "phc == " + lit(f[1])
                                 : f[1] == 0  ? "phc <= " + lit(f[2])
                                 : f[2] == Rr - 1 ? "phc >= " + lit(f[1])
                                                  : "phc >= " + lit(f[1]) + " && phc <= " + lit(f[2]);
              sum += " + ((" + cond + ") ? " + ext + " : " + slit(SW, 0) + ")";
            }
          }
          v << "  reg signed [" << SW - 1 << ":0] acc" << k << ";\n  always @(posedge clk) if (en && (vin || run)) acc" << k << " <= " << sum << ";\n";
          v << "  wire [" << A.W - 1 << ":0] o" << k << ";\n" << quant("qa" + k, SW, A.F(), true, A, -1, "acc" + k, "o" + k);
          v << quant("qr" + k, A.W, A.F(), A.S, R, -1, "o" + k, el("y", (int)j, R.W));
        }
      } else {
        stages = emit_parallel_sums(v, outs, n_cur, cur, Wf, L.prec.bias.F(), A, T, R, SW, pipeline_k, P.multipliers);
      }
    }
    v << "endmodule\n`default_nettype wire\n";
    std::string text = v.str();
    text.replace(text.find("@PORTS@"), 7, mac_vin     ? "  input  wire clk,\n  input  wire rst,\n  input  wire en,\n  input  wire vin,\n  output wire vout,\n"
                                           : stages > 0 ? "  input  wire clk,\n  input  wire en,\n"
                                                        : "");
    write_text(root / (mod + ".v"), text);
    files.push_back(mod + ".v");
    P.layers.push_back({mod, P.multipliers - mults_before, bound});
    // relu and flatten after another layer are fused into that layer's last stage (sign-bit select, wiring).
    const bool fused = li > 0 && (L.type == "relu" || L.type == "flatten");
    std::string vin = li ? "v" + std::to_string(li - 1) : std::string("vi");
    std::string k = std::to_string(li);
    top_body << (mac_vin ? "  wire vo" + k + ";\n" : std::string("")) << "  wire [" << n_out * R.W - 1 << ":0] c" << k << ";\n  " << mod << " u" << k << " (" << (mac_vin ? ".clk(clk), .rst(rst), .en(en), .vin(" + vin + "), .vout(vo" + k + "), " : stages > 0 ? ".clk(clk), .en(en), " : "")
             << ".x(" << (li ? "r" + std::to_string(li - 1) : std::string("xi")) << "), .y(c" << k << "));\n  reg [" << n_out * R.W - 1 << ":0] r" << k
             << " /*verilator public_flat_rd*/;\n" << (fused ? "" : "  reg v" + k + ";\n");
    if (mac_vin) {  // the layer's own valid bit, R cycles after it took its input
      vin = "vo" + k;
      P.ii = std::max(P.ii, L.reuse_factor);
    } else if (stages > 0) {  // the valid bit follows the data through the layer's tree registers
      top_body << "  reg [" << stages - 1 << ":0] d" << k << ";\n  always @(posedge clk)\n    if (rst) d" << k << " <= " << stages << "'d0;\n    else if (en) d" << k
               << " <= " << (stages > 1 ? "{d" + k + "[" + std::to_string(stages - 2) + ":0], " + vin + "}" : vin) << ";\n";
      vin = "d" + k + "[" + std::to_string(stages - 1) + "]";
    }
    if (fused) {  // no register of its own: a few LUTs after the previous layer's register
      top_body << "  wire v" << k << " = " << vin << ";\n  always @* r" << k << " = c" << k << ";\n";
    } else {
      top_body << "  always @(posedge clk) begin\n    if (rst) v" << k << " <= 1'b0;\n    else if (en) v" << k << " <= " << vin << ";\n"
               << "    if (en) r" << k << " <= c" << k << ";\n  end\n";
      P.latency += 1 + stages;
    }
    cum_lat.push_back(P.latency);
    layer_w.push_back(R.W);
    layer_n.push_back(n_out);
    cur = R;
    n_cur = n_out;
  }
  const int last = (int)m.layers.size() - 1;
  std::ostringstream top;
  top << "// Generated by tinyforge: " << m.name << ". An input register, then each layer's registers (relu and flatten\n"
      << "// fused into the layer before)" << (pipeline_k > 0 ? ", every " + std::to_string(pipeline_k) + " carry-save levels" : std::string(""))
      << " (latency " << P.latency << " cycles, a new input\n"
      << "// every " << (P.ii > 1 ? std::to_string(P.ii) + " cycles" : std::string("cycle")) << "). Handshake: an input is taken when in_valid && in_ready; an output is offered with\n"
      << "// out_valid and held until out_ready. The output passes through a skid buffer (tf_skid): an output the\n"
      << "// consumer does not take at once is held there, and the whole pipeline stalls (en low, in_ready low) from\n"
      << "// the next cycle until it is taken. en and in_ready are registered, never combinational in out_ready.\n"
      << "`default_nettype none\nmodule " << P.top << "_top (\n  input  wire clk,\n  input  wire rst,\n  input  wire in_valid,\n"
      << "  output wire in_ready,\n  input  wire [" << n_in * m.input.W - 1 << ":0] in_data,\n  output wire out_valid,\n"
      << "  input  wire out_ready,\n  output wire [" << n_cur * cur.W - 1 << ":0] out_data\n);\n"
      << "  wire en;  // the pipeline advances: the skid buffer is empty\n";
  if (P.ii > 1) {  // a time-multiplexed layer: at most one input every II enabled cycles
    int cb = std::max(1, clog2(P.ii));
    top << "  reg [" << cb - 1 << ":0] cool;\n  assign in_ready = en && cool == " << cb << "'d0;\n"
        << "  always @(posedge clk)\n    if (rst) cool <= " << cb << "'d0;\n    else if (en) begin\n"
        << "      if (in_valid && cool == " << cb << "'d0) cool <= " << cb << "'d" << P.ii - 1 << ";\n"
        << "      else if (cool != " << cb << "'d0) cool <= cool - " << cb << "'d1;\n    end\n";
  } else {
    top << "  assign in_ready = en;\n";
  }
  // The input register: every layer's logic then starts at a register.
  top << "  wire take = in_valid && in_ready;\n  reg [" << n_in * m.input.W - 1 << ":0] xi;\n  reg vi;\n"
      << "  always @(posedge clk) begin\n    if (rst) vi <= 1'b0;\n    else if (en) vi <= take;\n    if (en) xi <= in_data;\n  end\n"
      << top_body.str()
      << "  tf_skid #(.W(" << n_cur * cur.W << ")) out_skid (.clk(clk), .rst(rst), .in_valid(v" << last << "), .in_ready(en), .in_data(r" << last
      << "),\n      .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));\nendmodule\n`default_nettype wire\n";
  write_text(root / (P.top + "_top.v"), top.str());
  files.push_back(P.top + "_top.v");

  // Test vectors (raw codes) and the emulator's raw expected outputs.
  std::vector<std::vector<double>> inputs = given.empty() ? random_test_inputs(m, 200) : given;
  std::ostringstream tin, texp;
  std::vector<std::ostringstream> tlayer(m.layers.size());
  for (const auto& x : inputs) {
    for (int i = 0; i < n_in; ++i) tin << (i ? " " : "") << hex_code(m.input.from_double(x[i]), m.input.W);
    tin << "\n";
    std::vector<Tensor> all = em.run(x);
    const Tensor& y = all.back();
    for (size_t i = 0; i < y.raw.size(); ++i) texp << (i ? " " : "") << hex_code(y.raw[i], cur.W);
    texp << "\n";
    for (size_t k = 0; k < all.size(); ++k) {
      for (size_t i = 0; i < all[k].raw.size(); ++i) tlayer[k] << (i ? " " : "") << hex_code(all[k].raw[i], all[k].fmt.W);
      tlayer[k] << "\n";
    }
  }
  for (size_t k = 0; k < tlayer.size(); ++k) write_text(root / "tb_data" / ("layer_" + std::to_string(k) + ".txt"), tlayer[k].str());
  write_text(root / "tb_data" / "in_raw.txt", tin.str());
  write_text(root / "tb_data" / "expected_raw.txt", texp.str());

  write_benches(root, P, m, inputs.size(), n_in, n_cur, cur.W, cum_lat, layer_n, layer_w, files);
  stage.commit();
  return P;
}

}  // namespace tf::hlsgen
