#include "rtl_text.h"

#include <cstdio>

#include "staged_dir.h"

namespace tf::hlsgen {
namespace fs = std::filesystem;

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
  s << "  tf_quant #(.IW(" << iw << "), .IF(" << ifr << "), .IS(" << (is ? 1 : 0) << "), .OW(" << o.W << "), .OF("
    << o.F() << "), .OS(" << (o.S ? 1 : 0) << "), .QMODE(" << (int)o.Q << "), .OMODE("
    << (omode_override >= 0 ? omode_override : (int)o.O) << ")) " << inst << " (.din(" << din << "), .dout(" << dout
    << "));\n";
  return s.str();
}

// Slice K of a flat vector of WIDTH-bit elements.
std::string el(const std::string& v, int k, int width) {
  return v + "[" + std::to_string((k + 1) * width - 1) + ":" + std::to_string(k * width) + "]";
}

// A WIDTH-bit code in hexadecimal (two's complement; up to 64 bits), as $readmemh and the test benches read it.
std::string hex_code(i128 v, int width) {
  unsigned __int128 u =
      (unsigned __int128)v & (width >= 128 ? ~(unsigned __int128)0 : (((unsigned __int128)1 << width) - 1));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%llx", (unsigned long long)u);
  return buf;
}

// A table for tf_rom: FILE gets 2^IDX_BITS hexadecimal WIDTH-bit entries, one per line (zero past the given ones).
void rom_file(const fs::path& file, int idx_bits, int width, const std::vector<i128>& entries) {
  std::ostringstream s;
  for (size_t k = 0; k < ((size_t)1 << idx_bits); ++k)
    s << hex_code(k < entries.size() ? entries[k] : 0, width) << "\n";
  write_text(file, s.str());
}

// An instance of tf_rom reading FILE: DATA = table[ADDR], combinationally or (REGISTERED) at the clock edge
// while en is high.
std::string rom_read(const std::string& inst, const std::string& file, int idx_bits, int width, const std::string& addr,
                     const std::string& data, bool registered) {
  return "  tf_rom #(.AW(" + std::to_string(idx_bits) + "), .DW(" + std::to_string(width) + "), .REG(" +
         (registered ? "1" : "0") + "), .FILE(\"" + file + "\")) " + inst + " (" +
         (registered ? ".clk(clk), .en(en)" : ".clk(1'b0), .en(1'b0)") + ", .addr(" + addr + "), .data(" + data +
         "));\n";
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
  v << "  wire [" << ib - 1 << ":0] " << name << " = (" << name << "_v < 0) ? " << ib << "'d0 : (" << name
    << "_v >= " << slit(kw, size) << ") ? " << ib << "'d" << size - 1 << " : " << name << "_v[" << ib - 1 << ":0];\n";
  return name;
}

void extend_inputs(std::ostringstream& v, const FixedFormat& cur, int n, int kw) {
  const int XW = cur.W;
  for (int i = 0; i < n; ++i) {
    std::string msb = "x[" + std::to_string((i + 1) * XW - 1) + "]";
    v << "  wire signed [" << kw - 1 << ":0] x" << i << " = $signed({{" << kw - XW << "{"
      << (cur.S ? msb : std::string("1'b0")) << "}}, " << el("x", i, XW) << "});\n";
  }
}

void const_wire(std::ostringstream& v, const std::string& name, const FixedFormat& r, i128 raw) {
  std::string lit = slit(r.W, raw);
  lit.replace(lit.find("'sh"), 3, "'h");
  v << "  wire [" << r.W - 1 << ":0] " << name << " = " << lit << ";\n";
}

}  // namespace tf::hlsgen
