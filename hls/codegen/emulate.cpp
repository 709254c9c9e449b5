#include "emulate.h"

#include <cmath>

#include "emulate_ops.h"
#include "layer_kind.h"
#include "tinyforge/hls/softmax.h"

namespace tf::hlsgen {

namespace hl = tinyforge::hls;

static FixedFormat fmt(const char* text) {
  FixedFormat f;
  std::string why;
  FixedFormat::parse(text, f, why);
  return f;
}
FixedFormat alpha_format() { return fmt("ufixed<18,0,RND>"); }
FixedFormat slope_format() { return fmt("fixed<18,2,RND>"); }
FixedFormat recip_format() { return fmt("ufixed<18,0,RND>"); }

SoftmaxFormats softmax_formats(int n_in) {
  SoftmaxFormats s;
  s.inv_range_log2 = std::max(1, hl::clog2((unsigned long long)n_in));
  s.exp_t = fmt("ufixed<18,1,RND,SAT>");
  s.inv_t = fmt("ufixed<18,8,RND,SAT>");
  s.sum_t = fmt(("ufixed<18," + std::to_string(s.inv_range_log2 + 1) + ",TRN,SAT>").c_str());
  return s;
}

unsigned signed_table_index(i128 r, int F, unsigned size, int range_log2) {
  int log2_size = hl::clog2(size);
  int shift = log2_size - range_log2 - 1 - F;
  i128 v;
  if (shift >= 0)
    v = r * ((i128)1 << shift) + ((i128)size >> 1);
  else
    v = (r + ((i128)1 << (range_log2 + F))) >> (-shift);
  if (v < 0) return 0;
  if (v >= (i128)size) return size - 1;
  return (unsigned)v;
}

unsigned unsigned_table_index(i128 r, int F, unsigned size, int range_log2) {
  int shift = hl::clog2(size) - range_log2 - F;
  if (r < 0) return 0;
  i128 idx = shift >= 0 ? r * ((i128)1 << shift) : (r >> (-shift));
  if (idx >= (i128)size) return size - 1;
  return (unsigned)idx;
}

Emulator::Emulator(const Model& m)
    : m_(m),
      w_(m.layers.size()),
      b_(m.layers.size()),
      w64_(m.layers.size()),
      stats_(m.layers.size()),
      state_(m.layers.size()) {
  for (size_t k = 0; k < m.layers.size(); ++k) {
    const Layer& L = m.layers[k];
    for (double v : L.weights) w_[k].push_back(L.prec.weight.from_double(v));
    for (double v : L.bias) b_[k].push_back(L.prec.bias.from_double(v));
    if (L.prec.weight.W <= 62)
      for (i128 v : w_[k]) w64_[k].push_back((int64_t)v);
  }
}

// The 128-bit path of convert() (emulate_ops.h).
i128 convert_slow(const FixedFormat& f, i128 v, int fsrc, bool& changed) {
  i128 r = f.from_exact(v, fsrc);
  FixedFormat wide = f;  // same fraction bits, 40 more integer bits, no overflow handling
  wide.W = f.W + 40;
  wide.I = f.I + 40;
  wide.O = hl::WRAP;
  changed = wide.from_exact(v, fsrc) != r;
  return r;
}

// Product quantized to accum's fraction bits without overflow handling (as the templates' term_t).
i128 term(i128 prod, int fprod, const FixedFormat& acc) {
  if (fprod > acc.F()) return hl::detail::quantize_rt(prod, fprod - acc.F(), acc.Q);
  return prod * ((i128)1 << (acc.F() - fprod));
}

i128 add_each(const FixedFormat& A, i128 acc, i128 prod, int fprod, LayerStats& st) {
  bool c1, c2;
  i128 p = convert(A, prod, fprod, c1);
  i128 s = convert(A, acc + p, A.F(), c2);
  if (c1 || c2) ++(A.O == hl::WRAP ? st.wrapped : st.saturated);
  return s;
}

const std::vector<Tensor>& Emulator::run_into(const double* input, size_t n) {
  in_.fmt = m_.input;
  in_.raw.resize(n);
  for (size_t i = 0; i < n; ++i) in_.raw[i] = m_.input.from_double(input[i]);
  outs_.resize(m_.layers.size());
  for (size_t li = 0; li < m_.layers.size(); ++li) {
    const Layer& L = m_.layers[li];
    Tensor& out = outs_[li];
    out.fmt = L.prec.result;
    out.raw.clear();
    kind_of(L).emulate(EmuLayer{L, li ? outs_[li - 1] : in_, w_[li], b_[li], stats_[li], w64_[li], state_[li]}, out);
  }
  return outs_;
}

void Emulator::reset() {
  for (LayerState& s : state_) std::fill(s.v.begin(), s.v.end(), 0);
}

std::vector<Tensor> Emulator::run(const std::vector<double>& input) { return run_into(input.data(), input.size()); }

}  // namespace tf::hlsgen
