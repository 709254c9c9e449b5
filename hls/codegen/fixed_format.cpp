#include "fixed_format.h"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace tf::hlsgen {

namespace hl = tinyforge::hls;

static const char* kQ[] = {"TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV"};
static const char* kO[] = {"WRAP", "SAT", "SAT_ZERO", "SAT_SYM"};

const char* quant_name(QuantMode q) { return kQ[(int)q]; }
const char* ovf_name(OvfMode o) { return kO[(int)o]; }

bool FixedFormat::parse(const std::string& text, FixedFormat& out, std::string& why) {
  std::string t;
  for (char c : text)
    if (!std::isspace((unsigned char)c)) t += c;
  FixedFormat f;
  std::string body;
  if (t.rfind("fixed<", 0) == 0) {
    f.S = true;
    body = t.substr(6);
  } else if (t.rfind("ufixed<", 0) == 0) {
    f.S = false;
    body = t.substr(7);
  } else {
    why = "a fixed-point type such as \"fixed<16,6>\" or \"ufixed<8,0,RND,SAT>\"";
    return false;
  }
  if (body.empty() || body.back() != '>') {
    why = "a closing '>'";
    return false;
  }
  body.pop_back();
  std::vector<std::string> parts;
  std::string cur;
  for (char c : body) {
    if (c == ',') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  if (parts.size() < 2 || parts.size() > 4) {
    why = "2 to 4 parameters: <W, I[, quantization[, overflow]]>";
    return false;
  }
  try {
    size_t used = 0;
    f.W = std::stoi(parts[0], &used);
    if (used != parts[0].size()) throw std::invalid_argument("W");
    f.I = std::stoi(parts[1], &used);
    if (used != parts[1].size()) throw std::invalid_argument("I");
  } catch (const std::exception&) {
    why = "integer W and I, e.g. fixed<16,6>";
    return false;
  }
  if (f.W < 1 || f.W > 64) {
    why = "a width W in [1, 64]";
    return false;
  }
  if (f.I < -64 || f.I > 128) {
    why = "integer bits I in [-64, 128]";
    return false;
  }
  if (parts.size() >= 3) {
    bool ok = false;
    for (int k = 0; k < 7; ++k)
      if (parts[2] == kQ[k]) f.Q = (QuantMode)k, ok = true;
    if (!ok) {
      why = "a quantization mode (TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV)";
      return false;
    }
  }
  if (parts.size() == 4) {
    bool ok = false;
    for (int k = 0; k < 4; ++k)
      if (parts[3] == kO[k]) f.O = (OvfMode)k, ok = true;
    if (!ok) {
      why = "an overflow mode (WRAP, SAT, SAT_ZERO, SAT_SYM)";
      return false;
    }
  }
  out = f;
  return true;
}

std::string FixedFormat::str() const {
  std::string s = std::string(S ? "fixed<" : "ufixed<") + std::to_string(W) + "," + std::to_string(I);
  if (Q != hl::TRN || O != hl::WRAP) s += std::string(",") + quant_name(Q);
  if (O != hl::WRAP) s += std::string(",") + ovf_name(O);
  return s + ">";
}

std::string FixedFormat::cpp() const {
  return std::string(S ? "TF_FIXED(" : "TF_UFIXED(") + std::to_string(W) + ", " + std::to_string(I) + ", " +
         quant_name(Q) + ", " + ovf_name(O) + ")";
}

i128 FixedFormat::from_double(double d) const {
  i128 m;
  int f;
  hl::detail::split_double(d, m, f);
  return from_exact(m, f);
}

double FixedFormat::to_double(i128 raw) const { return std::ldexp((double)raw, -F()); }

}  // namespace tf::hlsgen
