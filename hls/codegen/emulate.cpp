#include "emulate.h"

#include <cmath>

#include "tinyforge/hls/activation.h"
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

Emulator::Emulator(const Model& m) : m_(m), w_(m.layers.size()), b_(m.layers.size()), stats_(m.layers.size()) {
  for (size_t k = 0; k < m.layers.size(); ++k) {
    const Layer& L = m.layers[k];
    for (double v : L.weights) w_[k].push_back(L.prec.weight.from_double(v));
    for (double v : L.bias) b_[k].push_back(L.prec.bias.from_double(v));
  }
}

namespace {

// Converts an exact value into F; reports whether overflow handling changed it (CHANGED).
i128 convert(const FixedFormat& f, i128 v, int fsrc, bool& changed) {
  i128 r = f.from_exact(v, fsrc);
  FixedFormat wide = f;  // same fraction bits, 40 more integer bits, no overflow handling
  wide.W = f.W + 40;
  wide.I = f.I + 40;
  wide.O = hl::WRAP;
  changed = wide.from_exact(v, fsrc) != r;
  return r;
}

// A dense/conv output: accumulator conversion then result conversion, counted once.
i128 acc_to_result(const FixedFormat& A, const FixedFormat& R, i128 acc, LayerStats& st) {
  bool c1, c2;
  i128 a = convert(A, acc, A.F(), c1);
  i128 r = convert(R, a, A.F(), c2);
  if (c1 || c2) {
    if ((c1 ? A.O : R.O) == hl::WRAP)
      ++st.wrapped;
    else
      ++st.saturated;
  }
  ++st.values;
  return r;
}

// Converts an exact value into F, counting it once (and as wrapped or saturated when overflow handling
// changed it).
i128 to_fmt(const FixedFormat& f, i128 v, int fsrc, LayerStats& st) {
  bool changed;
  i128 r = convert(f, v, fsrc, changed);
  if (changed) {
    if (f.O == hl::WRAP)
      ++st.wrapped;
    else
      ++st.saturated;
  }
  ++st.values;
  return r;
}

// Product quantized to accum's fraction bits without overflow handling (as the templates' term_t).
i128 term(i128 prod, int fprod, const FixedFormat& acc) {
  if (fprod > acc.F()) return hl::detail::quantize_rt(prod, fprod - acc.F(), acc.Q);
  return prod * ((i128)1 << (acc.F() - fprod));
}

}  // namespace

std::vector<Tensor> Emulator::run(const std::vector<double>& input) {
  std::vector<Tensor> outs;
  Tensor cur;
  cur.fmt = m_.input;
  for (double v : input) cur.raw.push_back(m_.input.from_double(v));
  for (size_t li = 0; li < m_.layers.size(); ++li) {
    const Layer& L = m_.layers[li];
    LayerStats& st = stats_[li];
    const FixedFormat& R = L.prec.result;
    const int Fx = cur.fmt.F();
    Tensor out;
    out.fmt = R;
    const std::string& t = L.type;
    if (t == "dense") {
      const FixedFormat& A = L.prec.accum;
      int n_in = L.in_size(), n_out = L.units, Fp = Fx + L.prec.weight.F();
      for (int j = 0; j < n_out; ++j) {
        i128 acc = A.from_exact(b_[li][j], L.prec.bias.F());
        for (int i = 0; i < n_in; ++i) acc += term(cur.raw[i] * w_[li][i * n_out + j], Fp, A);
        out.raw.push_back(acc_to_result(A, R, acc, st));
      }
    } else if (t == "conv1d" || t == "conv2d") {
      const FixedFormat& A = L.prec.accum;
      const Window win = window_of(L);
      const int C = win.C, OH = win.OH, OW = win.OW;
      const int NF = L.filters;
      int Fp = Fx + L.prec.weight.F();
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow)
          for (int f = 0; f < NF; ++f) {
            i128 acc = A.from_exact(b_[li][f], L.prec.bias.F());
            win.for_each_tap(oh, ow, [&](int tap, int px) {
              for (int c = 0; c < C; ++c) acc += term(cur.raw[px * C + c] * w_[li][(tap * C + c) * NF + f], Fp, A);
            });
            out.raw.push_back(acc_to_result(A, R, acc, st));
          }
    } else if (t == "batchnorm") {
      int C = L.in_shape.back(), Fs = L.prec.weight.F(), Fb = L.prec.bias.F();
      int F = std::max(Fx + Fs, Fb);
      for (size_t i = 0; i < cur.raw.size(); ++i) {
        int c = (int)(i % C);
        i128 v = cur.raw[i] * w_[li][c] * ((i128)1 << (F - Fx - Fs)) + b_[li][c] * ((i128)1 << (F - Fb));
        out.raw.push_back(to_fmt(R, v, F, st));
      }
    } else if (t == "relu") {
      for (i128 x : cur.raw) out.raw.push_back(x > 0 ? to_fmt(R, x, Fx, st) : 0);
    } else if (t == "leaky_relu") {
      FixedFormat af = alpha_format();
      i128 a = af.from_double(L.alpha);
      for (i128 x : cur.raw) out.raw.push_back(x > 0 ? to_fmt(R, x, Fx, st) : to_fmt(R, x * a, Fx + af.F(), st));
    } else if (t == "hard_sigmoid") {
      FixedFormat sf = slope_format();
      i128 slope = sf.from_double(0.2), shift = sf.from_double(0.5);
      int F = std::max(Fx + sf.F(), sf.F());  // the exact type of x * slope + shift
      i128 one = (i128)1 << F;
      for (i128 x : cur.raw) {
        i128 y = x * slope * ((i128)1 << (F - Fx - sf.F())) + shift * ((i128)1 << (F - sf.F()));
        out.raw.push_back(y < 0 ? 0 : (y > one ? to_fmt(R, 1, 0, st) : to_fmt(R, y, F, st)));
      }
    } else if (t == "hard_tanh") {
      for (i128 x : cur.raw) {
        // Exact comparison with +-1: in x's units when it has fraction bits, else by scaling x up.
        int cmp_hi, cmp_lo;
        if (Fx >= 0) {
          i128 one = (i128)1 << Fx;
          cmp_hi = x > one, cmp_lo = x < -one;
        } else {
          i128 v = x * ((i128)1 << (-Fx));
          cmp_hi = v > 1, cmp_lo = v < -1;
        }
        if (cmp_hi)
          out.raw.push_back(to_fmt(R, 1, 0, st));
        else if (cmp_lo)
          out.raw.push_back(to_fmt(R, -1, 0, st));
        else
          out.raw.push_back(to_fmt(R, x, Fx, st));
      }
    } else if (t == "sigmoid" || t == "tanh") {
      const FixedFormat& T = L.prec.table;
      hl::table_func fn = t == "sigmoid" ? hl::TABLE_SIGMOID : hl::TABLE_TANH;
      std::vector<i128> table;
      for (int k = 0; k < L.table_size; ++k)
        table.push_back(T.from_double(hl::table_entry_value(fn, (unsigned)k, (unsigned)L.table_size, L.table_range_log2)));
      for (i128 x : cur.raw)
        out.raw.push_back(to_fmt(R, table[signed_table_index(x, Fx, (unsigned)L.table_size, L.table_range_log2)], T.F(), st));
    } else if (t == "softmax") {
      int n = (int)cur.raw.size();
      size_t arg = 0;
      for (int i = 1; i < n; ++i)
        if (cur.raw[i] > cur.raw[arg]) arg = (size_t)i;
      if (L.argmax_only) {
        for (int i = 0; i < n; ++i) out.raw.push_back(to_fmt(R, (size_t)i == arg ? 1 : 0, 0, st));
      } else {
        SoftmaxFormats sf = softmax_formats(n);
        std::vector<i128> e(n);
        i128 sum = 0;
        for (int i = 0; i < n; ++i) {
          unsigned idx = unsigned_table_index(cur.raw[arg] - cur.raw[i], Fx, (unsigned)sf.exp_size, sf.exp_range_log2);
          e[i] = sf.exp_t.from_double(hl::softmax_exp_entry(idx, (unsigned)sf.exp_size, sf.exp_range_log2));
          sum += e[i];
        }
        i128 s = sf.sum_t.from_exact(sum, sf.exp_t.F());
        unsigned j = unsigned_table_index(s, sf.sum_t.F(), (unsigned)sf.inv_size, sf.inv_range_log2);
        i128 r = sf.inv_t.from_double(hl::softmax_inv_entry(j, (unsigned)sf.inv_size, sf.inv_range_log2));
        for (int i = 0; i < n; ++i) out.raw.push_back(to_fmt(R, e[i] * r, sf.exp_t.F() + sf.inv_t.F(), st));
      }
    } else if (t.find("pool") != std::string::npos) {
      bool avg = t.rfind("avg", 0) == 0;
      const Window win = window_of(L);
      const int C = win.C, OH = win.OH, OW = win.OW;
      FixedFormat rf = recip_format();
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow)
          for (int c = 0; c < C; ++c) {
            i128 best = 0, sum = 0;
            int count = 0;
            win.for_each_tap(oh, ow, [&](int, int px) {
              i128 v = cur.raw[px * C + c];
              if (count == 0 || v > best) best = v;
              sum += v;
              ++count;
            });
            if (!avg)
              out.raw.push_back(to_fmt(R, best, Fx, st));
            else
              out.raw.push_back(to_fmt(R, sum * rf.from_double(1.0 / (count ? count : 1)), Fx + rf.F(), st));
          }
    } else {  // flatten
      for (i128 x : cur.raw) out.raw.push_back(to_fmt(R, x, Fx, st));
    }
    outs.push_back(out);
    cur = out;
  }
  return outs;
}

}  // namespace tf::hlsgen
