// Verilog text helpers shared by the RTL emitter and the layer kinds: literals, slices, instances of the
// building blocks in rtl/lib (tf_quant, tf_rom) and table files.
#pragma once
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "fixed_format.h"

namespace tf::hlsgen {

// Bits needed for N distinct values (ceil(log2 N)).
int clog2(long long n);

// A signed Verilog literal of WIDTH bits (two's complement pattern).
std::string slit(int width, i128 v);

// An instance INST of tf_quant converting DIN (IW bits, IF fraction bits, signed when IS) into DOUT in format
// O; OMODE_OVERRIDE >= 0 replaces O's overflow mode.
std::string quant(const std::string& inst, int iw, int ifr, bool is, const FixedFormat& o, int omode_override,
                  const std::string& din, const std::string& dout);

// Slice K of a flat vector of WIDTH-bit elements.
std::string el(const std::string& v, int k, int width);

// A WIDTH-bit code in hexadecimal (two's complement; up to 64 bits), as $readmemh and the test benches read it.
std::string hex_code(i128 v, int width);

// A table for tf_rom: FILE gets 2^IDX_BITS hexadecimal WIDTH-bit entries, one per line (zero past the given ones).
void rom_file(const std::filesystem::path& file, int idx_bits, int width, const std::vector<i128>& entries);

// An instance of tf_rom reading FILE: DATA = table[ADDR], combinationally or (REGISTERED) at the clock edge
// while en is high.
std::string rom_read(const std::string& inst, const std::string& file, int idx_bits, int width, const std::string& addr,
                     const std::string& data, bool registered = false);

// floor(v * 2^shift) (+ offset before the shift when shift < 0) clamped to [0, size - 1], as a Verilog
// expression on the KW-bit signed wire V; mirrors signed_table_index / unsigned_table_index.
std::string clamp_index(std::ostringstream& v, const std::string& name, const std::string& src, int kw, int shift,
                        i128 add_before, i128 add_after, int size);

// Wires x0, x1, ...: the N inputs of format CUR in the flat port x, sign- (or zero-) extended to KW bits.
void extend_inputs(std::ostringstream& v, const FixedFormat& cur, int n, int kw);

// A wire NAME holding the constant RAW of format R (unsigned literal of R.W bits).
void const_wire(std::ostringstream& v, const std::string& name, const FixedFormat& r, i128 raw);

}  // namespace tf::hlsgen
