// The emulator's conversions, shared by the layer kinds' emulate(): exact values into a format, counting
// the values that overflow handling changed (LayerStats).
#pragma once
#include "emulate.h"

namespace tf::hlsgen {

i128 convert_slow(const FixedFormat& f, i128 v, int fsrc, bool& changed);

// Converts an exact value (FSRC fraction bits) into F; reports whether overflow handling changed it (CHANGED):
// whether the result differs from the same conversion into a format with 40 more integer bits and no overflow
// handling. Inline 64-bit path while every value fits (then "changed" is whether overflow handling changed the
// quantized value), convert_slow() otherwise.
inline i128 convert(const FixedFormat& f, i128 v, int fsrc, bool& changed) {
  const int s = fsrc - f.F();
  const i128 lim = (i128)1 << 60;
  if (f.W <= 60 && v < lim && v > -lim && s <= 62 && s >= -20) {
    const int64_t x = (int64_t)v;
    if (s > 0 || (x < ((int64_t)1 << (60 + s)) && x > -((int64_t)1 << (60 + s)))) {  // the shifted x fits
      const int64_t q = s > 0 ? tinyforge::hls::detail::quantize64(x, s, f.Q) : x * ((int64_t)1 << -s);
      const int64_t bound = f.W + 39 >= 62 ? ((int64_t)1 << 61) : ((int64_t)1 << (f.W + 39));
      if (q < bound && q > -bound) {
        const int64_t r = tinyforge::hls::detail::overflow64(q, f.W, f.S, f.O);
        changed = r != q;
        return r;
      }
    }
  }
  return convert_slow(f, v, fsrc, changed);
}

// A dense/conv output: accumulator conversion then result conversion, counted once.
inline i128 acc_to_result(const FixedFormat& A, const FixedFormat& R, i128 acc, LayerStats& st) {
  bool c1, c2;
  i128 a = convert(A, acc, A.F(), c1);
  i128 r = convert(R, a, A.F(), c2);
  if (c1 || c2) ++((c1 ? A.O : R.O) == tinyforge::hls::WRAP ? st.wrapped : st.saturated);
  ++st.values;
  return r;
}

// Converts an exact value into F, counting it once (and as wrapped or saturated when overflow handling
// changed it).
inline i128 to_fmt(const FixedFormat& f, i128 v, int fsrc, LayerStats& st) {
  bool changed;
  i128 r = convert(f, v, fsrc, changed);
  if (changed) ++(f.O == tinyforge::hls::WRAP ? st.wrapped : st.saturated);
  ++st.values;
  return r;
}

// Product quantized to accum's fraction bits without overflow handling (as the templates' term_t).
i128 term(i128 prod, int fprod, const FixedFormat& acc);
// The accumulation mode "hls4ml": ACC (in A) plus the product PROD (FPROD fraction bits) converted into A, the
// sum converted into A; counts the additions whose overflow handling changed a value (as saturated/wrapped,
// not as values).
i128 add_each(const FixedFormat& A, i128 acc, i128 prod, int fprod, LayerStats& st);

// A product's conversion to the accumulator's fraction bits, as plain integer steps for vectorised kernels:
// ((prod << ls) + half) >> rs (one of ls and rs is 0); S: the accumulator is signed (Mac64::Fixed::magnitude).
struct MacTerm {
  int ls = 0, rs = 0;
  int64_t half = 0;
  bool S = true;
};

// The accumulation of a dense/conv output in 64-bit arithmetic, for formats where every value provably fits
// (ok): products of at most 62 bits, shifted products that also fit the 40-bit-wider format the overflow
// counting compares against, and (exact accumulation) a sum of all terms below 2^62. The same results and
// counts as term() and add_each(), several times faster. with_adder() hands a kernel an adder specialised for
// the common modes (truncation or rounding, wrap or saturation), and the general one otherwise.
struct Mac64 {
  bool ok = false, each = false;
  int s = 0;  // product fraction bits minus the accumulator's: > 0 quantize, < 0 shift left
  int W = 0;
  bool S = true;
  QuantMode Q = tinyforge::hls::TRN;
  OvfMode O = tinyforge::hls::WRAP;

  Mac64(const FixedFormat& A, const FixedFormat& in, const FixedFormat& w, bool each_add, long long n_terms) {
    each = each_add;
    s = in.F() + w.F() - A.F();
    W = A.W;
    S = A.S;
    Q = A.Q;
    O = A.O;
    int pb = in.W + w.W + (s < 0 ? -s : 0);  // bits of a shifted product, sign included
    int tb = 0;
    while (tb < 63 && (1LL << tb) < n_terms + 1) ++tb;
    ok = in.W + w.W <= 62 && s <= 62 && A.W <= 60 && pb <= 61 && (each ? pb <= A.W + 39 : pb + tb <= 61);
  }
  static int64_t shifted(int64_t prod, int s, QuantMode Q) {
    if (s > 0) return tinyforge::hls::detail::quantize64(prod, s, Q);
    return s == 0 ? prod : prod * ((int64_t)1 << -s);
  }
  // The general adder (every mode).
  int64_t add(int64_t acc, int64_t prod, LayerStats& st) const {
    int64_t p = shifted(prod, s, Q);
    if (!each) return acc + p;
    int64_t r = tinyforge::hls::detail::overflow64(p, W, S, O);
    int64_t sum = acc + r;
    int64_t r2 = tinyforge::hls::detail::overflow64(sum, W, S, O);
    if (r != p || r2 != sum) ++(O == tinyforge::hls::WRAP ? st.wrapped : st.saturated);
    return r2;
  }
  int64_t operator()(int64_t acc, int64_t prod, LayerStats& st) const { return add(acc, prod, st); }
  // The general adder has no optimistic pass (Fixed::optimistic).
  static constexpr bool optimistic = false;
  int64_t term(int64_t prod) const { return shifted(prod, s, Q); }
  uint64_t magnitude(int64_t) const { return 0; }
  bool inside_all(uint64_t) const { return false; }
  MacTerm term_params() const { return MacTerm{}; }

  // Specialised adders: RND is floor(x + half), TRN floor(x); SAT clamps, WRAP keeps the low W bits.
  template <bool RND, bool SAT, bool EACH, bool LEFT = false>
  struct Fixed {
    int64_t mul, half, lo, hi;
    int rs, sh;
    bool S;
    int64_t fit(int64_t v) const {
      if (SAT) return v < lo ? lo : (v > hi ? hi : v);
      if (S) return (int64_t)((uint64_t)v << sh) >> sh;
      return (int64_t)((uint64_t)v & (uint64_t)hi);
    }
    // With conversion after every addition, a kernel may first sum without converting and keep the result
    // if no product (term) and no partial sum left [lo, hi]: every value v is inside iff the OR of their
    // magnitude(v) passes inside_all (signed: v ^ sign < 2^(W-1); unsigned: 0 <= v < 2^W). See
    // DenseKind::emulate.
    static constexpr bool optimistic = EACH;
    int64_t term(int64_t prod) const { return LEFT ? prod * mul : (prod + (RND ? half : 0)) >> rs; }
    uint64_t magnitude(int64_t v) const { return S ? (uint64_t)(v ^ (v >> 63)) : (uint64_t)v; }
    bool inside_all(uint64_t bits) const { return (bits >> (S ? 64 - sh - 1 : 64 - sh)) == 0; }
    MacTerm term_params() const {
      MacTerm t;
      t.S = S;
      t.rs = LEFT ? 0 : rs;
      t.half = LEFT || !RND ? 0 : half;
      for (int64_t m = mul; LEFT && m > 1; m >>= 1) ++t.ls;
      return t;
    }
    int64_t operator()(int64_t acc, int64_t prod, LayerStats& st) const {
      int64_t p = term(prod);
      if (!EACH) return acc + p;
      int64_t r = fit(p), sum = acc + r, r2 = fit(sum);
      if (r != p || r2 != sum) ++(SAT ? st.saturated : st.wrapped);
      return r2;
    }
  };
  template <bool RND, bool SAT, bool EACH, bool LEFT = false>
  Fixed<RND, SAT, EACH, LEFT> fixed() const {
    Fixed<RND, SAT, EACH, LEFT> f;
    f.rs = s > 0 ? s : 0;
    f.mul = s < 0 ? (int64_t)1 << -s : 1;
    f.half = f.rs ? (int64_t)1 << (f.rs - 1) : 0;
    f.S = S;
    f.hi = S ? (int64_t)((1ULL << (W - 1)) - 1) : (int64_t)((1ULL << W) - 1);
    f.lo = S ? -f.hi - 1 : 0;
    f.sh = 64 - W;
    return f;
  }
  template <class K>
  void with_adder(K&& kernel) const {
    using tinyforge::hls::RND;
    using tinyforge::hls::SAT;
    using tinyforge::hls::TRN;
    using tinyforge::hls::WRAP;
    // s > 0: quantize (TRN or RND specialised); s <= 0: an exact left shift, whatever the quantization mode.
    const bool rnd = Q == RND && s > 0, trn = Q == TRN && s > 0, left = s < 0, none = s == 0;
    if (!each) {
      if (rnd) return kernel(fixed<true, true, false>());
      if (trn || none) return kernel(fixed<false, true, false>());
      if (left) return kernel(fixed<false, true, false, true>());
    } else if (O == SAT) {
      if (rnd) return kernel(fixed<true, true, true>());
      if (trn || none) return kernel(fixed<false, true, true>());
      if (left) return kernel(fixed<false, true, true, true>());
    } else if (O == WRAP) {
      if (rnd) return kernel(fixed<true, false, true>());
      if (trn || none) return kernel(fixed<false, false, true>());
      if (left) return kernel(fixed<false, false, true, true>());
    }
    kernel(*this);
  }
};

}  // namespace tf::hlsgen
