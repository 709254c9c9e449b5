// The Verilog quantize/overflow unit (rtl/lib/tf_quant.v, verilated) against tinyforge's C++ conversion
// (the one tested bit for bit against SystemC's sc_fixed): every case of tf_quant_cases.h on seeded random and
// edge inputs, including exact half-LSB ties. Exit 0 = all equal.
#include <cstdio>
#include <random>

#include "Vtf_quant_top.h"
#include "fixed_format.h"
#include "tf_quant_cases.h"
#include "verilated.h"

using tf::hlsgen::FixedFormat;
using tf::hlsgen::i128;

static uint64_t mask(int w) { return w >= 64 ? ~0ULL : ((1ULL << w) - 1); }

static uint64_t draw(std::mt19937_64& rng, const QCase& c) {
  uint64_t m = mask(c.iw);
  int drop = c.ifr - c.ofr;
  switch (rng() % 8) {
    case 0: return 0;
    case 1: return m;                                     // all ones (-1 LSB or max)
    case 2: return 1ULL << (c.iw - 1);                    // most negative / top bit
    case 3: return m >> 1;                                // largest positive
    case 4:
      if (drop >= 1) return ((rng() & m) & ~mask(drop)) | (1ULL << (drop - 1));  // exact tie
      return rng() & m;
    default: return rng() & m;
  }
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  Vtf_quant_top top;
  std::mt19937_64 rng(2026);
  const int N = sizeof(kCases) / sizeof(kCases[0]);
  uint64_t in[sizeof(kCases) / sizeof(kCases[0])];
  long checked = 0, bad = 0;
  for (int it = 0; it < 20000; ++it) {
    for (int k = 0; k < N; ++k) in[k] = draw(rng, kCases[k]);
#define SET(k) top.in##k = in[k];
    TF_QUANT_CASES(SET)
#undef SET
    top.eval();
    uint64_t out[sizeof(kCases) / sizeof(kCases[0])];
#define GET(k) out[k] = (uint64_t)top.out##k;
    TF_QUANT_CASES(GET)
#undef GET
    for (int k = 0; k < N; ++k) {
      const QCase& c = kCases[k];
      i128 v = (i128)in[k];
      if (c.is && ((in[k] >> (c.iw - 1)) & 1)) v -= (i128)1 << c.iw;  // sign-extend
      FixedFormat f;
      f.W = c.ow;
      f.I = c.ow - c.ofr;
      f.S = c.os;
      f.Q = (tinyforge::hls::QuantMode)c.q;
      f.O = (tinyforge::hls::OvfMode)c.o;
      uint64_t want = (uint64_t)f.from_exact(v, c.ifr) & mask(c.ow);
      ++checked;
      if ((out[k] & mask(c.ow)) != want) {
        if (bad < 10)
          std::printf("case %d (in %d.%d %s -> %d.%d %s, Q%d O%d): in 0x%llx got 0x%llx want 0x%llx\n", k, c.iw, c.ifr,
                      c.is ? "s" : "u", c.ow, c.ofr, c.os ? "s" : "u", c.q, c.o, (unsigned long long)in[k],
                      (unsigned long long)out[k], (unsigned long long)want);
        ++bad;
      }
    }
  }
  std::printf("%ld conversions over %d cases, %ld mismatches\n", checked, N, bad);
  return bad ? 1 : 0;
}
