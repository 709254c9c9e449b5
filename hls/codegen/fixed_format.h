// A fixed-point format known at run time (the model IR's precisions, the bit-accurate emulator). It uses
// the same conversion functions as the compile-time types in hls/include/tinyforge/hls/fixed.h, so the
// emulator, the template library and the generated RTL share one numeric truth.
#pragma once
#include <string>

#include "tinyforge/hls/fixed.h"

namespace tf::hlsgen {

using tinyforge::hls::OvfMode;
using tinyforge::hls::QuantMode;
using i128 = tinyforge::hls::detail::i128;

struct FixedFormat {
  int W = 16, I = 6;
  bool S = true;
  QuantMode Q = tinyforge::hls::TRN;
  OvfMode O = tinyforge::hls::WRAP;

  int F() const { return W - I; }
  // Parses "fixed<16,6>", "ufixed<18,0,RND,SAT>", "fixed<16, 6, RND_CONV, SAT_SYM>". On failure returns false
  // and says why.
  static bool parse(const std::string& text, FixedFormat& out, std::string& why);
  std::string str() const;  // canonical text, e.g. "fixed<16,6,RND,SAT>" (modes omitted when TRN/WRAP)
  std::string cpp() const;  // "TF_FIXED(16, 6, RND, SAT)"

  // Raw code of a value in this format (quantized and overflow-handled as Q and O prescribe).
  i128 from_double(double d) const;
  i128 from_exact(i128 v, int fsrc) const { return tinyforge::hls::detail::convert_rt(v, fsrc, W, F(), S, Q, O); }
  double to_double(i128 raw) const;
  bool operator==(const FixedFormat& o) const { return W == o.W && I == o.I && S == o.S && Q == o.Q && O == o.O; }
};

const char* quant_name(QuantMode q);
const char* ovf_name(OvfMode o);

}  // namespace tf::hlsgen
